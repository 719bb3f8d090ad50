"""Undeliverable notices across units on the home and plan pages: count, list, and a retry
button for a coordinator (CSRF-checked), within the account's scope. Served by uvicorn, read
over plain HTTP, on SQLite and PostgreSQL (fixtures of test_dashboard)."""

import httpx
from sqlalchemy import select, update

from plantrack.accounts import account_scope
from plantrack.store.models import Account, Notice, Occurrence

from .test_dashboard import NOW, csrf_of, hanoi, server, sign_in  # noqa: F401 (fixtures)


def _give_up(store) -> tuple[list[int], int]:
    """Three sent notices made undeliverable: two within the Hà Nội coordinator's units, one outside."""
    with store.transaction() as session:
        scope = account_scope(session, session.get(Account, "hanoi"))
        rows = session.execute(
            select(Notice.id, Notice.recipient_id, Occurrence.unit_id).join(Occurrence, Notice.occurrence_id == Occurrence.id)
            .where(Notice.state == "sent").order_by(Notice.id)
        ).all()
        inside = [r.id for r in rows if scope.unit(r.recipient_id)][:2]
        elsewhere = next(o for o in session.scalars(select(Occurrence).order_by(Occurrence.id)) if not scope.unit(o.unit_id))
        notice = Notice(occurrence_id=elsewhere.id, stage="reminder-1", deadline=elsewhere.current_due_date, level=0,
                        recipient_id=elsewhere.unit_id, channel="email", planned_on=NOW.date(), created_at=NOW,
                        state="undeliverable", attempts=1, next_attempt_at=NOW, result="550 5.1.1 no such user")
        session.add(notice)
        session.flush()
        outside = notice.id
        session.execute(update(Notice).where(Notice.id.in_(inside)).values(
            state="undeliverable", sent_at=None, result="550 5.1.1 no such user"))
    return inside, outside


def test_home_and_plan_pages_list_undeliverable_notices_and_retry_them(server, hanoi):  # noqa: F811
    inside, outside = _give_up(hanoi)
    with httpx.Client(base_url=server) as viewer:
        sign_in(viewer, "xem")
        home = viewer.get("/")
        assert "Thông báo không gửi được (3)" in home.text  # a viewer of everything sees all three
        assert "retry-undeliverable" not in home.text  # and no button
    with httpx.Client(base_url=server) as coordinator:
        sign_in(coordinator, "hanoi")
        home = coordinator.get("/")
        assert "Thông báo không gửi được (2)" in home.text
        assert all(f'data-notice="{i}"' in home.text for i in inside) and f'data-notice="{outside}"' not in home.text
        assert 'id="retry-undeliverable"' in home.text
        with hanoi.session() as session:
            plan_id = session.get(Notice, inside[0]).occurrence.obligation.plan_id
        plan_page = coordinator.get(f"/ke-hoach/{plan_id}")
        assert f'data-notice="{inside[0]}"' in plan_page.text and f'data-notice="{outside}"' not in plan_page.text
        refused = coordinator.post("/dieu-phoi/gui-lai-khong-gui-duoc", data={"plan": ""})
        assert refused.status_code == 403 and "CSRF" in refused.text
        done = coordinator.post("/dieu-phoi/gui-lai-khong-gui-duoc", data={"plan": "", "csrf": csrf_of(home.text)},
                                follow_redirects=True)
        assert done.status_code == 200 and "Đã đưa 2 thông báo không gửi được về hàng chờ" in done.text
        assert "Thông báo không gửi được" not in done.text.split('id="notice"', 1)[1]
    with hanoi.session() as session:
        states = dict(session.execute(select(Notice.id, Notice.state).where(Notice.id.in_([*inside, outside]))).all())
    assert states == {inside[0]: "pending", inside[1]: "pending", outside: "undeliverable"}


def test_the_list_reads_the_partial_index_of_undeliverable_notices_on_sqlite(synced):
    """The query the pages run searches ix_notice_undeliverable, not the whole outbox."""
    import pytest
    from sqlalchemy import event

    from plantrack.undeliverable import undeliverable

    from .test_notices import D, run_watch, sqlite_plan

    if synced.engine.dialect.name != "sqlite":
        pytest.skip("query plans of tiny PostgreSQL tables prefer sequential scans; checked on SQLite")
    run_watch(synced, D(2020, 11, 9))
    with synced.transaction() as session:
        session.execute(update(Notice).where(Notice.recipient_id == "t.alpha").values(state="undeliverable"))
    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "'undeliverable'" in statement:
            statements.append((statement, parameters))

    event.listen(synced.engine, "before_cursor_execute", keep)
    try:
        with synced.session() as session:
            count, rows = undeliverable(session, lambda unit_id: True)
    finally:
        event.remove(synced.engine, "before_cursor_execute", keep)
    assert count == 1 and rows[0].recipient_id == "t.alpha" and rows[0].recipient_name
    plan = sqlite_plan(synced, *statements[0])
    assert "notice USING INDEX ix_notice_undeliverable" in plan, plan  # the partial index: only the given-up rows
