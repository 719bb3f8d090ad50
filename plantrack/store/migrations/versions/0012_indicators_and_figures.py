"""what the reports say: the indicators an obligation's report carries, and the figures handed in

- ``obligation.indicators``: the obligation's indicators as the plan files define them (id,
  name, unit of measure, kind, flow or stock, how they aggregate); filled by the next sync.
- ``plan.targets``: the plan's quantitative targets (indicator, value by a day, baseline, the
  units responsible, the obligation that reports them); filled by the next sync.
- ``ix_occurrence_period``: one period of a report, read for its figures without the others.
- ``figure``: one figure of one submission for one indicator; a correction is a new submission
  with its own figures, the superseded ones stay.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: occurrences refer to obligation, and a batch rebuild would drop it.
    op.add_column('obligation', sa.Column('indicators', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.add_column('plan', sa.Column('targets', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.create_table('figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=100), nullable=False),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_figure_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure'))
    )
    with op.batch_alter_table('figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_figure_submission_id'), ['submission_id'], unique=False)
    op.create_index('ix_occurrence_period', 'occurrence', ['obligation_id', 'period_key'])


def downgrade() -> None:
    op.drop_index('ix_occurrence_period', table_name='occurrence')
    with op.batch_alter_table('figure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figure_submission_id'))
    op.drop_table('figure')
    op.drop_column('obligation', 'indicators')
    op.drop_column('plan', 'targets')  # ALTER TABLE DROP COLUMN: no rebuild of a referenced table
