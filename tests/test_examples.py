"""Plans of 2025 encoded from the corpus (examples/2025): they load with the real registries,
and their occurrences are the ones the texts set."""

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.loader import load_catalogue
from plantrack.rules import expand
from plantrack.store.sync import sync_catalogue
from plantrack.tracking import active_duties

from .conftest import DEFINITIONS, ROOT

EXAMPLES = ROOT / "examples" / "2025"
D = dt.date


def catalogue():
    return load_catalogue(DEFINITIONS, EXAMPLES)


def occurrences(cat, plan_id, key, unit):
    plan = cat.plans[plan_id]
    obligation = next(o for o in plan.obligations if o.id == key)
    return expand(obligation, [unit], cat.plan_period(plan_id), plan.plan.issued_on, cat.plan_calendar(plan_id),
                  cat.resolver(plan_id, ((plan_id, key),)))


def test_dak_lak_0130_daily_reports_run_from_the_issue_to_the_assumed_end():
    cat = catalogue()
    header = cat.plans["dl-kh-0130-2025"].plan
    assert header.period_basis == "assumed" and "states no period" in header.period_note
    daily = occurrences(cat, "dl-kh-0130-2025", "bao-cao-tong-hop-hang-ngay", "dl.syt")
    assert len(daily) == 41 and daily[0].period_key == "2025-11-21" and daily[-1].period_key == "2025-12-31"
    saturday = next(s for s in daily if s.period_key == "2025-11-22")
    assert saturday.deadline.due_date == D(2025, 11, 24)  # art. 148(5): to Monday
    assert cat.groups["dl.communes"] == []  # filled when the communes and wards are registered


def test_dak_lak_0130_duties_run_and_escalate_to_the_plans_office(store):
    with store.transaction() as session:
        sync_catalogue(session, catalogue())
        running = {row.key for row in active_duties(session, D(2025, 11, 25), "dl-kh-0130-2025")}
    assert {"thu-gom-rac-xac-dong-vat", "khoi-thong-thoat-nuoc", "giam-sat-dich-benh"} <= running
    result = CliRunner().invoke(app, ["status", "--plan", "0130/KH-UBND", "--as-of", "2025-11-30", "--summary", "--db", store.url])
    assert result.exit_code == 0 and "0130/KH-UBND" in result.output
    from sqlalchemy import select

    from plantrack.store.models import Notice, Occurrence
    from plantrack.watch import watch

    from .conftest import vn

    with store.transaction() as session:
        watch(session, vn(2025, 11, 26, 7, 30))  # the reports of 21-24/11 are overdue
    with store.session() as session:
        escalated = set(session.execute(
            select(Occurrence.unit_id, Notice.recipient_id).join(Occurrence, Notice.occurrence_id == Occurrence.id)
            .where(Notice.level == 1)
        ).all())
    assert ("dl.ttyt", "dl.syt") in escalated  # the plan's office
    assert ("dl.syt", "vn.province.dak-lak") in escalated  # the office's own lag goes to the head


def test_the_examples_are_shipped_and_valid():
    result = CliRunner().invoke(app, ["validate", str(DEFINITIONS), str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (EXAMPLES / "plans").glob("*.yaml")) and Path(EXAMPLES / "registries").is_dir()


def test_nghe_an_980_task_table_keeps_each_time_as_written():
    cat = catalogue()
    (before,) = occurrences(cat, "na-kh-980-2025", "qd-to-chuc-lai-bch", "na.bchqs")
    # "Trước ngày 30/11/2025": the last day, Saturday 29/11, goes to Monday 01/12 under art. 148(5),
    # a day the text calls too late: reminders say only the text's words.
    assert before.deadline.due_date == D(2025, 12, 1) and before.deadline.phrase == "trước ngày 30/11/2025"
    (year,) = occurrences(cat, "na-kh-980-2025", "sp-tong-dai-112", "na.bchqs")
    assert (year.period_label, year.deadline.due_date) == ("Năm 2025", D(2025, 12, 31))
    assert year.deadline.phrase == "trong Năm 2025 (Thứ Tư)"
    december = occurrences(cat, "na-kh-980-2025", "bc-danh-muc-cong-trinh", "na.bchptds")
    assert [s.period_key for s in december] == ["2025", "2026", "2027"]
    duties = {d.id: d for d in cat.plans["na-kh-980-2025"].duties}
    assert duties["noi-dung-chi"].timeframe.ongoing and duties["dien-tap"].timeframe.until_event == "theo Kế hoạch riêng"


def test_dong_thap_617_quarters_and_twice_yearly_reports():
    cat = catalogue()
    (quarter,) = occurrences(cat, "dt-kh-617-2025", "bo-tieu-chi", "dt.skhcn")
    assert (quarter.period_label, quarter.opens_on, quarter.deadline.due_date) == ("Quí IV-2025", D(2025, 12, 1), D(2025, 12, 31))
    june = occurrences(cat, "dt-kh-617-2025", "bao-cao-thang-6", "dt.so-nganh")
    assert [s.period_key for s in june] == ["2026-06", "2027-06", "2028-06", "2029-06", "2030-06"]
    # "trước ngày 01/6/2026": Sunday 31/05 would be carried to Monday 01/06, which the text calls too late.
    assert june[0].deadline.due_date == D(2026, 6, 1) and june[0].deadline.phrase == "trước ngày 01/06/2026"
    november = occurrences(cat, "dt-kh-617-2025", "bao-cao-thang-11", "dt.so-nganh")
    assert november[0].deadline.due_date == D(2026, 11, 16)  # before Sunday 15/11: Saturday 14/11 → Monday 16/11


def test_can_tho_159_a_cascade_with_a_stated_period():
    cat = catalogue()
    header = cat.plans["ct-kh-159-2025"].plan
    assert header.period_basis == "stated" and header.period.end == D(2025, 12, 31)  # "Từ nay đến hết năm 2025"
    (agencies,) = occurrences(cat, "ct-kh-159-2025", "bao-cao-so-nganh", "ct.so-nganh")
    (city,) = occurrences(cat, "ct-kh-159-2025", "bao-cao-tong-hop", "ct.snnmt")
    assert agencies.deadline.due_date == D(2025, 12, 22)  # Saturday 20/12 → Monday
    assert city.deadline.due_date == D(2025, 12, 29)  # five working days after the agencies'
    assert "sau hạn của “Báo cáo công tác truyền thông" in city.deadline.steps[0].vi


def test_vn_2530_the_prime_ministers_table_keeps_its_windows_and_its_yearly_report(store):
    cat = catalogue()
    (decree,) = occurrences(cat, "vn-qd-2530-2025", "nghi-dinh-xlvp", "vn.bnnmt")
    assert (decree.opens_on, decree.deadline.due_date, decree.deadline.phrase) == (D(2026, 1, 1), D(2026, 3, 31), "trong quý I năm 2026 (Thứ Ba)")
    (relocation,) = occurrences(cat, "vn-qd-2530-2025", "di-doi-co-so", "vn.province.ha-noi")
    assert relocation.deadline.due_date == D(2029, 12, 31)  # "Trước năm 2030"
    duties = {d.id: d for d in cat.plans["vn-qd-2530-2025"].duties}
    assert duties["a7-thanh-tra"].timeframe.ongoing and duties["b1-chat-thai-xay-dung"].timeframe.start == D(2027, 1, 1)
    from sqlalchemy import func, select

    from plantrack.store.models import Obligation, Occurrence

    with store.transaction() as session:
        sync_catalogue(session, cat)
    with store.session() as session:
        def owed(key):
            return session.execute(
                select(Occurrence.unit_id, Occurrence.period_key, Occurrence.due_date).join(Obligation)
                .where(Obligation.plan_id == "vn-qd-2530-2025", Obligation.key == key)
            ).all()
        yearly = owed("bao-cao-hang-nam")
        holders = {unit for unit, _, _ in yearly}
        # 13 central bodies and the provinces of the day: the 63 of 2020 fall on the 34 of 01/07/2025.
        assert len(holders) == 13 + 34 and "vn.province.ba-ria-vung-tau" not in holders and "vn.province.ho-chi-minh" in holders
        # "trước ngày 25 tháng 12": the 24th, but Sunday 24/12/2028 goes to Monday 25/12 under art. 148(5)
        assert {(key, due) for _, key, due in yearly} == {(str(y), D(y, 12, 24 + (y == 2028))) for y in range(2026, 2031)}
        assert session.scalar(select(func.count()).select_from(Occurrence).join(Obligation)
                              .where(Obligation.key == "kiem-ke-cap-tinh", Obligation.plan_id == "vn-qd-2530-2025")) == 34
        compiled = sorted(due for _, _, due in owed("bao-cao-tong-hop-hang-nam"))
        assert compiled[0] == D(2026, 12, 30)  # four working days after 24/12/2026
        running = active_duties(session, D(2026, 5, 1), "vn-qd-2530-2025", "vn.province.ho-chi-minh")
        mine = {row.key: row for row in running}
        assert "o1-kiem-ke-cap-tinh" in mine and "vn.province.ba-ria-vung-tau" not in mine["o1-kiem-ke-cap-tinh"].lead
        assert not active_duties(session, D(2026, 5, 1), "vn-qd-2530-2025", "vn.province.ba-ria-vung-tau")  # merged into HCMC
        assert "b1-chat-thai-xay-dung" not in {row.key for row in active_duties(session, D(2026, 5, 1), "vn-qd-2530-2025")}
