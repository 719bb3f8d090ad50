"""the local day of an occurrence's first hand-in, so that statuses are counted in SQL

``occurrence.submitted_on`` is the civil date in Viet Nam of ``first_submitted_at``: on time is
then ``submitted_on <= deadline in force``, one date comparison on both databases, and a
coordinator's page counts statuses with one grouped query instead of loading every occurrence
(``plantrack.rollup``). Filled here from the instants already stored; kept by every writer.

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
    # Plain ALTER TABLE ADD COLUMN: submissions, extensions and notices refer to occurrence.
    op.add_column('occurrence', sa.Column('submitted_on', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE occurrence SET submitted_on = (first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date "
                   "WHERE first_submitted_at IS NOT NULL")
    else:  # SQLite keeps UTC instants as text; Viet Nam is UTC+7 all year
        op.execute("UPDATE occurrence SET submitted_on = date(first_submitted_at, '+7 hours') WHERE first_submitted_at IS NOT NULL")


def downgrade() -> None:
    op.drop_column('occurrence', 'submitted_on')
