"""Speed where people wait: the catalogue read through the C parser and kept while its files are
unchanged, and `plantrack import` started without the store. A kept catalogue is read again
when a file changes (its time or its size); a broken file still names its line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from plantrack import catalogue_cache
from plantrack.catalogue_cache import cached_catalogue
from plantrack.errors import DefinitionError
from plantrack.loader import load_catalogue
from plantrack.yamlfile import _plain, locate, locate_node, node_tree, round_trip_tree

from .conftest import DEFINITIONS, ROOT


@pytest.fixture(autouse=True)
def nothing_kept():
    catalogue_cache.clear()
    yield
    catalogue_cache.clear()


@pytest.fixture
def loads(monkeypatch):
    """How many times the files were loaded (not taken from a cache)."""
    count = []
    real = catalogue_cache.load_catalogue
    monkeypatch.setattr(catalogue_cache, "load_catalogue", lambda *folders: count.append(1) or real(*folders))
    return count


def retitle(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_kept_catalogue_is_read_again_when_a_file_changes_its_size(mini_dir, loads):
    first = cached_catalogue(mini_dir)
    assert cached_catalogue(mini_dir) is first and len(loads) == 1
    retitle(mini_dir / "plan.yaml", "Kế hoạch thử nghiệm", "Kế hoạch thử nghiệm lần hai")
    second = cached_catalogue(mini_dir)
    assert len(loads) == 2 and second.plans["t-plan"].plan.title == "Kế hoạch thử nghiệm lần hai"


def test_a_kept_catalogue_is_read_again_when_a_file_of_the_same_size_is_touched(mini_dir, loads):
    plan = mini_dir / "plan.yaml"
    cached_catalogue(mini_dir)
    retitle(plan, "Kế hoạch thử nghiệm", "Kế hoạch thử nghiệP")  # one letter for another: the same size
    stat = plan.stat()
    os.utime(plan, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert cached_catalogue(mini_dir).plans["t-plan"].plan.title == "Kế hoạch thử nghiệP" and len(loads) == 2


def test_a_file_added_to_the_folder_is_a_new_catalogue(mini_dir, loads):
    cached_catalogue(mini_dir)
    (mini_dir / "more.yaml").write_text((mini_dir / "plan.yaml").read_text(encoding="utf-8")
                                        .replace("id: t-plan", "id: t-plan-2").replace("1/KH-TEST", "2/KH-TEST"), encoding="utf-8")
    assert "t-plan-2" in cached_catalogue(mini_dir).plans and len(loads) == 2


def test_the_disk_cache_serves_a_new_process_and_is_not_trusted_once_a_file_changed(mini_dir, tmp_path, loads):
    cache = tmp_path / "cache"
    cached_catalogue(mini_dir, cache_dir=cache)
    catalogue_cache.clear()  # as a new process would start
    again = cached_catalogue(mini_dir, cache_dir=cache)
    assert len(loads) == 1 and again.plans["t-plan"].plan.number == "1/KH-TEST"
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    retitle(mini_dir / "plan.yaml", "Kế hoạch thử nghiệm", "Kế hoạch đã sửa")
    catalogue_cache.clear()
    assert cached_catalogue(mini_dir, cache_dir=cache).plans["t-plan"].plan.title == "Kế hoạch đã sửa" and len(loads) == 2


def test_a_cache_folder_others_may_write_is_not_read(mini_dir, tmp_path, loads):
    cache = tmp_path / "shared"
    cached_catalogue(mini_dir, cache_dir=cache)
    cache.chmod(0o777)
    catalogue_cache.clear()
    cached_catalogue(mini_dir, cache_dir=cache)
    assert len(loads) == 2


def test_a_broken_file_names_its_line_after_its_catalogue_was_kept(mini_dir):
    cached_catalogue(mini_dir)
    plan = mini_dir / "plan.yaml"
    retitle(plan, "      before: 2020-11-16", "      before: 2020-13-16")
    with pytest.raises(DefinitionError) as caught:
        cached_catalogue(mini_dir)
    [problem] = caught.value.problems
    line = next(n for n, text in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1) if "2020-13-16" in text)
    assert (problem.path, problem.line, problem.field) == (plan, line, "obligations[0].due.before")


def test_a_problem_across_files_names_the_same_line_read_fast_or_round_trip(mini_dir):
    plan = mini_dir / "plan.yaml"
    retitle(plan, "    support: [t.office]", "    support: [t.nowhere]")
    found = {}
    for fast in (True, False):
        with pytest.raises(DefinitionError) as caught:
            load_catalogue(mini_dir, fast=fast)
        found[fast] = [(p.path, p.line, p.field, p.message) for p in caught.value.problems]
    line = next(n for n, text in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1) if "t.nowhere" in text)
    assert found[True] == found[False] and found[True][0][1] == line


def test_the_fast_reading_gives_the_round_trip_tree_and_lines():
    """Every file of plan_definitions: the same values, and every field's line the same."""
    from plantrack.yamlfile import _fast_yaml

    def paths(tree, prefix=()):
        yield prefix
        items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
        for key, value in items:
            yield from paths(value, (*prefix, key))

    files = sorted(DEFINITIONS.rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        slow = round_trip_tree(text)
        assert _plain(_fast_yaml().load(text)) == _plain(slow), path
        nodes = node_tree(text)
        for loc in paths(_plain(slow)):
            assert locate_node(nodes, loc) == locate(slow, loc), (path, loc)


def test_every_command_is_where_the_lazy_start_looks_for_it():
    from plantrack.cli import COMMANDS, app

    registered = {(c.name or c.callback.__name__.replace("_", "-")): c.callback.__module__.rsplit(".", 1)[1] for c in app.registered_commands}
    registered.update({g.name: g.typer_instance.registered_commands[0].callback.__module__.rsplit(".", 1)[1] for g in app.registered_groups})
    assert registered == COMMANDS


def test_plantrack_import_starts_without_the_store_prefect_or_workbooks(tmp_path):
    document = tmp_path / "5.txt"
    document.write_text("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n\nSố: 5/KH-UBND\n\nNghệ An, ngày 01 tháng 12 năm 2025\n\nKẾ HOẠCH\n"
                        "ĐỐI NGOẠI NĂM 2026\n\nII. NHIỆM VỤ\n\n1. Sở Ngoại vụ chủ trì, báo cáo trước ngày 15/01/2026.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANTRACK_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "plantrack.cli", "import", str(document), "-o", str(tmp_path / "d"),
                           "--registry", str(DEFINITIONS)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Drafted 5/KH-UBND" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "plantrack.importer.units" in imported and not {"sqlalchemy", "prefect", "openpyxl"} & imported


def test_plantrack_help_lists_every_command_without_importing_the_store():
    from plantrack.cli import COMMANDS

    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "plantrack.cli", "--help"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert all(name in done.stdout for name in COMMANDS)
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert not {"sqlalchemy", "prefect", "openpyxl", "holidays", "pydantic"} & imported
