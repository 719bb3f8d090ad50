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


def test_upgrading_a_store_that_holds_data(store, real_catalogue):
    """From the first schema, with plans in it, to the newest: rows survive, sync fills the new column."""
    from alembic import command

    from plantrack.store.database import alembic_config, upgrade
    from plantrack.store.models import Plan
    from plantrack.store.sync import sync_catalogue

    config = alembic_config(store.engine)
    command.downgrade(config, "0001")
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO unit (id, registry_id, name, kind, contacts, basis, retired) "
            "VALUES ('vn.bcd389', 'national', 'BCĐ389', 'committee', '{}', 'stated', false)"
        )
        connection.exec_driver_sql(
            "INSERT INTO plan (id, number, doc_type, title, issuer_id, issued_on, period_start, period_end, "
            "source_file, sources, calendar, retired) VALUES ('kh-399', '399/KH-BCĐ389', 'ke_hoach', 't', "
            "'vn.bcd389', '2020-10-09', '2020-11-01', '2023-10-31', 'f', '[]', '{}', false)"
        )
    upgrade(store.engine)
    with store.transaction() as session:
        assert session.get(Plan, "kh-399").escalation == {}
        sync_catalogue(session, real_catalogue)
    with store.session() as session:
        assert session.get(Plan, "kh-399").escalation["level2_after"] == 10
