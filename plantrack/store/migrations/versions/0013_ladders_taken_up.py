"""the deadline whose reminder ladder the watch has taken up, per occurrence

``occurrence.watched_due_date``: a ladder not taken up yet (a plan synced after its first
deadlines, a fresh store, an occurrence added by an amendment or a request, a deadline an
amendment moved) is caught up from its own start on the next watch, instead of from the
store's last watch run. ``ix_occurrence_unwatched``: those rows, open, by deadline, so that
the morning reads them and not every open row of the past (nor every row handed in before its
ladder began, which is never taken up).

Rows of a store already watched are marked taken up where their ladder has begun by the last
watch run's day, as the watch had them; the others are caught up on the next watch.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

UNWATCHED = "watched_due_date IS NULL OR watched_due_date <> current_due_date"
UNWATCHED_OPEN = f"first_submitted_at IS NULL AND ({UNWATCHED})"


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: submissions, extensions and notices refer to occurrence.
    op.add_column('occurrence', sa.Column('watched_due_date', sa.Date(), nullable=True))
    # A ladder with notices for its deadline was taken up by an earlier watch; so was one whose
    # deadline lies before the last run (its steps, if any, were that watch's to write).
    op.execute(
        "UPDATE occurrence SET watched_due_date = current_due_date WHERE current_due_date <= (SELECT max(day) FROM watch_run) "
        "OR EXISTS (SELECT 1 FROM notice WHERE notice.occurrence_id = occurrence.id AND notice.deadline = occurrence.current_due_date)"
    )
    op.create_index('ix_occurrence_unwatched', 'occurrence', ['current_due_date'], unique=False,
                    sqlite_where=sa.text(UNWATCHED_OPEN), postgresql_where=sa.text(UNWATCHED_OPEN))


def downgrade() -> None:
    op.drop_index('ix_occurrence_unwatched', table_name='occurrence')
    op.drop_column('occurrence', 'watched_due_date')
