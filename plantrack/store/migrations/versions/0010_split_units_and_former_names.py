"""a registry over time, continued: units split into several bodies, and former names

- ``unit.split_to``: the bodies that took over part of an ended unit's remit, with which part
  ("báo chí, xuất bản"); a duty's assignment names the part that holds it (``held_by``, in the
  duty's assignments JSON: no column).
- ``unit.former_names``: the names a unit bore until a day (a renamed body keeps its id).

Both are filled by the next sync.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: other tables refer to unit, and a batch rebuild would drop it.
    op.add_column('unit', sa.Column('split_to', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.add_column('unit', sa.Column('former_names', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    # ALTER TABLE DROP COLUMN (SQLite 3.35 and later, PostgreSQL): no rebuild of a referenced table.
    op.drop_column('unit', 'former_names')
    op.drop_column('unit', 'split_to')
