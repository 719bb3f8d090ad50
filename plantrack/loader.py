"""Load a folder of plan definition files into a checked :class:`Catalogue`.

Every problem names the file, the line and the field, and says what was expected. Loading
is all or nothing: a single problem anywhere raises :class:`DefinitionError` with all the
problems found, and no caller gets a half-checked catalogue.

The work is split by idea: ``yamlfile`` reads a file's YAML (fast through the C parser, and
through the round-trip loader where a line must be named) and finds the line of a field;
``catalogue`` is what is loaded; ``crosscheck`` checks the files against each other;
``catalogue_cache`` keeps a loaded catalogue while its files are unchanged. Their public names
stay importable from here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .catalogue import Catalogue, SourceFile, to_work_calendar
from .errors import DefinitionError, Problem
from .schema import FILE_KINDS
from .yamlfile import (  # noqa: F401  (re-exported: the loader's names as they were)
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_NODES,
    _describe,
    _expanded_size,
    _field_path,
    _plain,
    _yaml,
    _yaml_problem,
    locate,
    parse_yaml_model,
    parse_yaml_model_fast,
    review_marks,
    round_trip_tree,
)

__all__ = ["Catalogue", "SourceFile", "definition_files", "load_catalogue", "locate", "parse_file", "parse_yaml_model",
           "review_marks", "to_work_calendar"]

YAML_SUFFIXES = (".yaml", ".yml")


def _definition_kind(tree: Any):
    kinds = [k for k in FILE_KINDS if isinstance(tree, dict) and k in tree]
    if "plan" in kinds and "registry" not in kinds:
        return FILE_KINDS["plan"]  # a plan may carry its own calendar
    if len(kinds) != 1:
        return "expected a mapping with exactly one of the top-level keys " + ", ".join(FILE_KINDS)
    return FILE_KINDS[kinds[0]]


def parse_file(path: Path, *, fast: bool = True) -> tuple[SourceFile | None, list[Problem]]:
    """The file's source (its tree and model), or its problems with their lines. ``fast``: read
    through the C parser, and again through the round-trip loader only when there is a problem
    to report (the same problems either way; ``yamlfile``)."""
    if fast:
        read = parse_yaml_model_fast(path, _definition_kind)
        if read is not None:
            tree, model, text = read
            return SourceFile(path, tree, model, text), []
    tree, model, problems = parse_yaml_model(path, _definition_kind)
    return (SourceFile(path, tree, model) if model is not None else None), problems


def definition_files(folder: Path) -> list[Path]:
    """The YAML files under ``folder`` (``.yaml``/``.yml`` in any case), following symbolic
    links to folders once each."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise DefinitionError([Problem(folder, 0, "(path)", "no such file or folder")])
    found, seen = [], set()
    for root, folders, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:  # a link back up the tree
            folders[:] = []
            continue
        seen.add(real)
        folders.sort()
        found += [Path(root) / name for name in files if Path(name).suffix.lower() in YAML_SUFFIXES and not name.startswith(".")]
        if len(found) > MAX_FILES:
            raise DefinitionError([Problem(folder, 0, "(path)", f"more than {MAX_FILES} definition files: is this the right folder?")])
    return sorted(found)


def load_catalogue(*folders: Path, fast: bool = True) -> Catalogue:
    """Parse and cross-check every YAML file under ``folders``; raise on any problem.
    ``fast=False`` reads every file through the round-trip loader (the problems are the same)."""
    paths = [p for folder in folders for p in definition_files(Path(folder))]
    sources, problems = [], []
    for path in paths:
        source, found = parse_file(path, fast=fast)
        problems += found
        if source is not None:
            sources.append(source)
    if problems:
        raise DefinitionError(problems)
    from .crosscheck import cross_check  # here: a catalogue taken from the cache needs none of its checks

    catalogue, problems = cross_check(sources)
    if problems:
        raise DefinitionError(problems)
    catalogue.files = paths
    return catalogue
