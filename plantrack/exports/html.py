"""The progress report as one printable HTML page in Vietnamese (A4 landscape, no scripts)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..figures import format_value
from ..progress import ProgressReport
from .common import EMPTY_COLOUR, KIND_VI, STATUS_COLOUR, STATUS_COLUMNS, plan_label, rate_text

TEMPLATES = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html", "j2")),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(
    STATUS_COLUMNS=STATUS_COLUMNS, STATUS_COLOUR=STATUS_COLOUR, EMPTY_COLOUR=EMPTY_COLOUR, KIND_VI=KIND_VI,
    plan_label=plan_label, rate_text=rate_text, format_value=format_value,
)


def render_report(report: ProgressReport) -> str:
    return environment.get_template("progress.html.j2").render(report=report)


def write_html(report: ProgressReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(report), encoding="utf-8")
    return path
