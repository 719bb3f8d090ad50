import datetime as dt

import pytest
from sqlalchemy import func, select

from plantrack.errors import DefinitionError
from plantrack.loader import load_catalogue
from plantrack.store.models import Duty, Extension, Obligation, Occurrence, Plan, Submission, Unit
from plantrack.store.sync import sync_catalogue
from plantrack.tracking import find_occurrence, grant_extension, record_submission, request_adhoc

from .conftest import vn
from .test_loader import edit

D = dt.date


def counts(store):
    with store.session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Unit, Plan, Duty, Obligation, Occurrence, Submission, Extension)
        }


def sync(store, folder, **options):
    with store.transaction() as session:
        return sync_catalogue(session, load_catalogue(folder), **options)


def test_sync_of_the_real_plans_is_idempotent(store, real_catalogue):
    with store.transaction() as session:
        first = sync_catalogue(session, real_catalogue)
    assert first.count("added", "unit") == 3968 and first.count("added", "plan") == 6
    # 43 Hà Nội units owe their implementing plan under Công văn 1030.
    assert sum(1 for label in first.added["occurrence"] if label == "hn-cv-1030/ke-hoach-trien-khai") == 43
    before = counts(store)
    with store.transaction() as session:
        second = sync_catalogue(session, real_catalogue)
    assert second.is_empty, second.summary()
    assert counts(store) == before


def test_a_plan_may_come_to_implement_a_plan_added_by_the_same_sync(store, mini_dir):
    """A plan file corrected to name a new parent (Gia Lai's plan moved under the Đề án, a
    reference plan added with it): the parent is written before the child refers to it."""
    sync(store, mini_dir)
    (mini_dir / "reference.yaml").write_text(
        "plan:\n  id: t-de-an\n  number: 9/QĐ-TEST\n  doc_type: quyet_dinh\n  title: Đề án thử nghiệm\n"
        "  issuer: t.committee\n  issued_on: 2020-10-01\n  period: {start: 2020-10-01, end: 2023-12-31}\n", encoding="utf-8")
    edit(mini_dir / "plan.yaml", "  issued_on: 2020-11-05\n", "  issued_on: 2020-11-05\n  parent: t-de-an\n")
    report = sync(store, mini_dir)
    assert report.added["plan"] == ["t-de-an"] and report.changed["plan"] == ["t-plan"]
    with store.session() as session:
        assert session.get(Plan, "t-plan").parent_id == "t-de-an"
        assert session.scalar(select(func.count()).select_from(Duty).where(Duty.plan_id == "t-de-an")) == 0
    assert sync(store, mini_dir).is_empty


def test_a_sync_stores_occurrences_in_deadline_order(store, real_catalogue):
    """Rows are written by deadline, so one morning's window sits on neighbouring pages."""
    with store.transaction() as session:
        sync_catalogue(session, real_catalogue)
    with store.session() as session:
        dues = session.scalars(select(Occurrence.due_date).order_by(Occurrence.id)).all()
    assert len(dues) > 1000 and len(set(dues)) > 20
    assert dues == sorted(dues)


def test_changing_a_deadline_updates_occurrences_and_keeps_submissions(store, mini_dir):
    sync(store, mini_dir)
    with store.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.alpha")
        record_submission(session, occurrence, vn(2020, 11, 18, 9), "12/KH-ALPHA")
    edit(mini_dir / "plan.yaml", "      before: 2020-11-16", "      before: 2020-11-20")
    report = sync(store, mini_dir, rewrite_deadlines=True)  # the plan file was wrong: no amendment
    assert report.count("changed", "occurrence") == 2 and report.count("added", "occurrence") == 0
    assert report.count("changed", "obligation") == 1
    with store.session() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.alpha")
        assert occurrence.due_date == D(2020, 11, 19) == occurrence.current_due_date
        assert [s.document_number for s in occurrence.submissions] == ["12/KH-ALPHA"]
    assert sync(store, mini_dir).is_empty


def test_removed_obligation_is_retired_then_restored(store, mini_dir):
    sync(store, mini_dir)
    with store.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        record_submission(session, occurrence, vn(2020, 11, 12, 9), "7/KH-BETA")
    plan = mini_dir / "plan.yaml"
    original = plan.read_text(encoding="utf-8")
    edit(plan, "  - id: ke-hoach\n", "  - id: ke-hoach-moi\n")
    report = sync(store, mini_dir)
    assert report.retired["obligation"] == ["t-plan/ke-hoach"]
    assert report.added["obligation"] == ["t-plan/ke-hoach-moi"]
    assert report.count("retired", "occurrence") == 2
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 1  # nothing deleted
    plan.write_text(original, encoding="utf-8")
    report = sync(store, mini_dir)
    assert report.changed["obligation"] == ["t-plan/ke-hoach"]  # restored
    with store.session() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        assert not occurrence.retired and occurrence.first_submitted_at is not None


def test_an_extension_survives_a_change_of_the_original_deadline(store, mini_dir):
    sync(store, mini_dir)
    with store.transaction() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        grant_extension(session, occurrence, D(2020, 11, 25), "Chờ ý kiến", "Chánh Văn phòng", vn(2020, 11, 13))
    edit(mini_dir / "plan.yaml", "      before: 2020-11-16", "      before: 2020-11-20")
    sync(store, mini_dir, rewrite_deadlines=True)
    with store.session() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.beta")
        assert occurrence.due_date == D(2020, 11, 19)
        assert occurrence.current_due_date == D(2020, 11, 25)


def test_ad_hoc_requests_are_not_retired_by_sync(store, mini_dir):
    sync(store, mini_dir)
    with store.transaction() as session:
        request_adhoc(session, "t-plan", ["t.alpha"], vn(2021, 3, 1, 9), "Báo cáo vụ việc X", 3)
    assert sync(store, mini_dir).is_empty
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Obligation).where(Obligation.origin == "request")) == 1


def test_a_broken_file_leaves_the_store_as_it_was(store, mini_dir):
    sync(store, mini_dir)
    before = counts(store)
    edit(mini_dir / "plan.yaml", "      before: 2020-11-16", "      before: 2020-11-20")  # a real change...
    edit(mini_dir / "registry.yaml", "    kind: district_committee", "    kind: district")  # ...and a broken file
    with pytest.raises(DefinitionError):
        sync(store, mini_dir)
    assert counts(store) == before
    with store.session() as session:
        occurrence = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.alpha")
        assert occurrence.due_date == D(2020, 11, 16)


def test_a_failure_during_sync_rolls_everything_back(store, mini_dir):
    catalogue = load_catalogue(mini_dir)
    with pytest.raises(RuntimeError):
        with store.transaction() as session:
            sync_catalogue(session, catalogue)
            raise RuntimeError("crash after the rows were written, before commit")
    assert counts(store)["unit"] == 0 and counts(store)["occurrence"] == 0


def test_a_changed_deadline_needs_an_amendment_and_history_is_kept(store, mini_dir):
    from plantrack.store.sync import DeadlineRewrite
    from plantrack.tracking import Status, status_rows

    sync(store, mini_dir)
    with store.transaction() as session:  # on time under "trước ngày 16/11/2020"
        record_submission(session, find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.alpha"),
                          vn(2020, 11, 13, 9), "12/KH-ALPHA")
    before = counts(store)
    plan = mini_dir / "plan.yaml"
    edit(plan, "      before: 2020-11-16", "      before: 2020-11-12")  # brought forward
    with pytest.raises(DeadlineRewrite, match="2 deadline\\(s\\).*16/11/2020 → 11/11/2020.*amendments"):
        sync(store, mini_dir)
    assert counts(store) == before
    edit(plan, "duties:\n", "amendments:\n  - {number: 5/KH-TEST, issued_on: 2020-11-14, effective_from: 2020-11-15, "
         "obligations: [ke-hoach], note: Rút ngắn thời hạn}\n\nduties:\n")
    report = sync(store, mini_dir)
    assert report.count("changed", "occurrence") == 2
    assert sync(store, mini_dir).is_empty  # the same amendment again changes nothing
    with store.session() as session:
        alpha = find_occurrence(session, plan="t-plan", obligation="ke-hoach", unit="t.alpha")
        assert alpha.due_date == D(2020, 11, 16) and alpha.current_due_date == D(2020, 11, 11)  # the original is kept
        (amended,) = alpha.extensions
        assert amended.reason.startswith("Sửa đổi theo văn bản 5/KH-TEST ngày 14/11/2020") and amended.previous_due_date == D(2020, 11, 16)
        rows = {r.unit_id: r for r in status_rows(session, vn(2020, 11, 30), "t-plan") if r.obligation_key == "ke-hoach"}
    assert rows["t.alpha"].status is Status.ON_TIME  # handed in before the amendment took effect
    assert rows["t.beta"].status is Status.OVERDUE and rows["t.beta"].effective_due == D(2020, 11, 11)
