"""The sync flow under Prefect (one ephemeral test server for the whole session)."""

import os

import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.sync_plans import sync_plans
from plantrack.store.database import Store
from plantrack.tracking import status_rows

from .conftest import DEFINITIONS, vn

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_sync_flow_loads_the_plans_and_is_idempotent(prefect_server, tmp_path):
    url = f"sqlite:///{tmp_path}/flow.db"
    first = sync_plans(definitions=[str(DEFINITIONS)], database_url=url)
    assert first["unit"]["added"] == 3968 and first["occurrence"]["added"] > 1000
    second = sync_plans(definitions=[str(DEFINITIONS)], database_url=url)
    assert all(v == {"added": 0, "changed": 0, "retired": 0} for v in second.values())
    store = Store(url)
    with store.session() as session:
        assert len([r for r in status_rows(session, vn(2020, 11, 20), plan="hn-cv-1030")]) == 43
    store.dispose()


def test_a_broken_plan_file_fails_the_flow_at_once_and_writes_nothing(prefect_server, tmp_path, mini_dir):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from .test_loader import edit

    edit(mini_dir / "plan.yaml", "  issued_on: 2020-11-05", "  issued_on: 2020-11-32")
    url = f"sqlite:///{tmp_path}/broken.db"
    state = sync_plans(definitions=[str(mini_dir)], database_url=url, return_state=True)
    assert state.is_failed()
    assert "plan.issued_on" in str(state.result(raise_on_failure=False))
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    assert [run.run_count for run in runs] == [1]  # not retried: retrying cannot mend a file
    store = Store(url)
    with store.session() as session:
        assert status_rows(session, vn(2021, 1, 1)) == []
    store.dispose()


def test_the_watch_flow_writes_sends_and_publishes_an_artifact(prefect_server, tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client

    from flows.notices import deadline_watch, dispatch_notices
    from notifications.sink import SmtpSink

    url = f"sqlite:///{tmp_path}/watch.db"
    sync_plans(definitions=[str(DEFINITIONS)], database_url=url)
    with SmtpSink() as sink:
        monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
        first = deadline_watch(as_of="2020-11-09T07:30:00+07:00", database_url=url, smtp_secret_block=None)
        again = deadline_watch(as_of="2020-11-09T07:30:00+07:00", database_url=url, smtp_secret_block=None)
        retry = dispatch_notices(as_of="2020-11-09T08:00:00+07:00", database_url=url, smtp_secret_block=None)
    assert first["watch"]["notices_created"] == 43 and first["dispatch"]["messages_sent"] == 43
    assert again["watch"]["notices_created"] == 0 and again["dispatch"]["messages_sent"] == 0
    assert retry["messages_sent"] == 0
    assert sink.count == 43
    assert all(m["Subject"].startswith("V/v đôn đốc thực hiện Công văn số 1030") for m in sink.messages)
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
        (watch_artifact,) = [a for a in artifact if a.key == "deadline-watch"]
    assert "sắp đến hạn / due soon | 43" in watch_artifact.data
    assert "thư đã gửi / messages sent | 0" in watch_artifact.data  # the latest run: nothing new


def test_the_progress_report_flow_writes_files_publishes_and_mails_them(prefect_server, tmp_path, monkeypatch):
    """Hà Nội plan 03 as of 20/11/2020, after the watches of that week: the 1030 laggards."""
    import openpyxl
    from prefect.client.orchestration import get_client

    from flows.notices import deadline_watch
    from flows.progress_report import progress_report
    from notifications.sink import SmtpSink

    url = f"sqlite:///{tmp_path}/report.db"
    sync_plans(definitions=[str(DEFINITIONS)], database_url=url)
    with SmtpSink() as sink:
        monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
        deadline_watch(as_of="2020-11-17T07:30:00+07:00", database_url=url, smtp_secret_block=None)
        before = sink.count
        result = progress_report(plan="hn-kh-03", as_of="2020-11-20", output_dir=str(tmp_path / "reports"),
                                 database_url=url, smtp_secret_block=None)
    assert result["overdue"] == 43  # nobody had sent the 1030 plan in this store
    workbook, page = (tmp_path / "reports" / "bao-cao-tien-do-hn-kh-03-2020-11-20.xlsx",
                      tmp_path / "reports" / "bao-cao-tien-do-hn-kh-03-2020-11-20.html")
    assert result["files"] == [str(workbook), str(page)]
    lagging = list(openpyxl.load_workbook(workbook)["Đơn vị chậm"].iter_rows(min_row=2, values_only=True))
    assert len(lagging) == 43 and all(row[7] == 1 for row in lagging)  # each had the overdue notice of 17/11

    assert sink.count == before + 1
    mail = sink.messages[-1]
    assert mail["Subject"] == "Báo cáo tiến độ thực hiện Kế hoạch số 03/KH-BCĐ389 (số liệu đến ngày 20/11/2020)"
    assert set(sink.envelopes[-1]) == {"truongban.bcd389@hanoi.example", "banchidao389tp@gmail.com", "hanoi.ktph@dms.gov.vn"}
    assert "Quá hạn: 43" in mail.get_body(("plain",)).get_content()
    names = sorted(part.get_filename() for part in mail.iter_attachments())
    assert names == ["bao-cao-tien-do-hn-kh-03-2020-11-20.html", "bao-cao-tien-do-hn-kh-03-2020-11-20.xlsx"]
    attached = next(p for p in mail.iter_attachments() if p.get_filename().endswith(".xlsx")).get_content()
    assert attached == workbook.read_bytes()
    with get_client(sync_client=True) as client:
        (artifact,) = [a for a in client.read_latest_artifacts() if a.key == "progress-hn-kh-03"]
    assert "| Quá hạn / overdue | 43 |" in artifact.data


def test_every_deployment_names_a_flow_its_parameters_and_valid_schedules():
    import importlib
    import inspect

    from croniter import croniter
    from ruamel.yaml import YAML

    spec = YAML(typ="safe").load((DEFINITIONS.parent / "prefect.yaml").read_text(encoding="utf-8"))
    names = [d["name"] for d in spec["deployments"]]
    assert {"sync-plans", "deadline-watch", "dispatch-notices", "national-399", "hanoi-03"} <= set(names)
    for deployment in spec["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        flow = getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)
        accepted = inspect.signature(flow.fn).parameters
        assert set(deployment.get("parameters", {})) <= set(accepted), deployment["name"]
        for schedule in deployment["schedules"]:
            assert croniter.is_valid(schedule["cron"]) and schedule["timezone"] == "Asia/Ho_Chi_Minh"


def test_the_flows_keep_to_working_days_and_say_why_they_did_nothing(prefect_server, tmp_path, monkeypatch):
    """01/01/2021 (a public holiday) and a Saturday: no watch, and pending notices are not sent."""
    from prefect.client.orchestration import get_client

    from flows.notices import deadline_watch, dispatch_notices
    from notifications.sink import SmtpSink

    url = f"sqlite:///{tmp_path}/calendar.db"
    sync_plans(definitions=[str(DEFINITIONS)], database_url=url)
    with SmtpSink() as sink:
        monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
        deadline_watch(as_of="2020-11-09T07:30:00+07:00", database_url=url, smtp_secret_block=None, send=False)
        holiday = deadline_watch(as_of="2021-01-01T07:30:00+07:00", database_url=url, smtp_secret_block=None)
        saturday = dispatch_notices(as_of="2020-11-14T09:00:00+07:00", database_url=url, smtp_secret_block=None)
        assert sink.count == 0  # 43 notices pending, none sent on a rest day
        monday = dispatch_notices(as_of="2020-11-16T08:00:00+07:00", database_url=url, smtp_secret_block=None)
    assert holiday == {"skipped": "public holiday: New Year's Day"}
    assert saturday == {"skipped": "weekly rest day (Saturday)"}
    assert monday["messages_sent"] == 43 and sink.count == 43
    with get_client(sync_client=True) as client:
        artifacts = [a for a in client.read_artifacts() if a.key in ("deadline-watch", "dispatch-notices")]
    texts = [a.data for a in artifacts]
    assert any("Không chạy: hôm nay 01/01/2021 là ngày lễ, Tết" in t for t in texts)
    assert any("Không chạy: hôm nay 14/11/2020 là ngày nghỉ hằng tuần" in t for t in texts)


def test_a_dispatch_that_gives_notices_up_fails_its_run(prefect_server, tmp_path, monkeypatch):
    from flows.notices import dispatch_notices
    from notifications.sink import SmtpSink

    url = f"sqlite:///{tmp_path}/refused.db"
    sync_plans(definitions=[str(DEFINITIONS)], database_url=url)
    from flows.notices import deadline_watch

    deadline_watch(as_of="2020-11-09T07:30:00+07:00", database_url=url, smtp_secret_block=None, send=False)
    with SmtpSink() as sink:
        sink.data_answer = "554 5.7.1 rejected"
        monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
        state = dispatch_notices(as_of="2020-11-09T08:00:00+07:00", database_url=url, smtp_secret_block=None,
                                 return_state=True)
    assert state.is_failed()
    assert "43 message(s) failed and 0 sent" in str(state.result(raise_on_failure=False))


def test_a_dispatch_that_sends_some_and_fails_others_fails_its_run_after_its_artifact(prefect_server, tmp_path, monkeypatch):
    """One address answers 450 and the 42 others take their reminders: the run is Failed, not
    Completed with a failure artifact; the artifact is written first and says what failed."""
    from prefect.client.orchestration import get_client
    from sqlalchemy import select

    from flows.notices import deadline_watch, dispatch_notices
    from notifications.sink import SmtpSink
    from plantrack.store.models import Notice

    url = f"sqlite:///{tmp_path}/partial.db"
    sync_plans(definitions=[str(DEFINITIONS)], database_url=url)
    deadline_watch(as_of="2020-11-09T07:30:00+07:00", database_url=url, smtp_secret_block=None, send=False)
    store = Store(url)
    try:
        with store.session() as session:
            address = session.scalars(select(Notice).order_by(Notice.id)).first().recipient.contacts["to"][0]
    finally:
        store.dispose()
    with SmtpSink() as sink:
        sink.rcpt_answers[address] = "450 4.2.1 mailbox busy"
        monkeypatch.setenv("PLANTRACK_SMTP_URL", sink.url())
        state = dispatch_notices(as_of="2020-11-09T08:00:00+07:00", database_url=url, smtp_secret_block=None,
                                 return_state=True)
    assert sink.count == 42
    assert state.is_failed()
    assert "1 message(s) failed and 42 sent" in str(state.result(raise_on_failure=False))
    with get_client(sync_client=True) as client:
        (artifact,) = [a for a in client.read_latest_artifacts() if a.key == "dispatch-notices"]
    assert "thư đã gửi / messages sent | 42" in artifact.data and f"{address}: 450 4.2.1" in artifact.data
