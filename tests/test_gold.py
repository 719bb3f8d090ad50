"""The importer's gold set (bench/gold): every file has the documented shape, and the two halves
are the ones fixed when it was made (a rule may be tuned on the first only)."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT))

from bench.gold import GOLD_DIR, name_key  # noqa: E402
from bench.gold_check import main as check  # noqa: E402

TUNING = {"09daab284f92e2dd_141-KH-UBND", "192068354fd1ffe5_552-KH-UBND", "24701a1c97c8c368_634-TB-VPCP",
          "2957e4f4f0e41373_0125-KH-UBND", "2edf5927c71bc4c1_2629-QD-TTg"}


def test_every_gold_file_has_the_documented_shape_and_its_half(capsys):
    import yaml

    paths = sorted(GOLD_DIR.glob("*.yaml"))
    assert len(paths) == 16
    if not (ROOT.parent / "shared" / "corpus").exists():
        pytest.skip("the corpus of ../shared is not on this machine")
    assert check([str(p) for p in paths]) == 0, capsys.readouterr().out
    halves = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["half"] for p in paths}
    assert {s for s, h in halves.items() if h == "tuning"} == TUNING
    assert sum(h == "checking" for h in halves.values()) == 11


@pytest.mark.parametrize("one, other", [
    ("Sở Y tế", "Sở Y tế tỉnh Gia Lai"), ("Công an tỉnh", "Công an tỉnh Lâm Đồng"), ("UBND tỉnh", "Ủy ban nhân dân tỉnh Sơn La"),
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"), ("UBND các xã, phường, đặc khu", "Ủy ban nhân dân cấp xã"),
    ("các sở, ban, ngành", "Các sở, ban, ngành tỉnh Đồng Tháp"), ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
])
def test_the_bench_compares_a_body_by_its_name_not_its_spelling(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize("one, other", [("Sở Y tế", "Sở Tài chính"), ("Bộ Công an", "Công an tỉnh"),
                                        ("UBND các xã, phường", "các sở, ban, ngành"), ("Bộ Công Thương", "Sở Công Thương")])
def test_the_bench_keeps_different_bodies_apart(one, other):
    assert name_key(one) != name_key(other)
