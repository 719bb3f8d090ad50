"""outbox: a partial index of the pending notices; the occurrence index folded into the key

Each notice is written three times (queued, leased, sent), and every write of a row touches
each of its indexes. The claim reads only pending rows, so its index now holds only those:
a sent notice leaves it instead of adding an entry. Reads by occurrence use the unique key,
whose leading column is the occurrence, so its own index goes. On PostgreSQL the table keeps
room on each page (fillfactor 70): the lease stamp, which changes no indexed column, is then
a heap-only update that writes no index entry at all.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 22:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_claimable')
        batch_op.drop_index('ix_notice_occurrence')
        batch_op.create_index('ix_notice_pending', ['next_attempt_at'], unique=False,
                              sqlite_where=PENDING, postgresql_where=PENDING)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE notice SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE notice RESET (fillfactor)")
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_pending')
        batch_op.create_index('ix_notice_occurrence', ['occurrence_id', 'deadline'], unique=False)
        batch_op.create_index('ix_notice_claimable', ['state', 'next_attempt_at'], unique=False)
