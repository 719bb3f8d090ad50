"""access model: accounts with roles and scopes, server-side sessions, unit feeds, corrections

The coordinator table becomes ``account`` (role, plans, unit subtree, when the password last
changed); sessions are kept server-side (``login_session``) so that they can be ended; a
unit's feed link has a generation that revoking raises (``unit_feed``); a submission keeps its
file's name, stored path and size, and a correction points at what it supersedes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:00:00
"""
from alembic import op
import sqlalchemy as sa
import plantrack.store.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table('coordinator', 'account')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='coordinator'))
        batch_op.add_column(sa.Column('plans', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unit_root', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', plantrack.store.models.UTCDateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE account RENAME CONSTRAINT pk_coordinator TO pk_account')
    op.create_table('login_session',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('created_at', plantrack.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', plantrack.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['login'], ['account.login'], name=op.f('fk_login_session_login_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_login_session'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_login'), ['login'], unique=False)
    op.create_table('unit_feed',
    sa.Column('unit_id', sa.String(length=100), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('changed_at', plantrack.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_feed_unit_id_unit')),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_feed'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('file_path', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('file_bytes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('supersedes_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('superseded_at', plantrack.store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_submission_supersedes_id_submission'), 'submission', ['supersedes_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submission_supersedes_id_submission'), type_='foreignkey')
        for column in ('superseded_at', 'supersedes_id', 'file_bytes', 'file_path', 'file_name'):
            batch_op.drop_column(column)
    op.drop_table('unit_feed')
    op.drop_table('login_session')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE account RENAME CONSTRAINT pk_account TO pk_coordinator')
    with op.batch_alter_table('account', schema=None) as batch_op:
        for column in ('password_changed_at', 'unit_root', 'plans', 'role'):
            batch_op.drop_column(column)
    op.rename_table('account', 'coordinator')
