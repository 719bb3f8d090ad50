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
    # "UBND các xã, phường": every commune-level unit of Đắk Lắk in the generated registry of 2025
    assert len(cat.groups["dl.communes"]) == 102 and all(u.startswith("vn.ward.") for u in cat.groups["dl.communes"])


def test_dak_lak_0130_duties_run_and_escalate_to_the_plans_office(store, tmp_path):
    from .test_registry_build import definitions_with_addresses

    # Sở Y tế is a generated unit: the address a coordinator enters (the registry has none)
    definitions = definitions_with_addresses(tmp_path, {"dl.syt": "syt@daklak.example"})
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(definitions, EXAMPLES))
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
    assert year.deadline.phrase == "trong Năm 2025 (hạn cuối 31/12/2025, Thứ Tư)"
    december = occurrences(cat, "na-kh-980-2025", "bc-danh-muc-cong-trinh", "na.bchptds")
    assert [s.period_key for s in december] == ["2025", "2026", "2027"]
    duties = {d.id: d for d in cat.plans["na-kh-980-2025"].duties}
    assert duties["noi-dung-chi"].timeframe.ongoing and duties["dien-tap"].timeframe.until_event == "theo Kế hoạch riêng"


def test_nghe_an_980_work_without_a_date_is_held_as_written_and_never_chased(store):
    """"Sau khi có Quy chế của TW", "Theo Kế hoạch riêng", "Hằng năm báo cáo" with no day: open,
    said in the text's words, and the real watch leaves them alone."""
    from sqlalchemy import select

    from plantrack.deadlines import NO_DEADLINE
    from plantrack.store.models import Notice, Obligation, Occurrence
    from plantrack.tracking import Status, status_rows
    from plantrack.watch import watch

    from .conftest import vn

    cat = catalogue()
    (rule,) = occurrences(cat, "na-kh-980-2025", "qd-quy-che-cuu-nan-bien", "na.sxd")
    assert rule.deadline.due_date == NO_DEADLINE and rule.deadline.phrase == "chưa có thời hạn (sau khi có Quy chế của TW)"
    (drill,) = occurrences(cat, "na-kh-980-2025", "cuoc-dien-tap", "na.bchptds")
    assert drill.deadline.phrase == "theo tiến độ của Kế hoạch riêng về diễn tập phòng thủ dân sự"
    yearly = occurrences(cat, "na-kh-980-2025", "bc-ket-qua-hang-nam", "na.so-nganh")
    assert [(s.period_key, s.deadline.due_date) for s in yearly] == [("2025", NO_DEADLINE), ("2026", NO_DEADLINE), ("2027", NO_DEADLINE)]
    (plan_2853,) = occurrences(cat, "hcm-qd-2853-2025", "ke-hoach-hang-nam", "hcm.snnmt")[:1]
    assert plan_2853.deadline.phrase == "chưa có thời hạn (“hằng năm”)"
    with store.transaction() as session:
        sync_catalogue(session, cat)
        for day in (vn(2025, 12, 24, 7, 30), vn(2026, 12, 24, 7, 30), vn(2027, 12, 31, 7, 30)):
            watch(session, day)
        undated = select(Occurrence.id).join(Obligation).where(Occurrence.due_date == NO_DEADLINE)
        assert session.scalars(select(Notice).where(Notice.occurrence_id.in_(undated))).first() is None
        assert session.scalars(select(Notice)).first() is not None  # the dated work of the same plans was chased
        rows = {(r.obligation_key, r.period_key): r for r in status_rows(session, vn(2027, 12, 31, 12), "na-kh-980-2025", "na.sxd",
                                                                         sub_units=False)}
        reports = status_rows(session, vn(2027, 12, 31, 12), "na-kh-980-2025", "na.so-nganh", sub_units=False)
    assert rows[("qd-quy-che-cuu-nan-hang-khong", "once")].status is Status.NO_DEADLINE
    assert [(r.period_key, r.status) for r in reports if r.obligation_key == "bc-ket-qua-hang-nam"] == [
        ("2025", Status.NO_DEADLINE), ("2026", Status.NO_DEADLINE), ("2027", Status.NO_DEADLINE)]


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
    assert (decree.opens_on, decree.deadline.due_date) == (D(2026, 1, 1), D(2026, 3, 31))
    assert decree.deadline.phrase == "trong quý I năm 2026 (hạn cuối 31/03/2026, Thứ Ba)"
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
        # "để tổng hợp, báo cáo Thủ tướng Chính phủ": a position of the government, its head too.
        from plantrack.directory import Directory
        from plantrack.store.models import Plan, UnitGroup

        compile_id = session.scalar(select(Obligation.id).where(Obligation.plan_id == "vn-qd-2530-2025",
                                                                 Obligation.key == "bao-cao-tong-hop-hang-nam"))
        entry = Directory().duties(session, [compile_id])[compile_id]
        assert (entry.submit_position, entry.submit_to_name) == ("Thủ tướng Chính phủ", "Chính phủ")
        assert session.get(Plan, "vn-qd-2530-2025").coordination == {
            "office": "vn.bnnmt", "head": "vn.government", "positions": {"vn.government": "Thủ tướng Chính phủ"}}
        # PL I, o) "Các cơ sở sản xuất": a group by tag across the registry, empty until they are registered.
        assert session.get(UnitGroup, "vn.production-facilities").rule == {"kinds": [], "tags": ["co-so-san-xuat"], "under": None}
        running = active_duties(session, D(2026, 5, 1), "vn-qd-2530-2025", "vn.province.ho-chi-minh")
        mine = {row.key: row for row in running}
        assert "o1-kiem-ke-cap-tinh" in mine and "vn.province.ba-ria-vung-tau" not in mine["o1-kiem-ke-cap-tinh"].lead
        assert not active_duties(session, D(2026, 5, 1), "vn-qd-2530-2025", "vn.province.ba-ria-vung-tau")  # merged into HCMC
        assert "b1-chat-thai-xay-dung" not in {row.key for row in active_duties(session, D(2026, 5, 1), "vn-qd-2530-2025")}


WARDS = """registry: {id: hcm-wards, title: Một đơn vị cấp xã mới của Thành phố Hồ Chí Minh (thử nghiệm)}
units:
  - {id: hcm.phuong-moi, name: Ủy ban nhân dân phường Mới (thử nghiệm), kind: ward, parent: vn.province.ho-chi-minh, escalates_to: hcm.snnmt,
     valid_from: 2025-07-01, contacts: {to: [phuongmoi@hcm.example]}}
"""


def test_hcm_2853_communes_are_in_the_group_and_one_registered_later_takes_on_its_obligations(store, tmp_path):
    from sqlalchemy import select

    from plantrack.store.models import Obligation, Occurrence
    from plantrack.tracking import waiting_for

    def owed(session, key):
        return session.execute(select(Occurrence.unit_id, Occurrence.period_key, Occurrence.due_date).join(Obligation)
                               .where(Obligation.plan_id == "hcm-qd-2853-2025", Obligation.key == key)).all()

    with store.transaction() as session:
        sync_catalogue(session, catalogue())
        # the 168 phường, xã and đặc khu (Côn Đảo) of the generated registry, 2026-2030 each
        assert len({unit for unit, _, _ in owed(session, "bao-cao-cap-xa")}) == 168
        assert ("vn.ward.26732", "2026") in {(unit, key) for unit, key, _ in owed(session, "bao-cao-cap-xa")}
        assert len(owed(session, "bao-cao-hang-nam")) == 5  # 2026-2030: Sở NN&MT's own, compiled after the communes'
    (tmp_path / "wards.yaml").write_text(WARDS, encoding="utf-8")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(DEFINITIONS, EXAMPLES, tmp_path))
    with store.session() as session:
        reports = owed(session, "bao-cao-cap-xa")
        assert sorted(key for unit, key, _ in reports if unit == "hcm.phuong-moi") == ["2026", "2027", "2028", "2029", "2030"]
        (compiled,) = session.scalars(select(Occurrence).join(Obligation).where(
            Obligation.plan_id == "hcm-qd-2853-2025", Obligation.key == "bao-cao-hang-nam", Occurrence.period_key == "2026"))
        title, done, total, missing = waiting_for(session, compiled)
        assert (done, total) == (0, 169) and "hcm.phuong-moi" in missing and "vn.ward.26732" in missing
        assert compiled.due_date == D(2026, 12, 14)  # ten working days after Monday 30/11/2026


OLD_BINH_DUONG = """plan:
  id: bd-qd-1397-2022
  number: 1397/QĐ-UBND
  doc_type: quyet_dinh
  title: Kế hoạch thực hiện Đề án nâng cao nhận thức cộng đồng và quản lý rủi ro thiên tai dựa vào cộng đồng trên địa bàn tỉnh Bình Dương
  issuer: vn.province.binh-duong
  issued_on: 2022-06-08
  period: {start: 2022-06-08, end: 2030-12-31}
duties:
  - {id: trien-khai, section: IV, text: Triển khai Đề án trên địa bàn tỉnh., lead: [vn.province.binh-duong]}
obligations:
  - {id: bao-cao-nam, title: Báo cáo kết quả thực hiện hằng năm, section: IV.1, units: [vn.province.binh-duong], submit_to: vn.bnnptnt,
     due: {type: recurring, cron: "0 0 15 12 *", key_format: "%Y", basis: assumed, note: a fixture}}
"""


def test_a_plan_that_replaces_another_ends_it_the_day_before_it_takes_effect(store, tmp_path):
    from sqlalchemy import select

    from plantrack.store.models import Duty, Obligation, Occurrence, Plan
    from plantrack.tracking import record_submission

    old = tmp_path / "old"
    old.mkdir()
    (old / "bd-1397.yaml").write_text(OLD_BINH_DUONG, encoding="utf-8")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(DEFINITIONS, old))
        first = session.scalars(select(Occurrence).join(Obligation).where(Obligation.plan_id == "bd-qd-1397-2022")
                                .order_by(Occurrence.due_date)).first()
        record_submission(session, first, dt.datetime(2022, 12, 1, 3, tzinfo=dt.timezone.utc), document_number="12/BC-UBND")
    new = tmp_path / "new"
    (new / "plans").mkdir(parents=True)
    text = (EXAMPLES / "plans" / "hcm-qd-2853-ubnd.yaml").read_text(encoding="utf-8")
    assert "{number: 1397/QĐ-UBND, issued_on" in text
    text = text.replace("{number: 1397/QĐ-UBND, issued_on", "{number: 1397/QĐ-UBND, plan: bd-qd-1397-2022, issued_on")
    (new / "plans" / "hcm-2853.yaml").write_text(text, encoding="utf-8")
    (new / "plans" / "bd-1397.yaml").write_text(OLD_BINH_DUONG, encoding="utf-8")
    (new / "registries").mkdir()
    (new / "registries" / "hcm.yaml").write_text((EXAMPLES / "registries" / "ho-chi-minh.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with store.transaction() as session:
        report = sync_catalogue(session, load_catalogue(DEFINITIONS, new))
        assert report.count("retired", "occurrence") == 6  # 15/12/2025 … 15/12/2030: after 21/11/2025
    with store.session() as session:
        live = session.execute(select(Occurrence.period_key, Occurrence.unit_id, Occurrence.first_submitted_at).join(Obligation)
                               .where(Obligation.plan_id == "bd-qd-1397-2022", Occurrence.retired.is_(False))
                               .order_by(Occurrence.period_key)).all()
        assert [key for key, _, _ in live] == ["2022", "2023", "2024"]
        assert live[0][2] is not None  # what was handed in is kept
        duty = session.scalars(select(Duty).where(Duty.plan_id == "bd-qd-1397-2022")).one()
        assert duty.active_until == D(2025, 11, 20)
        from plantrack.tracking import unit_duties

        # Bình Dương's duty is held by the city it merged into, from 01/07/2025 on.
        held = {(plan.id, d.key, role) for plan, d, role in unit_duties(session, "vn.province.ho-chi-minh", D(2025, 8, 1))}
        assert ("bd-qd-1397-2022", "trien-khai", "lead") in held
        assert "bd-qd-1397-2022" not in {plan.id for plan, _, _ in unit_duties(session, "vn.province.ho-chi-minh", D(2025, 6, 1))}
        relations = {s["relation"]: s for s in session.get(Plan, "bd-qd-1397-2022").sources}
        assert relations["replaced_by"]["number"] == "2853/QĐ-UBND" and relations["replaced_by"]["effective_from"] == "2025-11-21"
        replaced = [s for s in session.get(Plan, "hcm-qd-2853-2025").sources if s["relation"] == "replaces"]
        assert [s["number"] for s in replaced] == ["3089/QĐ-UBND", "1397/QĐ-UBND", "1179/QĐ-UBND"]
