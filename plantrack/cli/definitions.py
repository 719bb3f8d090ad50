"""Commands on the plan definitions: ``validate``, ``sync``, ``units``, ``import``. The store
(SQLAlchemy) is imported by the commands that use it: ``validate`` and ``import`` start without it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import PlantrackError
from .base import DEFAULT_DEFINITIONS, DbOption, app, err, out


@app.command()
def validate(paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: plan_definitions).")] = None):
    """Check plan definition files; print every problem with file, line and field. Exit 1
    (a warning) when they hold no plan at all."""
    from ..loader import load_catalogue

    folders = paths or [DEFAULT_DEFINITIONS]
    catalogue = load_catalogue(*folders)
    out.print(
        f"[green]OK[/]: {len(catalogue.files)} files, {len(catalogue.units)} units, {len(catalogue.plans)} plans, "
        f"{sum(len(p.duties) for p in catalogue.plans.values())} duties, "
        f"{sum(len(p.obligations) for p in catalogue.plans.values())} obligations."
    )
    for warning in catalogue.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    from ..addresses import unaddressed

    for plan in unaddressed(catalogue):
        err.print(f"[yellow]warning:[/] {plan.number} ({plan.plan_id}): {len(plan.missing)} of the {plan.owing} units owing its obligations "
                  f"have no address (no e-mail, no channel), e.g. {', '.join(plan.missing[:3])}: no notice reaches them", highlight=False)
    if not catalogue.plans:
        err.print(f"[yellow]warning:[/] no plan in {', '.join(map(str, folders))}: nothing would be tracked, and a sync of it "
                  "would retire every plan in the store (is it the right folder?)", highlight=False)
        raise typer.Exit(1)


@app.command()
def sync(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: plan_definitions).")] = None,
    allow_retire: Annotated[
        bool, typer.Option("--allow-retire", help="Retire whole plans or registries whose files are gone (refused otherwise).")
    ] = False,
    rewrite_deadlines: Annotated[
        bool, typer.Option("--rewrite-deadlines", help="Change stored deadlines that no amendment names (the plan file was wrong).")
    ] = False,
    db: DbOption = None,
):
    """Load plan definitions into the store: adds, changes and retires rows; idempotent. A
    changed deadline needs the amending document under the plan's 'amendments:'."""
    from ..loader import load_catalogue
    from ..store.database import Store, database_url
    from ..store.sync import occurrence_summary, sync_catalogue

    catalogue = load_catalogue(*(paths or [DEFAULT_DEFINITIONS]))
    store = Store(db)
    with store.transaction() as session:
        report = sync_catalogue(session, catalogue, Path.cwd(), allow_retire=allow_retire, rewrite_deadlines=rewrite_deadlines)
    if not report.is_empty:
        store.tidy()  # occurrences rewritten in bulk: the planner's statistics follow (PostgreSQL)
    if report.is_empty:
        out.print(f"Store {database_url(db)} is up to date: nothing changed.")
        return
    table = Table(title=f"Sync into {database_url(db)}")
    for column in ("kind", "added", "changed", "retired"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind, added, changed, retired in report.summary():
        table.add_row(kind, str(added), str(changed), str(retired))
    out.print(table)
    for action in ("added", "changed", "retired"):
        for kind in ("unit", "group", "plan", "duty", "obligation"):
            items = getattr(report, action).get(kind, [])
            if items and (action != "added" or len(items) <= 20):
                out.print(f"  {action} {kind}: {', '.join(items)}", highlight=False)
        for label, count in occurrence_summary(report, action):
            out.print(f"  {action} {count} occurrence(s) of {label}", highlight=False)


@app.command()
def units(
    registry: Annotated[Optional[str], typer.Option(help="Only this registry (national, hanoi...).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Only the bodies that exist on this day (a registry over time).")] = None,
    db: DbOption = None,
):
    """List the units in the store (with --as-of: the bodies of that day)."""
    from sqlalchemy import or_, select

    from ..calendar import local_date, read_as_of
    from ..store.database import Store
    from ..store.models import Unit

    store = Store(db)
    with store.session() as session:
        query = select(Unit).where(Unit.retired.is_(False)).order_by(Unit.registry_id, Unit.id)
        if registry:
            query = query.where(Unit.registry_id == registry)
        if as_of:
            day = local_date(read_as_of(as_of))
            query = query.where(or_(Unit.valid_from.is_(None), Unit.valid_from <= day), or_(Unit.valid_until.is_(None), Unit.valid_until >= day))
        table = Table()
        for header in ("id", "name", "kind", "escalates to", "exists", "successor"):
            table.add_column(header, overflow="fold")
        for row in session.scalars(query):
            lifetime = "" if not (row.valid_from or row.valid_until) else (
                f"{row.valid_from:%d/%m/%Y}" if row.valid_from else "") + "–" + (f"{row.valid_until:%d/%m/%Y}" if row.valid_until else "")
            table.add_row(row.id, row.name, row.kind, row.escalates_to_id or "", lifetime, row.successor_id or "")
    out.print(table)


@app.command("import")
def import_(
    document: Annotated[Path, typer.Argument(help="The plan: a .docx, a PDF with a text layer, or plain UTF-8 text.")],
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Where the draft is written.")] = Path("drafts"),
    registries: Annotated[Optional[list[Path]], typer.Option("--registry", help="Definitions whose units the plan names "
                                                               "(default: plan_definitions).")] = None,
):
    """Draft a plan definition from the plan document: header, duties, units and dated items,
    each uncertain entry marked `review:` with its reason. Review, then `plantrack validate`."""
    from ..untrusted import DOCUMENTS_ONLY, warm

    warm(DOCUMENTS_ONLY)  # the worker that reads the document starts while the drafting is imported and the registries load

    from ..catalogue_cache import cached_catalogue, default_cache_dir
    from ..importer import import_document, write_draft

    catalogue = cached_catalogue(*(registries or [DEFAULT_DEFINITIONS]), cache_dir=default_cache_dir())
    draft = import_document(document, catalogue)
    try:
        written = write_draft(draft, document, output_dir)
    except OSError as exc:
        raise PlantrackError(f"cannot write the draft into {output_dir}: {exc.strerror or exc}") from None
    summary = draft.summary()
    out.print(f"[green]Drafted[/] {draft.plan['number']} ({draft.plan['issued_on']:%d/%m/%Y}): {summary['duties']} duties, "
              f"{summary['obligations']} obligations, {summary['dated']} dated items, {summary['new units']} new units.")
    for path in written:
        out.print(f"  wrote {path}")
    if draft.reviews:
        out.print(f"[yellow]{draft.reviews} review marks[/] to resolve (`review:` in the files):")
        for code, count, example in draft.marks_by_reason():
            out.print(f"  {count:>4} × {example}", highlight=False)
        out.print(f"then: plantrack validate {' '.join(str(p) for p in (registries or [DEFAULT_DEFINITIONS]))} {output_dir}")
