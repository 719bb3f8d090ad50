"""The production path under a real Prefect server: ``python -m flows.stack up`` starts
``prefect server start`` (own PREFECT_HOME, a free port), creates the pool, deploys
``prefect.yaml`` and starts a process worker. The server's scheduler must create scheduled runs
for every deployment at the local times of its cron schedules, and the worker must complete a
run of ``deadline-watch`` and of ``dispatch-notices`` that mail a real SMTP sink.
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from ruamel.yaml import YAML

from flows.stack import api
from notifications.sink import SmtpSink
from plantrack.loader import load_catalogue
from plantrack.store.database import Store
from plantrack.store.sync import sync_catalogue

from .conftest import DEFINITIONS, ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    database = f"sqlite:///{home}/plantrack.db"
    store = Store(database)
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(DEFINITIONS))
    store.dispose()
    sink = SmtpSink().start()
    port = _free_port()
    env = {
        "PLANTRACK_DATABASE_URL": database,
        "PLANTRACK_SMTP_URL": sink.url(),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",  # the default is 60 s
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_WORKER_PREFETCH_SECONDS": "5",
    }
    import os

    full_env = {**os.environ, **env}
    up = subprocess.run(
        [sys.executable, "-m", "flows.stack", "up", "--home", str(home), "--port", str(port)],
        cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=300,
    )
    try:
        assert up.returncode == 0, up.stderr + (home / "steps.log").read_text(errors="replace")[-3000:]
        yield port, sink, database
    finally:
        subprocess.run([sys.executable, "-m", "flows.stack", "down", "--home", str(home)], cwd=ROOT, env=full_env, timeout=60)
        sink.stop()


def _deployments(port: int) -> dict[str, dict]:
    return {d["name"]: d for d in api(port, "deployments/filter", {})}


def _scheduled(port: int) -> list[dict]:
    return api(port, "flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}, "limit": 200})


def test_the_scheduler_creates_runs_for_every_deployment_at_its_local_times(stack):
    port, _, _ = stack
    declared = {d["name"]: d for d in YAML(typ="safe").load((ROOT / "prefect.yaml").read_text())["deployments"]}
    deployments = _deployments(port)
    assert set(deployments) == set(declared)
    by_id = {d["id"]: name for name, d in deployments.items()}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        runs = _scheduled(port)
        if {by_id.get(r["deployment_id"]) for r in runs} >= set(declared):
            break
        time.sleep(1)
    assert {by_id.get(r["deployment_id"]) for r in runs} >= set(declared), "the scheduler made no run for some deployment"
    for run in runs:
        name = by_id[run["deployment_id"]]
        schedules = declared[name]["schedules"]
        start = dt.datetime.fromisoformat(run["expected_start_time"].replace("Z", "+00:00"))
        local = start.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        assert any(croniter.match(s["cron"], local.replace(tzinfo=None)) for s in schedules), (name, local)
        assert all(s["timezone"] == "Asia/Ho_Chi_Minh" for s in schedules)
    assert not [r for r in runs if by_id[r["deployment_id"]] == "dispatch-notices"
                and dt.datetime.fromisoformat(r["expected_start_time"].replace("Z", "+00:00"))
                .astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M") == "07:30"], "two dispatchers at 07:30"


def _run_and_wait(port: int, deployment: dict, parameters: dict, timeout: float = 240) -> dict:
    run = api(port, f"deployments/{deployment['id']}/create_flow_run", {"parameters": parameters})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api(port, f"flow_runs/{run['id']}")["state"]
        if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return state
        time.sleep(1)
    raise AssertionError(f"{deployment['name']} did not finish within {timeout} s (last state {state['type']})")


def test_the_worker_runs_the_watch_and_the_dispatch_and_mail_arrives(stack):
    port, sink, _ = stack
    deployments = _deployments(port)
    state = _run_and_wait(port, deployments["deadline-watch"], {"as_of": "2020-11-09T07:30:00+07:00"})
    assert state["type"] == "COMPLETED", state
    assert sink.count == 43  # every Hà Nội unit of Công văn 1030 told once, through the worker's flow
    assert all(m["Subject"].startswith("V/v đôn đốc thực hiện Công văn số 1030") for m in sink.messages)
    state = _run_and_wait(port, deployments["dispatch-notices"], {"as_of": "2020-11-09T08:00:00+07:00"})
    assert state["type"] == "COMPLETED", state
    assert sink.count == 43  # nothing was pending: nothing sent twice
