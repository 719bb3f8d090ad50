"""``plantrack registry build``: the registry of Viet Nam since 01/07/2025, generated from the
``vietnam-provinces`` dataset and the table of provincial bodies (plantrack.vnregistry)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .base import DEFAULT_DEFINITIONS, app, out, sub_app

registry_app = sub_app("The unit registries generated from maintained data.")
app.add_typer(registry_app, name="registry")

SHOWN = 15  # ids listed per kind of change; the rest counted


@registry_app.command("build")
def build(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder of the generated files.")] = DEFAULT_DEFINITIONS / "registries" / "vn-2025",
    definitions: Annotated[Path, typer.Option("--definitions", help="The hand-kept definitions the files refer to.")] = DEFAULT_DEFINITIONS,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
):
    """Generate the 34 provinces' bodies and commune-level units (ids from official codes,
    valid from 01/07/2025, no contacts). Shows what changed since the last build, by id,
    before writing; nothing is written when nothing changed."""
    from ..vnregistry.build import changes, defined_elsewhere, generate, load_table, read_units, write
    from ..vnregistry.dataset import load_dataset

    dataset = load_dataset()
    taken_units, taken_groups = defined_elsewhere(definitions, output)
    result = generate(dataset, load_table(), taken_units, taken_groups)
    diff = changes(read_units(output), result.units())
    communes = sum(len(p.divisions) for p in dataset.provinces)
    out.print(f"{dataset.source}: {len(dataset.provinces)} provinces, {communes} communes, wards and special zones; "
              f"{len(result.units())} units in {len(result.files)} files; {len(result.kept)} bodies kept as defined by hand.",
              highlight=False)
    if diff.empty:
        out.print(f"{output} is up to date: nothing changed.", highlight=False)
        return
    for label, ids in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
        if ids:
            more = f" … and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
            out.print(f"  {label} {len(ids)}: {', '.join(ids[:SHOWN])}{more}", highlight=False)
    if diff.renamed:
        out.print(f"  renamed {len(diff.renamed)}:", highlight=False)
        for unit_id, before, after in diff.renamed[:SHOWN]:
            out.print(f"    {unit_id}: {before} → {after}", highlight=False)
    if dry_run:
        out.print("dry run: nothing written.")
        return
    written = write(result, output)
    out.print(f"[green]wrote[/] {len(written)} files into {output}", highlight=False)
