"""The CLI's one app: a Typer subclass that gives every command the same error handling,
the consoles, and the options and helpers the command modules share.

Every command registered on ``app`` runs inside ``handles_errors``: a problem in the plan
files, bad input, a store that cannot be opened or written, or any other failure becomes a
clear message and exit code 2, never a traceback (``PLANTRACK_DEBUG=1`` shows it). This is
an entry point: it may read the clock and the environment; nothing below it does. The
command modules import what a command needs inside it (the store, the calendar's holidays,
the tracking): ``plantrack --help`` and ``plantrack import`` start without them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..errors import DefinitionError, PlantrackError

MAX_ID = 2**62  # ids beyond this are not ids (a 20-digit number would overflow the store's integers)

# Piped output (CI logs, files) gets a wide table instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 170)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 170)


def handles_errors(command: Callable) -> Callable:
    """Expected errors as a message and exit code 2; nothing was committed."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except DefinitionError as exc:
            err.print(f"[bold red]error:[/] {len(exc.problems)} problem(s); nothing was loaded:", highlight=False)
            for problem in exc.problems:
                err.print(f"  {problem}", highlight=False, markup=False)
            raise typer.Exit(2) from None
        except PlantrackError as exc:
            err.print("[bold red]error:[/] ", end="", highlight=False)
            err.print(str(exc), highlight=False, markup=False)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted: what was not committed was rolled back", highlight=False)
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("PLANTRACK_DEBUG"):
                raise
            from ..store.database import describe_store_error, is_store_error

            if is_store_error(exc):
                message = describe_store_error(exc)
            elif isinstance(exc, (OSError, MemoryError)):
                message = f"{type(exc).__name__}: {exc}"
            else:
                message = f"unexpected {type(exc).__name__}: {exc} (PLANTRACK_DEBUG=1 shows the traceback)"
            err.print("[bold red]error:[/] ", end="", highlight=False)
            err.print(message, highlight=False, markup=False)
            raise typer.Exit(2) from None

    return wrapper


class PlantrackTyper(typer.Typer):
    """A Typer whose commands (and sub-apps' commands) all handle errors alike."""

    def command(self, *args: Any, **kwargs: Any) -> Callable:
        register = super().command(*args, **kwargs)
        return lambda function: register(handles_errors(function)) and function


app = PlantrackTyper(
    help="Track the execution of government plans: deadlines, statuses and submissions per unit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def sub_app(help_text: str) -> PlantrackTyper:
    return PlantrackTyper(help=help_text, no_args_is_help=True, pretty_exceptions_enable=False)


DEFAULT_DEFINITIONS = Path("plan_definitions")


def status_styles() -> dict:
    """Each status's colour. The statuses come with the store (SQLAlchemy), which a command
    that does not use it (``import``, ``validate``) does not import: built when asked for."""
    from ..tracking import Status

    return {Status.ON_TIME: "green", Status.LATE: "yellow", Status.IN_PROGRESS: "cyan", Status.OVERDUE: "bold red",
            Status.NOT_OPEN: "dim", Status.NO_DEADLINE: "magenta"}


def __getattr__(name: str):
    if name == "STATUS_STYLE":  # the name the command modules import
        return status_styles()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DbOption = Annotated[Optional[str], typer.Option("--db", help="Database URL (default: $PLANTRACK_DATABASE_URL or sqlite:///var/plantrack.db).")]


AsOfOption = Annotated[
    Optional[str], typer.Option("--as-of", help="Date (YYYY-MM-DD or DD/MM/YYYY: end of that day, Viet Nam time) or ISO instant; default now.")
]


LangOption = Annotated[str, typer.Option("--lang", help="vi or en.")]


OccurrenceOption = Annotated[Optional[int], typer.Option("--occurrence", "-o", min=1, max=MAX_ID, help="Occurrence id (from `status`).")]


PlanOption = Annotated[Optional[str], typer.Option("--plan", help="Plan id or number.")]


ObligationOption = Annotated[Optional[str], typer.Option("--obligation", help="Obligation id within the plan.")]


UnitOption = Annotated[Optional[str], typer.Option("--unit", help="Unit id.")]


PeriodOption = Annotated[Optional[str], typer.Option("--period", help="Period key, e.g. 2021-H1, 1y, once.")]


SmtpOption = Annotated[
    Optional[str],
    typer.Option("--smtp-url", help="apprise mailto:// URL of the SMTP server (default: $PLANTRACK_SMTP_URL).", show_default=False),
]


def as_of_or_now(text: str | None) -> dt.datetime:
    """``--as-of`` as every command reads it (``calendar.read_as_of``); absent, now."""
    from ..calendar import read_as_of

    return read_as_of(text) or dt.datetime.now(dt.timezone.utc)


def parse_instant(text: str | None, what: str, *, date_means_end_of_day: bool) -> dt.datetime:
    """``text`` read as an instant; ``None`` means now (the command line is an entry point)."""
    from ..calendar import read_instant

    if text is None:
        return dt.datetime.now(dt.timezone.utc)
    return read_instant(text, what, date_means_end_of_day=date_means_end_of_day)


def fmt_day(day: dt.date | None) -> str:
    """A date as people write it; "chưa có thời hạn" for work with no deadline yet."""
    from ..deadlines import deadline_text

    return deadline_text(day) if day else ""


def print_summary(rows, english: bool, title: str) -> None:
    from ..tracking import COUNTED, count_statuses, on_time_rate

    styles = status_styles()
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row.plan_number, row.obligation_title), []).append(row)
    table = Table(title=f"{'Summary' if english else 'Tổng hợp'} — {title}")
    table.add_column("Document" if english else "Văn bản")
    table.add_column("Obligation" if english else "Nghĩa vụ", overflow="fold")
    for status_ in COUNTED:
        table.add_column(status_.en if english else status_.vi, justify="right", style=styles[status_])
    table.add_column("On-time rate" if english else "Tỷ lệ đúng hạn", justify="right")
    for (number, title), members in groups.items():
        counts = count_statuses(members)
        rate = on_time_rate(counts)
        table.add_row(number, title, *(str(counts[s]) for s in COUNTED), f"{rate:.0%}" if rate is not None else "—")
    out.print(table)


STAGE_VI = {
    "reminder": "nhắc trước hạn", "due": "đến hạn", "overdue": "quá hạn",
    "escalation-1": "báo cáo cấp 1", "escalation-2": "báo cáo cấp 2",
}


def watch_line(report) -> str:
    stages = " · ".join(f"{STAGE_VI.get(k, k)} {v}" for k, v in sorted(report.by_stage.items())) or "không có thông báo mới"
    return (
        f"sắp đến hạn {report.count('due_soon')}, đến hạn hôm nay {report.count('due_today')}, "
        f"quá hạn (kế hoạch đang hiệu lực) {report.overdue_total}, báo cáo lên cấp trên {report.escalated} | {stages}"
    )
