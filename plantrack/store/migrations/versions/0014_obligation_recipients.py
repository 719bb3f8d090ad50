"""recipients by relation and position, and copies

- ``obligation.recipients``: beside ``submit_to_id``, the relation (``superior``: each unit's
  own managing body) or position of the receiver, and the units copied ("đồng gửi"), each
  ``{"unit", "position"?}``; {} for a plain receiver. Filled by the next sync.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 22:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: occurrences refer to obligation, and a batch rebuild would drop it.
    op.add_column('obligation', sa.Column('recipients', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    op.drop_column('obligation', 'recipients')  # ALTER TABLE DROP COLUMN: no rebuild of a referenced table
