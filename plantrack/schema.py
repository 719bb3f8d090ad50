"""The shape of plan definition files (YAML), as pydantic models.

Two kinds of file live under ``plan_definitions/``:

* a **unit registry** (top-level key ``registry``): organisations, their tree, contacts and
  escalation chain, plus named groups of units; registries are shared between plans;
* a **plan** (top-level key ``plan``): one Kế hoạch or Công văn with its duties and the
  obligations (deliverables with due rules) that those duties create;
* optionally one **calendar** file (top-level key ``calendar``) for deployment-wide holidays.

Everything here checks one file on its own; references between files (unit ids, parent
plans) are checked by :mod:`plantrack.loader`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, model_validator

from .masking import channel_url_problem
from .rules import (  # noqa: F401  (the rule models are part of the schema; re-exported)
    AdhocDue,
    AfterDue,
    Basis,
    CronDue,
    CronExpression,
    DueRule,
    ExternalDue,
    Milestone,
    MilestoneDue,
    OneOffDue,
    ReportingPeriodDue,
    Strict,
    UnscheduledDue,
    WithinDue,
    Wording,
)
from .text import control_character, identifier_problem
from .timeframes import TimeFrame

def _check_id(value: str) -> str:
    problem = identifier_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Identifier = Annotated[str, AfterValidator(_check_id)]


def _one_line(limit: int):
    def check(value: str) -> str:
        if (bad := control_character(value)) is not None:
            raise ValueError(f"must be one line without control characters (found {bad}); use a YAML block (|) only where text may span lines")
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters; this has {len(value)}")
        if not value.strip():
            raise ValueError("must not be empty")
        return value
    return AfterValidator(check)


def _block(limit: int):
    def check(value: str) -> str:
        if (bad := control_character(value, block=True)) is not None:
            raise ValueError(f"must not contain control characters (found {bad})")
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters; this has {len(value)}")
        return value
    return AfterValidator(check)


# One-line fields, sized to the store's columns where it has them (store/models.py).
Line = Annotated[str, _one_line(500)]  # names, titles, signers, labels
Number = Annotated[str, _one_line(100)]  # document numbers: plan.number is String(100)
Section = Annotated[str, _one_line(40)]  # section references: String(40)
Text = Annotated[str, _block(20000)]  # a duty's text, notes


def _check_email(value: str) -> str:
    # SMTPUTF8 is not assumed: an address must be ASCII on the wire (an IDN domain is
    # written in punycode), or every message to it would be refused by the server.
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).ascii_email
    except EmailNotValidError as exc:
        raise ValueError(f"not an e-mail address an SMTP server can take ({exc})") from None


def _check_channel(value: str) -> str:
    if len(value) > 2000:
        raise ValueError("a channel URL has at most 2000 characters")
    problem = channel_url_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Email = Annotated[str, AfterValidator(_check_email)]
ChannelUrl = Annotated[str, AfterValidator(_check_channel)]


# --- units -------------------------------------------------------------------------------

UnitKind = Literal[
    "government",  # Chính phủ, Thủ tướng
    "committee",  # Ban Chỉ đạo (national, provincial, district)
    "standing_office",  # Văn phòng / Cơ quan Thường trực
    "ministry",
    "agency",  # a department under a ministry, a provincial force (Công an TP, Cục Thuế...)
    "province",
    "department",  # Sở of a province or city
    "district_committee",  # BCĐ389 quận, huyện, thị xã
    "press",
    "organisation",  # socio-political organisation, association
    "commune",  # xã (UBND xã), since 01/07/2025 under a province directly
    "ward",  # phường
    "special_zone",  # đặc khu
    "enterprise",  # doanh nghiệp (telecom operators, platforms...)
]


class Contacts(Strict):
    to: list[Email] = Field(default=[], max_length=20)
    cc: list[Email] = Field(default=[], max_length=50)
    # Other apprise URLs (chat, webhook) for this unit; secrets go in the environment, not here.
    channels: list[ChannelUrl] = Field(default=[], max_length=10)


class SplitPart(Strict):
    """A body that took over part of an ended unit's remit, and which part, as the text of the
    reorganisation puts it (Bộ TT&TT: "báo chí, xuất bản" to Bộ VHTTDL, the rest to Bộ KH&CN)."""

    unit: Identifier
    scope: Line


class FormerName(Strict):
    """A name a unit bore until a day: a renamed body keeps its id, its duties and its history."""

    name: Line
    short_name: Line | None = None
    until: dt.date


class UnitDef(Strict):
    id: Identifier
    name: Line
    short_name: Line | None = None
    kind: UnitKind
    parent: Identifier | None = None
    escalates_to: Identifier | None = None
    head: Line | None = None  # the title of the unit's head, e.g. "Phó Chủ tịch UBND Thành phố"
    # Where its documents are dated ("Thành phố Hồ Chí Minh, ngày …"); without it, the nearest
    # province at or above it, or the capital (plantrack.places).
    place: Line | None = None
    contacts: Contacts = Contacts()
    # "stated" when the source documents name the unit; "assumed" when the registry adds it.
    basis: Literal["stated", "assumed"] = "stated"
    note: Text | None = None
    # A registry over time: when the body exists, and which body takes over when it ends (a
    # province merged on 01/07/2025 into another; a ministry merged on 01/03/2025).
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    successor: Identifier | None = None
    aliases: list[Line] = Field(default=[], max_length=20)  # other names texts use: "Bộ TT&TT"
    # Split from: the bodies that took over part of its remit when it ended (its ``successor``
    # takes the rest); a duty says which part it is with ``held_by``.
    split_to: list[SplitPart] = Field(default=[], max_length=10)
    former_names: list[FormerName] = Field(default=[], max_length=10)  # oldest first
    # Classes the texts name across the tree ("các lực lượng chức năng"): a group rule takes them.
    tags: list[Identifier] = Field(default=[], max_length=20)
    # Positions letters may address in this body ("Thủ tướng Chính phủ" of the government,
    # "Trưởng Ban Chỉ đạo" of a committee): a recipient written {position, unit} names one.
    positions: list[Line] = Field(default=[], max_length=20)

    @model_validator(mode="after")
    def _lifetime(self) -> "UnitDef":
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(f"valid_until ({self.valid_until}) is before valid_from ({self.valid_from})")
        if self.successor is not None and self.valid_until is None:
            raise ValueError("a unit with a successor needs 'valid_until': the last day it exists")
        if self.successor == self.id:
            raise ValueError("a unit cannot be its own successor")
        if self.split_to and self.valid_until is None:
            raise ValueError("a unit split into others needs 'valid_until': the last day it exists")
        if any(part.unit == self.id for part in self.split_to):
            raise ValueError("a unit cannot be split into itself")
        days = [n.until for n in self.former_names]
        if days != sorted(set(days)):
            raise ValueError("former_names go oldest first, each with a later 'until'")
        if days and self.valid_until is not None and days[-1] >= self.valid_until:
            raise ValueError(f"a former name ends on {days[-1]}, not before the unit itself ends ({self.valid_until})")
        if days and self.valid_from is not None and days[0] < self.valid_from:
            raise ValueError(f"a former name ends on {days[0]}, before the unit exists ({self.valid_from})")
        return self

    def exists_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None or day <= self.valid_until)

    def names(self) -> list[tuple[str, dt.date | None, dt.date | None]]:
        """Every full name with the days it was in force (None: open): former names, then the current."""
        found, start = [], self.valid_from
        for former in self.former_names:
            found.append((former.name, start, former.until))
            start = former.until + dt.timedelta(days=1)
        found.append((self.name, start, self.valid_until))
        return found

    def name_on(self, day: dt.date) -> tuple[str, str | None]:
        """The name and short name in force on ``day`` (the current ones after the last rename)."""
        for former in self.former_names:
            if day <= former.until:
                return former.name, former.short_name
        return self.name, self.short_name


class RegistryHeader(Strict):
    id: Identifier
    title: Line


class GroupRule(Strict):
    """A group given by a rule: every unit of these kinds under a unit, at any depth
    ("UBND các phường, xã, đặc khu" of a province); without ``under``, across the whole
    registry ("các doanh nghiệp"); with ``tags``, the units that carry one of them ("các lực
    lượng chức năng", outside the territorial tree). A unit must meet every part given. It is
    filled from the registry at each load, so a unit added later joins it and takes on its
    obligations at the next sync; who owes each occurrence is the body of its deadline's day."""

    kinds: list[UnitKind] = []
    tags: list[Identifier] = Field(default=[], max_length=20)
    under: Identifier | None = None

    @model_validator(mode="after")
    def _says_who(self) -> "GroupRule":
        if not self.kinds and not self.tags:
            raise ValueError("a group rule needs 'kinds' (unit kinds) or 'tags' (units' tags), with 'under' or across the registry")
        return self

    def takes(self, unit: "UnitDef", under) -> bool:
        """True when ``unit`` meets the rule; ``under(unit_id, ancestor)`` says where it sits."""
        return ((not self.kinds or unit.kind in self.kinds) and (not self.tags or bool(set(unit.tags) & set(self.tags)))
                and (self.under is None or under(unit.id, self.under)))


class RegistryFile(Strict):
    registry: RegistryHeader
    units: list[UnitDef] = Field(default=[], max_length=20000)
    groups: dict[Identifier, list[Identifier] | GroupRule] = Field(default={}, max_length=1000)

    @model_validator(mode="after")
    def _holds_something(self) -> "RegistryFile":
        # A registry of groups alone is one (an imported plan's draft groups over registered units).
        if not self.units and not self.groups:
            raise ValueError("a registry needs 'units' (at least one) or 'groups'")
        return self


# --- calendar ----------------------------------------------------------------------------


class CalendarDay(Strict):
    date: dt.date
    name: Line


class CalendarDef(Strict):
    extra_holidays: list[CalendarDay] = []
    extra_working_days: list[CalendarDay] = []
    # "trước ngày X" when X - 1 is a rest day (calendar.WorkCalendar.before_on_rest_day).
    before_on_rest_day: Literal["civil_code", "previous_working_day"] | None = None


class CalendarFile(Strict):
    calendar: CalendarDef


# --- plans -------------------------------------------------------------------------------


class SourceDocument(Strict):
    number: Number
    title: Line | None = None
    issued_on: dt.date | None = None
    issuer: Line | None = None
    note: Text | None = None


class ReplacedDocument(Strict):
    """A plan this one replaces ("Thay thế Quyết định số …"): often a predecessor body's plan
    (three provinces merged in 2025, three plans replaced by one). With ``plan`` naming a plan
    in the catalogue, that plan ends the day before this one takes effect: its later
    occurrences are retired by the next sync, what was handed in is kept."""

    number: Number
    issued_on: dt.date | None = None
    issuer: Line | None = None
    title: Line | None = None
    plan: Identifier | None = None  # the replaced plan's id, when it is encoded


class Period(Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self


# ``submit_to: superior``: each unit hands in to its own managing body (its parent in the
# registry, the body that holds it on the deadline), not one unit for all.
SUPERIOR = "superior"


class Recipient(Strict):
    """A recipient named by a position of a unit ("Thủ tướng Chính phủ" of the government):
    letters name the position ("Kính gửi: Thủ tướng Chính phủ", "báo cáo Thủ tướng Chính
    phủ"), and what is sent goes to the unit's addresses. The unit's entry lists the position
    (``positions``, or its ``head``)."""

    position: Line
    unit: Identifier


def recipient_unit(recipient: "str | Recipient | None") -> str | None:
    """The unit a recipient names (None for none, or for ``superior``, which depends on the unit)."""
    if isinstance(recipient, Recipient):
        return recipient.unit
    return None if recipient in (None, SUPERIOR) else recipient


class Coordination(Strict):
    """Who coordinates a plan: its standing office (escalation level 1) and its head (level 2).
    A plan's escalations follow this chain, not the units' own ``escalates_to``. Either may be
    a position of its unit (``head: {position: "Thủ tướng Chính phủ", unit: vn.government}``):
    the letters to it then say "Kính gửi: Thủ tướng Chính phủ"."""

    office: Identifier | Recipient
    head: Identifier | Recipient | None = None

    @property
    def office_id(self) -> str:
        return recipient_unit(self.office)

    @property
    def head_id(self) -> str | None:
        return recipient_unit(self.head)

    def as_stored(self) -> dict:
        """{"office": id, "head": id, "positions": {id: position}} (no empty parts)."""
        positions = {r.unit: r.position for r in (self.office, self.head) if isinstance(r, Recipient)}
        return {"office": self.office_id, **({"head": self.head_id} if self.head else {}), **({"positions": positions} if positions else {})}


class PlanHeader(Strict):
    id: Identifier
    number: Number  # e.g. "399/KH-BCĐ389"
    doc_type: Literal["ke_hoach", "cong_van", "quyet_dinh", "chi_thi", "thong_bao"] = "ke_hoach"
    title: Line
    issuer: Identifier  # a unit id
    signed_by: Line | None = None
    issued_on: dt.date
    period: Period | None = None  # inherited from the parent plan when absent
    # Many texts state no period: the plan file then sets one, says so and why.
    period_basis: Basis = "stated"
    period_note: Text | None = None
    parent: Identifier | None = None  # the plan this one implements
    sources: list[SourceDocument] = Field(default=[], max_length=100)
    replaces: list[ReplacedDocument] = Field(default=[], max_length=50)
    effective_from: dt.date | None = None  # "có hiệu lực kể từ ngày ký": the issue date when absent
    coordination: Coordination | None = None  # without it, each unit's escalates_to chain

    @model_validator(mode="after")
    def _period_explained(self) -> "PlanHeader":
        if self.period_basis == "assumed" and not self.period_note:
            raise ValueError("an assumed period needs a 'period_note' that says where it comes from")
        return self


class AssumedRoles(Strict):
    """Units a duty names that the text does not (an inference: "các đơn vị thuộc Bộ" read as
    C03 and A05), with the reason: shown as assumed, never as the text's word."""

    units: list[Identifier] = Field(min_length=1)
    note: Text


class CheckIn(Strict):
    """How often a running duty's leads report its progress, as a 5-field cron expression
    (``0 0 25 * *``: by the 25th of each month), and what the text calls the report."""

    cron: CronExpression
    title: Line = "Báo cáo tiến độ thực hiện nhiệm vụ"
    basis: Basis = "stated"
    note: Text | None = None
    submit_to: Identifier | None = None  # default: the plan's coordinating office


class DutyDef(Strict):
    id: Identifier
    section: Section  # e.g. "III.1"
    text: Text
    lead: list[Identifier] = []  # chủ trì: unit ids
    lead_groups: list[Identifier] = []  # chủ trì: whole groups (e.g. all 63 provinces)
    support: list[Identifier] = []  # phối hợp
    support_groups: list[Identifier] = []
    either: list[Identifier] = []  # "chủ trì hoặc phối hợp": leads or supports, as its remit decides
    either_groups: list[Identifier] = []
    assumed: AssumedRoles | None = None
    # When it runs ("thường xuyên", a window, from a date until an event); without one, the
    # duty runs over the whole plan period.
    timeframe: TimeFrame | None = None
    # Where the lag of this duty's obligations escalates (level 1, then 2), where the plan's
    # chain is not the right one; an obligation's own escalate_to wins over it.
    escalate_to: list[Identifier] | None = Field(default=None, min_length=1, max_length=2)
    # A running duty's progress report ("báo cáo tiến độ"), when the plan asks one of its lead
    # units: each becomes an obligation of the duty (``<duty id>.tien-do``), due at every firing
    # of the cron expression within the duty's time frame.
    check_in: "CheckIn | None" = None
    # Who holds this duty for a unit that ended split into several bodies: {ended unit: the
    # part (its successor or one of its split_to) whose remit this duty falls in}.
    held_by: dict[Identifier, Identifier] = Field(default={}, max_length=20)

    @model_validator(mode="after")
    def _has_lead(self) -> "DutyDef":
        if not (self.lead or self.lead_groups or self.either or self.either_groups or self.support or self.support_groups):
            raise ValueError("a duty needs a unit: 'lead' (chủ trì), 'support' (phối hợp) or 'either' (chủ trì hoặc phối hợp)")
        if self.assumed is not None:
            named = set(self.lead) | set(self.support) | set(self.either)
            stray = [u for u in self.assumed.units if u not in named]
            if stray:
                raise ValueError(f"assumed.units must be units this duty names in lead, support or either: {', '.join(stray)}")
        return self


IndicatorKind = Literal["count", "amount", "percentage", "yes_no", "text"]
# How an indicator's figures add up across units and up the tree: a sum (cases, fines), the
# largest, the latest reported, a ratio of two other indicators (their sums, as a percentage),
# or not at all (a text, a percentage reported without its parts).
Aggregation = Literal["sum", "max", "latest", "ratio", "none"]
DEFAULT_AGGREGATION = {"count": "sum", "amount": "sum", "percentage": "none", "yes_no": "sum", "text": "none"}


class IndicatorDef(Strict):
    """What a report must contain: one figure ("Số vụ kiểm tra", in vụ), its kind, whether it
    counts what happened within the period (``flow``) or the state at its end (``stock``), and
    how it aggregates. Defined under the plan's ``indicators:`` (a reporting regime), which its
    implementing plans inherit; an obligation lists the ones its report carries."""

    id: Identifier
    name: Line
    unit_of_measure: Line | None = None  # "vụ", "đồng", "%", "trang web"
    kind: IndicatorKind = "count"
    measure: Literal["flow", "stock"] = "flow"
    aggregate: Aggregation | None = None  # default: by kind (DEFAULT_AGGREGATION)
    ratio_of: list[Identifier] | None = Field(default=None, min_length=2, max_length=2)  # [numerator, denominator]
    basis: Basis = "stated"
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "IndicatorDef":
        if self.basis == "assumed" and not self.note:
            raise ValueError("an assumed indicator needs a 'note' that says where it comes from")
        if (self.aggregation == "ratio") != (self.ratio_of is not None):
            raise ValueError("'aggregate: ratio' and 'ratio_of: [numerator, denominator]' go together")
        if self.aggregation == "ratio" and self.kind != "percentage":
            raise ValueError("a ratio of two indicators is a percentage: give 'kind: percentage'")
        if self.kind == "text" and self.aggregation != "none":
            raise ValueError("a text indicator does not add up: leave 'aggregate' out")
        return self

    @property
    def aggregation(self) -> str:
        return self.aggregate or DEFAULT_AGGREGATION[self.kind]


class Baseline(Strict):
    value: float = Field(ge=0, allow_inf_nan=False)
    on: dt.date
    written: Line | None = None  # the text's words ("hiện có khoảng 180 trạm")


# How a target's figure rolls up over the units responsible, where the plan says (else by the
# indicator's aggregation, a percentage as the mean of the units that reported):
# ``weighted`` is the mean weighted by another indicator each unit reports (``weight``).
Rollup = Literal["sum", "max", "min", "mean", "weighted", "latest"]


class TargetDef(Strict):
    """A quantitative target of the plan ("Phấn đấu đến năm 2025 100% cán bộ … được đào tạo"):
    an indicator's value by a day, from a baseline, for the units responsible, reported through
    one of the plan's obligations (whose report carries the indicator). Progress is judged
    against a straight path from the baseline to the target (``plantrack.targets``)."""

    id: Identifier
    name: Line
    indicator: Identifier
    # Without value and by, the entry is a baseline alone ("hiện có khoảng 180 trạm"): shown, not judged.
    value: float | None = Field(default=None, ge=0, allow_inf_nan=False)  # a figure to reach: .inf and .nan are refused
    by: dt.date | None = None
    baseline: Baseline | None = None  # without one, the path starts at 0 on the plan's first day
    rollup: Rollup | None = None  # how the units' figures make the plan's (default: by the indicator)
    weight: Identifier | None = None  # with rollup: weighted, the indicator each unit's figure is weighted by
    units: list[Identifier] = []
    groups: list[Identifier] = []
    obligation: Identifier  # the obligation of this plan (or, with the same id, of plans implementing it) that reports it
    basis: Basis = "stated"
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "TargetDef":
        if self.basis == "assumed" and not self.note:
            raise ValueError("an assumed target needs a 'note' that says where its figures come from")
        if not self.units and not self.groups:
            raise ValueError("a target needs the units responsible: 'units' or 'groups'")
        if (self.value is None) != (self.by is None):
            raise ValueError("a target gives 'value' and 'by' together (or neither, for a baseline alone)")
        if self.value is None and self.baseline is None:
            raise ValueError("an entry without a target value needs a 'baseline' (value, on, and the text's words)")
        if self.baseline is not None and self.by is not None and self.baseline.on >= self.by:
            raise ValueError(f"the baseline ({self.baseline.on}) must come before the target's day ({self.by})")
        if (self.rollup == "weighted") != (self.weight is not None):
            raise ValueError("'rollup: weighted' and 'weight: <indicator>' go together")
        return self

    @property
    def judged(self) -> bool:
        """False for a baseline alone: there is no path to judge figures against."""
        return self.value is not None


class ObligationDef(Strict):
    id: Identifier
    title: Line
    section: Section  # where the source text creates this obligation
    duty: Identifier | None = None
    units: list[Identifier] = []
    groups: list[Identifier] = []
    # Who receives the deliverable: a unit, a position of one ({position, unit}), or
    # ``superior`` (each unit's own managing body, on the deadline).
    submit_to: Identifier | Recipient | None = None
    # "đồng gửi": the units that receive a copy of it; named in the reminders, copied on them.
    copy_to: list[Identifier | Recipient] = Field(default=[], max_length=20)
    # "assumed" when the text names no recipient and the plan file chooses one (a task table's
    # product handed to the body that coordinates the table); ``submit_to_note`` says why.
    submit_to_basis: Basis = "stated"
    submit_to_note: Text | None = None
    channel: Line | None = None  # how it is sent, as the text says (e.g. an e-mail address)
    # Who is told when it lags, level 1 then level 2, where the plan's chain is not the right
    # one (a report owed to Bộ Công an escalates there, not to the plan's standing office).
    escalate_to: list[Identifier] | None = Field(default=None, min_length=1, max_length=2)
    # The figures its report carries: ids of indicators of this plan or of a plan it implements.
    indicators: list[Identifier] = Field(default=[], max_length=50)
    due: DueRule

    @model_validator(mode="after")
    def _has_units(self) -> "ObligationDef":
        if not self.units and not self.groups:
            raise ValueError("an obligation needs 'units' or 'groups' (who owes it)")
        if self.submit_to_basis == "assumed" and (self.submit_to is None or not self.submit_to_note):
            raise ValueError("an assumed recipient needs 'submit_to' and a 'submit_to_note' that says where it comes from")
        return self


class EscalationPolicy(Strict):
    """When units are reminded and lagging units escalated, in working days around a deadline.

    Level 1 goes to the unit's ``escalates_to`` (the standing office), level 2 one step further
    up (the steering committee head). A plan without a policy inherits its parent's, and the
    defaults below apply at the top.
    """

    reminders_before: list[int] = Field(default=[5, 2, 1], max_length=10)  # working days before
    notice_on_due_day: bool = True
    overdue_every: int = Field(3, ge=1, le=60)  # working days between overdue notices
    level1_after: int = Field(5, ge=1, le=120)  # working days overdue
    level2_after: int = Field(10, ge=2, le=240)

    @model_validator(mode="after")
    def _ordered(self) -> "EscalationPolicy":
        if any(n < 1 for n in self.reminders_before) or len(set(self.reminders_before)) != len(self.reminders_before):
            raise ValueError("reminders_before takes distinct whole numbers of working days, each at least 1")
        if self.level2_after <= self.level1_after:
            raise ValueError("level2_after must be later than level1_after")
        return self


class Amendment(Strict):
    """A document that amends the plan (a Kế hoạch or Quyết định sửa đổi, bổ sung): a sync that
    changes the deadlines of the obligations it names records each change as of
    ``effective_from`` and keeps the history; hand-ins before then keep the deadline then in
    force. A changed deadline that no amendment names is refused."""

    number: Number
    issued_on: dt.date
    effective_from: dt.date
    title: Line | None = None
    obligations: list[Identifier] = Field(min_length=1)  # what it changes
    note: Text | None = None


class PlanFile(Strict):
    plan: PlanHeader
    amendments: list[Amendment] = Field(default=[], max_length=100)
    calendar: CalendarDef | None = None
    escalation: EscalationPolicy | None = None
    indicators: list[IndicatorDef] = Field(default=[], max_length=200)  # inherited by the plans implementing it
    targets: list[TargetDef] = Field(default=[], max_length=200)
    duties: list[DutyDef] = Field(default=[], max_length=2000)
    obligations: list[ObligationDef] = Field(default=[], max_length=2000)


FILE_KINDS = {"registry": RegistryFile, "plan": PlanFile, "calendar": CalendarFile}


