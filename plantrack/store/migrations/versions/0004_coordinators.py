"""coordinators

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import plantrack.store.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coordinator',
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('created_at', plantrack.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_coordinator'))
    )


def downgrade() -> None:
    op.drop_table('coordinator')
