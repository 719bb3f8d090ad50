"""Bad command lines and broken stores: a clear message and exit code 2, never a traceback,
and nothing written. Each case runs the real console script in a fresh process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from plantrack.store.database import Store
from plantrack.store.models import Occurrence, Plan, Submission, Unit

from .conftest import DEFINITIONS, MINI

PG_URL = os.environ.get("PLANTRACK_TEST_POSTGRES_URL")


def plantrack(*args, cwd=None, env=None):
    result = subprocess.run([sys.executable, "-m", "plantrack.cli", *map(str, args)], capture_output=True, text=True, timeout=120,
                            cwd=cwd, env={**os.environ, **(env or {})})
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


@pytest.fixture
def mini_store(tmp_path):
    url = f"sqlite:///{tmp_path}/store.db"
    result = plantrack("sync", MINI, "--db", url)
    assert result.returncode == 0, result.stderr
    return url


def counts(url):
    store = Store(url)
    try:
        with store.session() as session:
            return {m.__tablename__: session.scalar(select(func.count()).select_from(m).where(*([m.retired.is_(False)] if hasattr(m, "retired")
                                                                                                   else [])))
                    for m in (Unit, Plan, Occurrence, Submission)}
    finally:
        store.dispose()


def test_stores_that_cannot_be_used_get_a_message(tmp_path, mini_store):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database, only some bytes " * 100)
    cases = [
        (f"sqlite:///{garbage}", "not a SQLite database"),
        ("not-a-url", "not a database URL"),
        ("foo://somewhere/x", "not a database URL"),
        ("postgresql://postgres@127.0.0.1:1/test", "cannot reach the database"),
        (f"sqlite:///{tmp_path}/no/such/../../{garbage.name}/x.db", "cannot be opened"),
    ]
    for url, says in cases:
        result = plantrack("status", "--db", url)
        assert result.returncode == 2 and says in result.stderr, (url, result.stderr)
    read_only = mini_store.replace("sqlite:///", "sqlite:///file:") + "?mode=ro&uri=true"
    assert plantrack("status", "--db", read_only).returncode == 0  # reading a read-only store works
    result = plantrack("request", "--plan", "t-plan", "--unit", "t.alpha", "--title", "Báo cáo nhanh", "--db", read_only)
    assert result.returncode == 2 and "read-only" in result.stderr, result.stderr


def test_run_time_values_are_checked(mini_store):
    before = counts(mini_store)
    target = ["--plan", "t-plan", "--obligation", "ke-hoach", "--unit", "t.alpha"]
    cases = [
        (["explain", "--occurrence", "99999999999999999999", "--db", mini_store], "Invalid value"),
        (["request", "--plan", "t-plan", "--unit", "t.alpha", "--title", "X", "--working-days", "0", "--db", mini_store], "Invalid value"),
        (["submit", *target, "--date", "2099-01-01", "--db", mini_store], "in the future"),
        (["submit", *target, "--date", "2020-01-02", "--db", mini_store], "before the plan was issued"),
        (["submit", "--plan", "t-plan", "--obligation", "bao-cao-6-thang", "--unit", "t.alpha", "--period", "2023-H1",
          "--date", "2021-01-05", "--db", mini_store], "before this period opens"),
        (["submit", *target, "--number", "1/" + "X" * 10000, "--date", "2020-11-10", "--db", mini_store], "at most 100"),
        (["submit", *target, "--number", "1/KH\r\nX", "--date", "2020-11-10", "--db", mini_store], "one line"),
        (["submit", *target, "--note", "ghi\x1b[31mchú", "--date", "2020-11-10", "--db", mini_store], "control characters"),
        (["extend", *target, "--new-date", "2030-01-01", "--reason", "x", "--approver", "y", "--db", mini_store], "more than a year"),
        (["request", "--plan", "t-plan", "--unit", "t.alpha", "--title", "=cmd|' /C calc'!A0\nX", "--db", mini_store], "one line"),
        (["notices", "--state", "lost", "--db", mini_store], "is not one of"),
        (["account", "add", "--login", "Người Dùng", "--name", "x", "--db", mini_store], "a login has"),
    ]
    for args, says in cases:
        result = plantrack(*args, env={"PLANTRACK_ACCOUNT_PASSWORD": "mot-mat-khau-dai"})
        assert result.returncode == 2 and says in result.stderr + result.stdout, (args, result.stderr)
    assert counts(mini_store) == before
    done = plantrack("submit", *target, "--date", "2020-11-13", "--number", "12/KH", "--db", mini_store)
    assert done.returncode == 0 and "on time" in done.stdout


def test_an_empty_or_missing_plans_folder_retires_nothing(tmp_path):
    url = f"sqlite:///{tmp_path}/store.db"
    assert plantrack("sync", DEFINITIONS, "--db", url).returncode == 0
    before = counts(url)
    empty = tmp_path / "empty"
    empty.mkdir()
    warned = plantrack("validate", empty)
    assert warned.returncode == 1 and "no plan" in warned.stderr
    partial = tmp_path / "partial"
    shutil.copytree(DEFINITIONS, partial)
    shutil.rmtree(partial / "plans" / "hanoi")
    for folder in (empty, partial, tmp_path / "missing"):
        refused = plantrack("sync", folder, "--db", url)
        assert refused.returncode == 2, refused.stderr
    assert "would retire 3 plan(s): hn-cv-1030, hn-cv-2860, hn-kh-03" in plantrack("sync", partial, "--db", url).stderr
    assert counts(url) == before

    upper = tmp_path / "upper"  # a file named .YAML, and a plans folder that is a symbolic link
    shutil.copytree(DEFINITIONS, upper, ignore=shutil.ignore_patterns("plans"))
    (upper / "linked-plans").symlink_to(DEFINITIONS / "plans", target_is_directory=True)
    registry = upper / "registries" / "hanoi.yaml"
    registry.rename(registry.with_suffix(".YAML"))
    same = plantrack("sync", upper, "--db", url)
    assert same.returncode == 0 and "nothing changed" in same.stdout, same.stdout + same.stderr

    retired = plantrack("sync", partial, "--allow-retire", "--db", url)
    assert retired.returncode == 0 and "retired plan:" in retired.stdout.replace("\n", " ")
    assert all(plan in retired.stdout for plan in ("hn-cv-1030", "hn-cv-2860", "hn-kh-03"))
    assert counts(url)["plan"] == before["plan"] - 3


def test_a_huge_plan_file_is_refused_before_it_is_read(tmp_path):
    folder = tmp_path / "defs"
    shutil.copytree(MINI, folder)
    with open(folder / "plan.yaml", "a", encoding="utf-8") as handle:
        handle.write(("# " + "x" * 1000 + "\n") * 50_000)  # 50 MB
    result = plantrack("validate", folder)
    assert result.returncode == 2 and "a definition file has at most" in result.stderr
