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

from typing import Annotated, Literal, Union

from croniter import croniter
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

_ID = r"^[a-z0-9][a-z0-9._-]*$"
Identifier = Annotated[str, Field(pattern=_ID, max_length=100)]


def _check_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address ({exc})") from None


def _check_cron(value: str) -> str:
    if not croniter.is_valid(value):
        raise ValueError(f"not a valid cron expression: {value!r} (expected 5 fields: minute hour day month weekday)")
    return value


Email = Annotated[str, AfterValidator(_check_email)]
CronExpression = Annotated[str, AfterValidator(_check_cron)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
]


class Contacts(Strict):
    to: list[Email] = []
    cc: list[Email] = []
    # Other apprise URLs (chat, webhook) for this unit; secrets go in the environment, not here.
    channels: list[str] = []


class UnitDef(Strict):
    id: Identifier
    name: str = Field(min_length=1)
    short_name: str | None = None
    kind: UnitKind
    parent: Identifier | None = None
    escalates_to: Identifier | None = None
    head: str | None = None  # the title of the unit's head, e.g. "Phó Chủ tịch UBND Thành phố"
    contacts: Contacts = Contacts()
    # "stated" when the source documents name the unit; "assumed" when the registry adds it.
    basis: Literal["stated", "assumed"] = "stated"
    note: str | None = None


class RegistryHeader(Strict):
    id: Identifier
    title: str


class RegistryFile(Strict):
    registry: RegistryHeader
    units: list[UnitDef] = Field(min_length=1)
    groups: dict[Identifier, list[Identifier]] = {}


# --- calendar ----------------------------------------------------------------------------


class CalendarDay(Strict):
    date: dt.date
    name: str


class CalendarDef(Strict):
    extra_holidays: list[CalendarDay] = []
    extra_working_days: list[CalendarDay] = []


class CalendarFile(Strict):
    calendar: CalendarDef


# --- plans -------------------------------------------------------------------------------


class SourceDocument(Strict):
    number: str
    title: str | None = None
    issued_on: dt.date | None = None
    issuer: str | None = None
    note: str | None = None


class Period(Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self


class PlanHeader(Strict):
    id: Identifier
    number: str = Field(min_length=1)  # e.g. "399/KH-BCĐ389"
    doc_type: Literal["ke_hoach", "cong_van", "quyet_dinh", "chi_thi", "thong_bao"] = "ke_hoach"
    title: str
    issuer: Identifier  # a unit id
    signed_by: str | None = None
    issued_on: dt.date
    period: Period | None = None  # inherited from the parent plan when absent
    parent: Identifier | None = None  # the plan this one implements
    sources: list[SourceDocument] = []


class DutyDef(Strict):
    id: Identifier
    section: str  # e.g. "III.1"
    text: str
    lead: list[Identifier] = []  # chủ trì: unit ids
    lead_groups: list[Identifier] = []  # chủ trì: whole groups (e.g. all 63 provinces)
    support: list[Identifier] = []  # phối hợp
    support_groups: list[Identifier] = []

    @model_validator(mode="after")
    def _has_lead(self) -> "DutyDef":
        if not self.lead and not self.lead_groups:
            raise ValueError("a duty needs a lead unit ('lead' or 'lead_groups')")
        return self


Wording = Literal["before", "at_latest_on"]
Basis = Literal["stated", "assumed"]


class _DueBase(Strict):
    # "stated": the source text gives this deadline; "assumed": the plan file sets a default
    # where the text defers to the standing office's guidance; ``note`` then says why.
    basis: Basis = "stated"
    note: str | None = None

    @model_validator(mode="after")
    def _assumption_is_explained(self):
        if self.basis == "assumed" and not self.note:
            raise ValueError("an assumed deadline needs a 'note' that says where the default comes from")
        return self


class OneOffDue(_DueBase):
    type: Literal["one_off"]
    before: dt.date | None = None  # "trước ngày X": the last day is X - 1
    at_latest_on: dt.date | None = None  # "chậm nhất ngày X": the last day is X

    @model_validator(mode="after")
    def _exactly_one_date(self) -> "OneOffDue":
        if (self.before is None) == (self.at_latest_on is None):
            raise ValueError("give exactly one of 'before' or 'at_latest_on'")
        return self


class CronDue(_DueBase):
    type: Literal["recurring"]
    cron: CronExpression  # evaluated in Asia/Ho_Chi_Minh; each firing date is a deadline
    wording: Wording = "at_latest_on"
    key_format: str = "%Y-%m-%d"  # strftime of the firing date, names the period


class ReportingPeriodDue(_DueBase):
    """Decree 09/2019 periods: a half-year runs 15/12–14/06 and 15/06–14/12, etc."""

    type: Literal["reporting_period"]
    period: Literal["month", "quarter", "half_year", "year"]
    cutoff_day: int = Field(14, ge=1, le=28)  # the last day of data in a period
    days_after_cutoff: int = Field(ge=0, le=60)  # calendar days from cut-off to the deadline
    wording: Wording = "at_latest_on"


class Milestone(Strict):
    key: Identifier  # e.g. "1y"
    label: str  # e.g. "Sơ kết 01 năm"
    years_after_start: int = Field(ge=1, le=20)


class MilestoneDue(_DueBase):
    """Reviews at anniversaries of the plan period: due N days after the covered year ends."""

    type: Literal["milestone"]
    milestones: list[Milestone] = Field(min_length=1)
    days_after: int = Field(ge=0, le=90)
    wording: Wording = "at_latest_on"


class AdhocDue(_DueBase):
    """Raised at run time (báo cáo đột xuất, báo cáo nhanh); no occurrence until requested."""

    type: Literal["adhoc"]
    working_days: int = Field(5, ge=1, le=60)  # default time allowed when a request is made


DueRule = Annotated[
    Union[OneOffDue, CronDue, ReportingPeriodDue, MilestoneDue, AdhocDue],
    Field(discriminator="type"),
]


class ObligationDef(Strict):
    id: Identifier
    title: str
    section: str  # where the source text creates this obligation
    duty: Identifier | None = None
    units: list[Identifier] = []
    groups: list[Identifier] = []
    submit_to: Identifier | None = None  # the unit that receives the deliverable
    channel: str | None = None  # how it is sent, as the text says (e.g. an e-mail address)
    due: DueRule

    @model_validator(mode="after")
    def _has_units(self) -> "ObligationDef":
        if not self.units and not self.groups:
            raise ValueError("an obligation needs 'units' or 'groups' (who owes it)")
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


class PlanFile(Strict):
    plan: PlanHeader
    calendar: CalendarDef | None = None
    escalation: EscalationPolicy | None = None
    duties: list[DutyDef] = []
    obligations: list[ObligationDef] = []


FILE_KINDS = {"registry": RegistryFile, "plan": PlanFile, "calendar": CalendarFile}


