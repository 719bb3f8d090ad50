"""outbox: a partial index of acknowledged notices

The morning watch asks which escalations of its window a coordinator has taken up. Those are
a handful among hundreds of thousands of notices, so they get their own small index instead
of being read with every notice of the window's occurrences.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ACKNOWLEDGED = sa.text("acknowledged_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_acknowledged', ['deadline'], unique=False,
                              sqlite_where=ACKNOWLEDGED, postgresql_where=ACKNOWLEDGED)


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_acknowledged')
