from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from plantrack.store.database import is_current
from plantrack.store.models import Base


def test_migrations_build_exactly_the_models(store):
    """The schema Alembic builds is the one the models describe, on both databases."""
    assert is_current(store.engine)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
