"""the deadline in the text's words; coordination per plan; duties' time frames

- ``occurrence.due_text``: what reminders announce ("trước ngày 16/11/2020 (đến hết Thứ Sáu,
  13/11/2020)", "trong Quý III/2026"), so that they never name a day the text calls too late.
- ``plan.coordination``: the plan's standing office and head, which its escalations follow.
- ``obligation.escalate_to``: an obligation's own chain, where the plan's is not the right one.
- ``unit.valid_from``, ``valid_until``, ``successor_id``, ``aliases``: a registry over time.
- ``unit_group``: the registries' groups with their members, so that requests can name one.
- ``duty.active_from``, ``active_until``, ``timeframe``: when a running duty runs, and the words.

All are filled by the next sync.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_group',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('registry_id', sa.String(length=100), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=True),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_group'))
    )
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_text', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('sync_digest', sa.String(length=32), nullable=True))
    # Plain ALTER TABLE ADD COLUMN: other tables refer to unit, and a batch rebuild would drop it.
    op.add_column('unit', sa.Column('valid_from', sa.Date(), nullable=True))
    op.add_column('unit', sa.Column('valid_until', sa.Date(), nullable=True))
    op.add_column('unit', sa.Column('successor_id', sa.String(length=100), nullable=True))
    op.add_column('unit', sa.Column('aliases', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coordination', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalate_to', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('occurrences_digest', sa.String(length=32), nullable=True))
    with op.batch_alter_table('duty', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('active_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('timeframe', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    op.drop_table('unit_group')
    with op.batch_alter_table('duty', schema=None) as batch_op:
        for column in ('timeframe', 'active_until', 'active_from'):
            batch_op.drop_column(column)
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_column('occurrences_digest')
        batch_op.drop_column('escalate_to')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('coordination')
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.drop_column('sync_digest')
        batch_op.drop_column('due_text')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        for column in ('aliases', 'successor_id', 'valid_until', 'valid_from'):
            batch_op.drop_column(column)
