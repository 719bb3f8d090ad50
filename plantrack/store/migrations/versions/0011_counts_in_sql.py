"""the local day of an occurrence's first hand-in, so that statuses are counted in SQL; an
index of occurrences by obligation

``occurrence.submitted_on`` is the civil date in Viet Nam of ``first_submitted_at``: on time is
then ``submitted_on <= deadline in force``, one date comparison on both databases, and a
coordinator's page counts statuses with one grouped query instead of loading every occurrence
(``plantrack.rollup``). Filled here from the instants already stored; kept by every writer.
``ix_occurrence_status``: a plan's page reads its own obligations' occurrences, not the whole
table (63 provincial plans on the home page were 63 full scans), and from the index alone: it
holds every column a status needs, and the rows themselves are wide (the explanation).
``store_state``: a token each sync draws anew, so that cached counts are not reused across syncs.
``ix_notice_undeliverable``: the few notices given up on, which a unit's page lists, without
reading every notice (a district's page read 216,000 rows for none).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('store_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_state'))
    )
    # Plain ALTER TABLE ADD COLUMN: submissions, extensions and notices refer to occurrence.
    op.add_column('occurrence', sa.Column('submitted_on', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE occurrence SET submitted_on = (first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
                   "WHERE first_submitted_at IS NOT NULL")
    else:  # SQLite keeps UTC instants as text; Viet Nam is UTC+7 all year
        op.execute("UPDATE occurrence SET submitted_on = date(first_submitted_at, '+7 hours') WHERE first_submitted_at IS NOT NULL")
    op.create_index('ix_notice_undeliverable', 'notice', ['recipient_id'], unique=False,
                    sqlite_where=sa.text("state = 'undeliverable'"), postgresql_where=sa.text("state = 'undeliverable'"))
    op.create_index('ix_occurrence_status', 'occurrence', ['obligation_id', 'unit_id', 'current_due_date', 'due_date', 'opens_on',
                                                          'submitted_on', 'first_submitted_at', 'retired'])


def downgrade() -> None:
    op.drop_table('store_state')
    op.drop_index('ix_occurrence_status', table_name='occurrence')
    op.drop_index('ix_notice_undeliverable', table_name='notice')
    op.drop_column('occurrence', 'submitted_on')
