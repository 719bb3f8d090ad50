"""outbox: when a notice first failed

A notice that keeps failing temporarily is given up (undeliverable) some days after its
first failure (RFC 5321 §4.5.4.1), not after its creation: a notice written while the
dispatcher was down still gets its days of retries. ``plantrack retry`` clears it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import plantrack.store.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_failed_at', plantrack.store.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('first_failed_at')
