"""escalation policy per plan

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:20:38.202057
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        # Existing plans get an empty policy; the next sync writes the one in force.
        batch_op.add_column(sa.Column('escalation', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))



def downgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('escalation')

