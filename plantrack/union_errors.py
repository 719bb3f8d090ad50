"""pydantic's errors for a value that may be written two ways, kept to the way it was written.

A field typed ``str | Model`` (a recipient given as a unit id or as ``{position, unit}``; a
group as a list or a rule) fails on both branches, and pydantic reports both, each under a
tag naming the branch (``function-after[_check_id(), str]``, ``Recipient``, ``list[…]``). An
author wrote one shape: only the errors of the branch of that shape are worth reading, under
the field's own path. A value of neither shape keeps every error.
"""

from __future__ import annotations

from typing import Any


def is_branch_tag(part: Any, node: Any, known_tags: set[str]) -> bool:
    """True when ``part`` of an error's location names a union branch, not a key of ``node``."""
    if not isinstance(part, str) or (isinstance(node, dict) and part in node):
        return False
    return part in known_tags or "[" in part or part[:1].isupper() or not isinstance(node, dict)


def _shape(tag: str) -> type | None:
    """The YAML shape a branch takes: a list, a mapping (a model) or a scalar; None: unknown."""
    if tag.startswith("function-") and tag.endswith("]"):  # a validator around a type: the type's shape
        return _shape(tag[:-1].rsplit(", ", 1)[-1].strip())
    if tag.startswith("list["):
        return list
    if tag[:1].isupper():
        return dict
    if tag.startswith(("str", "int", "float", "literal[", "date")):
        return str
    return None


def _written(value: Any) -> type:
    return list if isinstance(value, list) else dict if isinstance(value, dict) else str


def written_branch(errors: list[dict], tree: Any, known_tags: set[str]) -> list[dict]:
    """``errors`` without those of a union branch whose shape is not what the YAML holds there."""
    kept, dropped = [], {}
    for error in errors:
        node, wrong = tree, None
        for depth, part in enumerate(error["loc"]):
            if is_branch_tag(part, node, known_tags):
                shape = _shape(part)
                if shape is not None and shape is not _written(node):
                    wrong = tuple(error["loc"][:depth])
                break
            present = (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
            node = node[part] if present else None
        if wrong is None:
            kept.append(error)
        else:
            dropped.setdefault(wrong, []).append(error)
    places = {tuple(_place(e["loc"], tree, known_tags)) for e in kept}
    for place, errors_there in dropped.items():  # a value of neither shape: keep what each branch says
        if place not in places:
            kept += errors_there
    return kept


def _place(loc, tree, known_tags) -> list:
    """The location up to its first branch tag."""
    node, found = tree, []
    for part in loc:
        if is_branch_tag(part, node, known_tags):
            break
        found.append(part)
        present = (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        node = node[part] if present else None
    return found
