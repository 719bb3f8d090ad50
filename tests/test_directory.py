"""The directory: units and obligations read once per run, escalation chains walked in memory."""

from __future__ import annotations

from sqlalchemy import event, update

from plantrack.directory import Directory
from plantrack.store.models import Unit


def add_units(store, rows):
    with store.transaction() as session:
        for unit_id, parent, retired, contacts in rows:
            session.add(Unit(id=unit_id, registry_id="t", name=f"Đơn vị {unit_id}", short_name=None, kind="department",
                             escalates_to_id=parent, contacts=contacts, retired=retired))


def count_selects(store):
    seen = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda *args: seen.append(args[2]) if args[2].lstrip().upper().startswith("SELECT") else None)
    return seen


def test_the_chain_stops_at_a_retired_unit_and_at_the_top(store):
    add_units(store, [
        ("top", None, False, {"to": ["top@example.vn"]}),
        ("office", "top", False, {"to": ["office@example.vn"], "channels": ["json://localhost/hook"]}),
        ("unit", "office", False, {"to": ["unit@example.vn"], "cc": ["lead@example.vn"]}),
        ("old-office", "top", True, {"to": ["old@example.vn"]}),
        ("orphan", "old-office", False, {}),
    ])
    directory = Directory()
    with store.session() as session:
        directory.chains(session, {"unit", "orphan", "nowhere"})
    assert [directory.recipient("unit", level) for level in range(4)] == ["unit", "office", "top", None]
    # A retired office breaks the chain: no one is told rather than the wrong one.
    assert [directory.recipient("orphan", level) for level in range(3)] == ["orphan", None, None]
    assert directory.recipient("nowhere", 0) is None and directory.unit("nowhere") is None
    office = directory.unit("office")
    assert office.channels == ("email", "url:0") and office.urls == ("json://localhost/hook",)
    assert directory.unit("unit").cc == ("lead@example.vn",) and directory.unit("orphan").channels == ()
    assert directory.unit("unit").name == "Đơn vị unit" == directory.unit("unit").listed_name


def test_each_unit_is_read_once_and_a_new_directory_sees_changes(store):
    add_units(store, [("a", None, False, {"to": ["a@example.vn"]}), ("b", "a", False, {"to": ["b@example.vn"]})])
    directory = Directory()
    selects = count_selects(store)
    with store.session() as session:
        assert set(directory.units(session, ["a", "b"])) == {"a", "b"}
        read_first = len(selects)
        assert set(directory.units(session, ["b", "missing"])) == {"b"}  # only "missing" is looked up
        assert set(directory.units(session, ["a", "b", "missing"])) == {"a", "b"}
        assert len(selects) == read_first + 1
        directory.chains(session, ["b"])  # b and a are read: nothing to ask
        directory.chains(session, ["b"])
        assert len(selects) == read_first + 1 and directory.recipient("b", 1) == "a"
    with store.transaction() as session:
        session.execute(update(Unit).where(Unit.id == "b").values(contacts={"to": ["new@example.vn"]}))
    with store.session() as session:
        assert directory.units(session, ["b"])["b"].to == ("b@example.vn",)  # what this run read
        assert Directory().units(session, ["b"])["b"].to == ("new@example.vn",)
