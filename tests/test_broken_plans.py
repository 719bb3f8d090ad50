"""A corpus of broken plan trees: each is refused with its file, line and field, in words a
plan author understands, and a sync of it leaves the store exactly as it was.

Each case edits one file of ``tests/data/mini`` (``R`` the registry, ``P`` the plan): it
replaces the first ``old`` with ``new`` (or applies a function to the whole text), and says
which field the problem must name and a fragment of the line it must point at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.errors import DefinitionError
from plantrack.loader import MAX_FILE_BYTES, load_catalogue
from plantrack.store.models import Duty, Obligation, Occurrence, Plan, Unit

from .test_loader import edit

R, P = "registry.yaml", "plan.yaml"
TARGET = ("indicators:\n  - {{id: vu-viec, name: Số vụ việc, kind: {kind}}}\n\ntargets:\n  - {{id: muc-tieu, name: Mục tiêu, indicator: vu-viec, "
          "value: {value}, by: 2023-06-30, units: [t.alpha], obligation: bao-cao-6-thang}}\n\nduties:\n")


def with_target(kind: str, value: str) -> Callable[[str], str]:
    """The mini plan with one indicator of ``kind``, carried by the half-year report, and a target of ``value``."""
    return lambda text: text.replace("duties:\n", TARGET.format(kind=kind, value=value), 1).replace(
        "    section: IV.2\n    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: reporting_period",
        "    section: IV.2\n    groups: [t.members]\n    submit_to: t.office\n    indicators: [vu-viec]\n    due:\n      type: reporting_period", 1)


BOMB = "".join(f"{x}: &{x} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
               for prev, x in zip([None, *"abcdefgh"], "abcdefghi"))


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    old: str
    new: str | Callable[[str], str | bytes]
    field: str  # the field the problem names (exactly)
    line: str | None  # a fragment of the line it points at (None: line 1 or the file itself)
    says: str = ""  # a phrase the message must contain


ADHOC = "    due: {type: adhoc, working_days: 5, basis: assumed, note: test default}"
CASES = [
    # --- plan header
    Case("unknown-field", P, "  issuer: t.committee\n", "  issuer: t.committee\n  colour: red\n", "plan.colour", "colour: red", "unknown field"),
    Case("missing-number", P, "  number: 1/KH-TEST\n", "", "plan.number", "plan:", "required field"),
    Case("empty-number", P, "number: 1/KH-TEST", 'number: ""', "plan.number", 'number: ""', "empty"),
    Case("number-crlf", P, "number: 1/KH-TEST", 'number: "1/KH-TEST\\r\\nBcc: x@y.example"', "plan.number", "number:", "one line"),
    Case("number-too-long", P, "number: 1/KH-TEST", "number: 1/KH-" + "X" * 200, "plan.number", "number:", "at most 100"),
    Case("title-bell", P, "title: Kế hoạch thử nghiệm", 'title: "Kế hoạch\\a"', "plan.title", "title:", "U+0007"),
    Case("title-too-long", P, "title: Kế hoạch thử nghiệm", "title: " + "Kế hoạch " * 80, "plan.title", "title:", "at most 500"),
    Case("bad-date", P, "issued_on: 2020-11-05", "issued_on: 2020-13-05", "plan.issued_on", "issued_on:", "2020-13-05"),
    Case("period-reversed", P, "period: {start: 2020-11-01, end: 2023-10-31}", "period: {start: 2023-10-31, end: 2020-11-01}",
         "plan.period", "period:", "before it starts"),
    Case("doc-type", P, "  issuer: t.committee\n", "  issuer: t.committee\n  doc_type: nghi_quyet\n", "plan.doc_type", "doc_type", "nghi_quyet"),
    Case("id-upper-case", P, "id: t-plan", "id: T-Plan", "plan.id", "id: T-Plan", "lower-case"),
    Case("id-cyrillic", P, "id: t-plan", "id: t-рlan", "plan.id", "id: t-", "CYRILLIC SMALL LETTER ER"),
    Case("id-space", P, "id: t-plan", "id: t plan", "plan.id", "id: t plan", "' '"),
    Case("id-too-long", P, "id: t-plan", "id: " + "t" * 120, "plan.id", "id: ttt", "at most 100"),
    Case("issuer-unknown", P, "issuer: t.committee", "issuer: t.comittee", "plan.issuer", "issuer:", "did you mean 't.committee'"),
    Case("parent-missing", P, "  issuer: t.committee\n", "  issuer: t.committee\n  parent: t-nothing\n", "plan.parent", "parent:", "does not exist"),
    Case("replaces-unknown-plan", P, "  issuer: t.committee\n", "  issuer: t.committee\n  replaces: [{number: 9/KH-OLD, plan: t-old}]\n",
         "plan.replaces[0].plan", "replaces:", "leave out 'plan'"),
    Case("replaces-itself", P, "  issuer: t.committee\n", "  issuer: t.committee\n  replaces: [{number: 1/KH-TEST, plan: t-plan}]\n",
         "plan.replaces[0].plan", "replaces:", "cannot replace itself"),
    Case("no-period-no-parent", P, "  period: {start: 2020-11-01, end: 2023-10-31}\n", "", "plan", "plan:", "needs a 'period'"),
    Case("source-number-newline", P, "  issuer: t.committee\n",
         '  issuer: t.committee\n  sources: [{number: "12/QĐ\\nx"}]\n', "plan.sources[0].number", "sources:", "one line"),
    Case("calendar-bad-day", P, "duties:\n", "calendar: {extra_holidays: [{date: 2020-02-30, name: X}]}\n\nduties:\n",
         "calendar.extra_holidays[0].date", "calendar:", "2020-02-30"),
    # --- duties
    Case("duty-no-unit", P, "    lead_groups: [t.members]\n    support: [t.office]\n", "", "duties[0]", "- id: lap-ke-hoach", "needs a unit"),
    Case("duty-assumed-stray", P, "    support: [t.office]\n", "    support: [t.office]\n    assumed: {units: [t.alpha], note: x}\n",
         "duties[0]", "- id: lap-ke-hoach", "assumed.units"),
    Case("duty-unknown-group", P, "lead_groups: [t.members]", "lead_groups: [t.member]", "duties[0].lead_groups[0]", "lead_groups:", "unknown group"),
    Case("duty-unknown-support", P, "support: [t.office]", "support: [t.ghost]", "duties[0].support[0]", "support:", "unknown unit"),
    Case("duty-section-too-long", P, "    section: III.1\n    text:", "    section: III." + "1" * 50 + "\n    text:",
         "duties[0].section", "section: III.111", "at most 40"),
    Case("duty-duplicate-id", P, "obligations:\n", "  - {id: lap-ke-hoach, section: '2', text: x, lead: [t.alpha]}\n\nobligations:\n",
         "duties[1].id", "id: lap-ke-hoach, section: '2'", "duplicate duty id"),
    Case("duty-text-nul", P, "text: Xây dựng kế hoạch của đơn vị.", 'text: "Xây dựng\\0"', "duties[0].text", "text:", "U+0000"),
    Case("duty-lead-not-a-list", P, "lead_groups: [t.members]", "lead_groups: t.members", "duties[0].lead_groups", "lead_groups:", "list"),
    # --- obligations
    Case("obligation-no-title", P, "    title: Gửi kế hoạch của đơn vị\n", "", "obligations[0].title", "- id: ke-hoach", "required"),
    Case("obligation-unknown-duty", P, "duty: lap-ke-hoach", "duty: khong-co", "obligations[0].duty", "duty: khong-co", "unknown duty"),
    Case("obligation-no-units", P, "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         "    submit_to: t.office\n    due:\n      type: one_off", "obligations[0]", "- id: ke-hoach", "who owes it"),
    Case("obligation-unknown-unit", P, "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         "    units: [t.nobody]\n    submit_to: t.office\n    due:\n      type: one_off", "obligations[0].units[0]", "units: [t.nobody]",
         "unknown unit"),
    Case("obligation-submit-to", P, "submit_to: t.office", "submit_to: t.offic", "obligations[0].submit_to", "submit_to: t.offic", "did you mean"),
    Case("obligation-duplicate-id", P, "id: bao-cao-6-thang", "id: ke-hoach  # again", "obligations[1].id", "ke-hoach  # again",
         "duplicate obligation id"),
    Case("obligation-section-newline", P, "    section: IV.2\n    groups: [t.members]\n    submit_to",
         '    section: "IV.2\\n"\n    groups: [t.members]\n    submit_to',
         "obligations[1].section", 'section: "IV.2', "one line"),
    Case("obligation-channel-crlf", P, "    submit_to: t.office\n    due:\n      type: one_off",
         '    submit_to: t.office\n    channel: "a@b.example\\r\\nX: y"\n    due:\n      type: one_off', "obligations[0].channel", "channel:",
         "one line"),
    Case("due-type-unknown", P, "type: one_off", "type: weekly", "obligations[0].due.type", "type: weekly", "weekly"),
    Case("due-both-dates", P, "      before: 2020-11-16", "      before: 2020-11-16\n      at_latest_on: 2020-11-20", "obligations[0].due", "due:",
         "exactly one"),
    Case("due-no-date", P, "      before: 2020-11-16\n", "", "obligations[0].due", "due:", "exactly one"),
    Case("due-after-period", P, "before: 2020-11-16", "before: 2025-01-01", "obligations[0].due", "due:", "after the plan ends"),
    # work without a date in the text: unscheduled, external, after an event
    Case("external-no-reference", P, ADHOC, "    due: {type: external}", "obligations[2].due.reference", "type: external", "required"),
    Case("unscheduled-every-week", P, ADHOC, "    due: {type: unscheduled, every: week}", "obligations[2].due.every", "type: unscheduled",
         "'year'"),
    Case("unscheduled-misspelt", P, ADHOC, "    due: {type: unscheduled, writen: kịp thời}", "obligations[2].due.writen", "writen",
         "unknown field"),
    Case("after-event-with-offset", P, ADHOC, "    due: {type: after, event: có Quy chế của TW, working_days: 5}", "obligations[2].due",
         "event:", "no date to count from"),
    Case("after-event-and-obligation", P, ADHOC, "    due: {type: after, event: có Quy chế của TW, obligation: ke-hoach}",
         "obligations[2].due", "event:", "exactly one of 'obligation'"),
    Case("due-years-before", P, "before: 2020-11-16", "before: 2018-10-01", "obligations[0].due", "due:", "more than a year before"),
    Case("cron-six-fields", P, "      type: one_off\n      before: 2020-11-16", "      type: recurring\n      cron: '0 0 0 15 6 *'",
         "obligations[0].due.cron", "cron:", "5-field"),
    Case("cron-words", P, "      type: one_off\n      before: 2020-11-16", "      type: recurring\n      cron: every monday",
         "obligations[0].due.cron", "cron:", "5-field"),
    Case("cron-never", P, "      type: one_off\n      before: 2020-11-16", "      type: recurring\n      cron: '0 0 31 2 *'",
         "obligations[0].due", "due:", "never falls due"),
    Case("cron-key-format-newline", P, "      type: one_off\n      before: 2020-11-16",
         "      type: recurring\n      cron: '0 0 15 6 *'\n      key_format: \"%Y\\n\"", "obligations[0].due.key_format", "key_format", "one line"),
    Case("cron-key-too-long", P, "      type: one_off\n      before: 2020-11-16",
         "      type: recurring\n      cron: '0 0 15 6 *'\n      key_format: '%A %B %d %Y %A %B %d %Y'", "obligations[0].due.key_format",
         "key_format", "at most 40"),
    Case("milestone-key-too-long", P, "      type: reporting_period\n      period: half_year\n      days_after_cutoff: 3",
         "      type: milestone\n      days_after: 10\n      milestones: [{key: " + "k" * 60 + ", label: Sơ kết, years_after_start: 1}]",
         "obligations[1].due.milestones[0].key", "milestones:", "at most 40"),
    Case("period-unknown", P, "period: half_year", "period: fortnight", "obligations[1].due.period", "period: fortnight", "fortnight"),
    Case("cutoff-day", P, "      days_after_cutoff: 3", "      days_after_cutoff: 3\n      cutoff_day: 31", "obligations[1].due.cutoff_day",
         "cutoff_day", "28"),
    Case("days-after-negative", P, "days_after_cutoff: 3", "days_after_cutoff: -1", "obligations[1].due.days_after_cutoff",
         "days_after_cutoff", "-1"),
    Case("assumed-without-note", P, "      note: test default\n", "", "obligations[1].due", "due:|2", "needs a 'note'"),
    Case("adhoc-zero-days", P, "working_days: 5", "working_days: 0", "obligations[2].due.working_days", "working_days", "1"),
    Case("adhoc-too-many-days", P, "working_days: 5", "working_days: 100", "obligations[2].due.working_days", "working_days", "60"),
    Case("escalation-order", P, "duties:\n", "escalation: {level1_after: 10, level2_after: 5}\n\nduties:\n", "escalation", "escalation:",
         "later than level1_after"),
    Case("escalation-zero-reminder", P, "duties:\n", "escalation: {reminders_before: [0, 2]}\n\nduties:\n", "escalation", "escalation:",
         "at least 1"),
    Case("amendment-unknown-obligation", P, "duties:\n",
         "amendments:\n  - {number: 5/KH, issued_on: 2020-12-01, effective_from: 2020-12-01, obligations: [khong-co]}\n\nduties:\n",
         "amendments[0].obligations[0]", "- {number: 5/KH", "unknown obligation"),
    Case("amendment-before-its-plan", P, "duties:\n",
         "amendments:\n  - {number: 5/KH, issued_on: 2020-10-01, effective_from: 2020-10-01, obligations: [ke-hoach]}\n\nduties:\n",
         "amendments[0].issued_on", "- {number: 5/KH", "before the plan it amends was issued (05/11/2020)"),
    Case("target-infinite", P, "", with_target("count", ".inf"), "targets[0].value", "- {id: muc-tieu", "finite number"),
    Case("baseline-not-a-number", P, "", lambda text: with_target("count", "10")(text).replace("by: 2023-06-30,",
         "by: 2023-06-30, baseline: {value: .nan, on: 2021-01-01},"), "targets[0].baseline.value", "- {id: muc-tieu", "finite number"),
    Case("target-on-a-text-indicator", P, "", with_target("text", "100"), "targets[0].indicator", "- {id: muc-tieu", "text indicator"),
    Case("owes-a-report-to-itself", P, "    groups: [t.members]\n    submit_to: t.office\n    due:\n      type: one_off",
         "    units: [t.office]\n    submit_to: t.office\n    due:\n      type: one_off", "obligations[0].submit_to",
         "submit_to: t.office|1", "does not report to itself"),
    Case("check-in-to-itself", P, "    lead_groups: [t.members]\n    support: [t.office]\n",
         "    lead: [t.office]\n    check_in: {cron: '0 0 25 * *', submit_to: t.office}\n", "duties[0].check_in", "check_in:",
         "does not report to itself"),
    Case("holiday-and-working-day", P, "duties:\n", "calendar:\n  extra_holidays: [{date: 2021-05-08, name: Nghỉ}]\n"
         "  extra_working_days: [{date: 2021-05-08, name: Làm bù}]\n\nduties:\n", "calendar.extra_working_days[0].date",
         "extra_working_days:", "added holiday: Nghỉ"),
    Case("working-day-on-a-public-holiday", P, "duties:\n", "calendar:\n  extra_working_days: [{date: 2021-09-02, name: Làm bù}]\n\nduties:\n",
         "calendar.extra_working_days[0].date", "extra_working_days:", "public holiday"),
    Case("deployment-day-both", "calendar.yaml", "", lambda text: "calendar:\n  extra_holidays: [{date: 2022-01-03, name: Nghỉ bù}]\n"
         "  extra_working_days: [{date: 2022-01-03, name: Làm bù}]\n", "calendar.extra_working_days[0].date", "extra_working_days:",
         "a day cannot be both"),
    Case("amendment-effective-too-early", P, "duties:\n",
         "amendments:\n  - {number: 5/KH, issued_on: 2020-12-01, effective_from: 2020-11-01, obligations: [ke-hoach]}\n\nduties:\n",
         "amendments[0].effective_from", "- {number: 5/KH", "before it is issued"),
    # --- registry
    Case("unit-kind", R, "kind: department", "kind: departmen", "units[2].kind", "kind: departmen", "departmen"),
    Case("unit-no-name", R, "    name: Sở Alpha\n", "", "units[2].name", "- id: t.alpha", "required"),
    Case("unit-name-newline", R, "name: Sở Alpha", 'name: "Sở\\nAlpha"', "units[2].name", "name:|3", "one line"),
    Case("unit-head-too-long", R, "head: Trưởng Ban", "head: " + "Trưởng Ban " * 60, "units[0].head", "head:", "at most 500"),
    Case("unit-duplicate", R, "id: t.beta", "id: t.alpha  # again", "units[3].id", "t.alpha  # again", "duplicate unit id"),
    Case("unit-parent-unknown", R, "parent: t.committee", "parent: t.nowhere", "units[1].parent", "parent: t.nowhere", "unknown unit"),
    Case("unit-escalates-unknown", R, "escalates_to: t.office\n    contacts: {to: [alpha",
         "escalates_to: t.ofice\n    contacts: {to: [alpha", "units[2].escalates_to", "escalates_to: t.ofice", "did you mean"),
    Case("unit-parent-cycle", R, "    kind: committee\n", "    kind: committee\n    parent: t.office\n", "units[0].parent", "parent: t.office",
         "cycle"),
    Case("unit-escalation-cycle", R, "    kind: committee\n", "    kind: committee\n    escalates_to: t.office\n", "units[0].escalates_to",
         "escalates_to: t.office", "cycle"),
    Case("email-double-at", R, "alpha.cc@units.example", "alpha.cc@@units", "units[2].contacts.cc[0]", "alpha.cc@@units", "e-mail"),
    Case("email-non-ascii", R, "to: [alpha@units.example]", "to: [sởct@units.example]", "units[2].contacts.to[0]", "sởct@", "SMTP"),
    Case("email-space", R, "to: [beta@units.example]", "to: ['beta @units.example']", "units[3].contacts.to[0]", "beta @", "e-mail"),
    Case("too-many-to", R, "to: [beta@units.example]", "to: [" + ", ".join(f"b{i}@units.example" for i in range(25)) + "]",
         "units[3].contacts.to", "b0@units", "at most 20"),
    Case("channel-reads-secret", R, "to: [beta@units.example]}", "to: [beta@units.example], channels: ['json://h.example/${PLANTRACK_SECRET_KEY}']}",
         "units[3].contacts.channels[0]", "channels:", "PLANTRACK_CHANNEL_"),
    Case("channel-holds-token", R, "to: [beta@units.example]}", "to: [beta@units.example], channels: ['json://h.example/hook/a1b2c3d4e5f6g7h8']}",
         "units[3].contacts.channels[0]", "channels:", "secret token"),
    Case("channel-not-a-url", R, "to: [beta@units.example]}", "to: [beta@units.example], channels: ['not a url']}",
         "units[3].contacts.channels[0]", "channels:", "one line without spaces"),
    Case("successor-unknown", R, "    kind: department\n", "    kind: department\n    valid_until: 2025-06-30\n    successor: t.gama\n",
         "units[2].successor", "successor: t.gama", "unknown unit"),
    Case("successor-without-end", R, "    kind: department\n", "    kind: department\n    successor: t.beta\n", "units[2]",
         "- id: t.alpha", "needs 'valid_until'"),
    Case("successor-not-there-yet", R, "", lambda text: text.replace("    kind: district_committee\n", "    kind: district_committee\n"
         "    valid_from: 2026-01-01\n").replace("    kind: department\n", "    kind: department\n    valid_until: 2025-06-30\n"
         "    successor: t.beta\n"), "units[2].successor", "successor: t.beta", "does not exist on 01/07/2025"),
    Case("split-unknown", R, "    kind: department\n", "    kind: department\n    valid_until: 2025-06-30\n"
         "    split_to: [{unit: t.gama, scope: báo chí}]\n", "units[2].split_to[0].unit", "split_to:", "unknown unit"),
    Case("split-without-end", R, "    kind: department\n", "    kind: department\n    split_to: [{unit: t.beta, scope: báo chí}]\n",
         "units[2]", "- id: t.alpha", "needs 'valid_until'"),
    Case("former-names-out-of-order", R, "    kind: department\n", "    kind: department\n    former_names: [{name: Sở A2, until: 2022-01-01}, "
         "{name: Sở A1, until: 2021-01-01}]\n", "units[2]", "- id: t.alpha", "oldest first"),
    Case("former-name-of-another", R, "    kind: district_committee\n", "    kind: district_committee\n"
         "    former_names: [{name: Sở Alpha, until: 2021-01-01}]\n", "units[3].name", "name: Ban Chỉ đạo 389 huyện Beta",
         "one body under two ids"),
    Case("held-by-not-assigned", P, "    support: [t.office]\n", "    support: [t.office]\n    held_by: {t.committee: t.alpha}\n",
         "duties[0].held_by.t.committee", "held_by:", "does not assign"),
    Case("held-by-not-ended", P, "    support: [t.office]\n", "    support: [t.office]\n    held_by: {t.office: t.alpha}\n",
         "duties[0].held_by.t.office", "held_by:", "has not ended"),
    Case("successor-loop", R, "", lambda text: text.replace("    kind: department\n", "    kind: department\n"
         "    valid_until: 2025-06-30\n    successor: t.beta\n").replace("    kind: district_committee\n", "    kind: district_committee\n"
         "    valid_until: 2025-06-30\n    successor: t.alpha\n"), "units[2].successor", "successor: t.beta", "cycle in unit successor"),
    Case("lifetime-reversed", R, "    kind: department\n", "    kind: department\n    valid_from: 2025-01-01\n    valid_until: 2024-01-01\n",
         "units[2]", "- id: t.alpha", "before valid_from"),
    Case("two-ids-one-name", R, "    name: Ban Chỉ đạo 389 huyện Beta\n", "    name: Sở Alpha\n", "units[3].name", "name: Sở Alpha|2",
         "one body under two ids"),
    Case("group-unknown-member", R, "t.members: [t.alpha, t.beta]", "t.members: [t.alpha, t.gamma]", "groups.t.members[1]", "t.members:",
         "unknown unit"),
    Case("registry-no-title", R, "  title: A small registry for tests\n", "", "registry.title", "registry:", "required"),
    Case("registry-unknown-kind-key", R, "registry:\n", "registri:\n", "(top level)", None, "exactly one of the top-level keys"),
    # --- YAML itself
    Case("yaml-unclosed-quote", P, "title: Kế hoạch thử nghiệm", 'title: "Kế hoạch thử nghiệm', "(yaml)", 'title: "Kế', "not closed"),
    Case("yaml-colon", P, "title: Kế hoạch thử nghiệm", "title: Kế hoạch: thử nghiệm", "(yaml)", "title: Kế hoạch:", "must be quoted"),
    Case("yaml-duplicate-key", P, "  issued_on: 2020-11-05\n", "  issued_on: 2020-11-05\n  issued_on: 2020-11-06\n", "issued_on",
         "issued_on: 2020-11-06", "appears twice"),
    Case("yaml-comma-in-flow", P, "  - id: dot-xuat\n    title: Báo cáo đột xuất\n",
         "  - {id: extra, title: Sơ kết, tổng kết, section: IV.3, groups: [t.members], due: {type: adhoc}}\n"
         "  - id: dot-xuat\n    title: Báo cáo đột xuất\n", "obligations[2].tổng kết", "id: extra", "quote the whole text"),
    Case("yaml-tab", P, "  number: 1/KH-TEST\n", "\tnumber: 1/KH-TEST\n", "(yaml)", None, "tab"),
    Case("yaml-alias-bomb", P, "plan:\n", lambda text: BOMB + text, "(yaml)", "f: &f", "alias bomb"),
    Case("yaml-top-level-list", P, "", lambda text: "- just a list\n- of strings\n", "(top level)", None, "mapping"),
    Case("not-utf8", P, "", lambda text: text.encode("utf-8").replace("Kế".encode(), "K\xe1".encode("latin-1")), "(file)", None, "not UTF-8"),
    Case("file-too-big", P, "", lambda text: text + ("# " + "x" * 1000 + "\n") * (MAX_FILE_BYTES // 1000 + 10), "(file)", None, "at most"),
]


def test_the_corpus_is_large_and_each_case_different():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


def break_tree(case: Case, folder):
    path = folder / case.file
    if callable(case.new):
        changed = case.new(path.read_text(encoding="utf-8") if path.exists() else "")  # a new file: from nothing
        if isinstance(changed, bytes):
            path.write_bytes(changed)
        else:
            path.write_text(changed, encoding="utf-8")
    else:
        edit(path, case.old, case.new)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_tree_is_refused_with_file_line_and_field(case, mini_dir):
    path = break_tree(case, mini_dir)
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(mini_dir)
    found = [p for p in caught.value.problems if p.field == case.field and case.says in p.message]
    assert found, f"no problem names {case.field!r} saying {case.says!r}: {caught.value.problems}"
    problem = found[0]
    assert problem.path == path
    assert case.says in problem.message, problem.message
    if case.line is not None:
        fragment, _, nth = case.line.partition("|")
        lines = [n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if fragment in text]
        assert problem.line == lines[int(nth or 1) - 1], (problem, case.line)
    assert "^[" not in problem.message and "regex" not in problem.message  # words, not patterns


def snapshot(store) -> dict:
    with store.session() as session:
        counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in (Unit, Plan, Duty, Obligation, Occurrence)}
        retired = {m.__tablename__: session.scalar(select(func.count()).select_from(m).where(m.retired.is_(True)))
                   for m in (Unit, Plan, Occurrence)}
        names = sorted(session.scalars(select(Unit.name)))
    return {"counts": counts, "retired": retired, "names": names}


def test_a_sync_of_any_broken_tree_leaves_the_store_as_it_was(synced, tmp_path):
    import shutil

    from .conftest import MINI

    before = snapshot(synced)
    for case in CASES:
        folder = tmp_path / case.name
        shutil.copytree(MINI, folder)
        break_tree(case, folder)
        result = CliRunner().invoke(app, ["sync", str(folder), "--db", synced.url])
        assert result.exit_code == 2, (case.name, result.output)
        assert "Traceback" not in result.output and f"{case.file}:" in result.output, (case.name, result.output)
    assert snapshot(synced) == before


def test_held_by_names_a_body_the_unit_was_merged_or_split_into(mini_dir):
    """A duty's ``held_by`` for an ended unit must be its successor or one of its split parts."""
    edit(mini_dir / R, "    name: Sở Alpha\n    kind: department\n", "    name: Sở Alpha\n    kind: department\n"
         "    valid_until: 2025-02-28\n    successor: t.office\n    split_to: [{unit: t.beta, scope: báo chí}]\n")
    edit(mini_dir / P, "    support: [t.office]\n", "    support: [t.office]\n    held_by: {t.alpha: t.committee}\n")
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(mini_dir)
    (problem,) = caught.value.problems
    assert problem.field == "duties[0].held_by.t.alpha"
    assert "not one of the bodies 't.alpha' was merged or split into (t.office, t.beta)" in problem.message
    edit(mini_dir / P, "held_by: {t.alpha: t.committee}", "held_by: {t.alpha: t.beta}")
    assert load_catalogue(mini_dir).plans["t-plan"].duties[0].held_by == {"t.alpha": "t.beta"}
