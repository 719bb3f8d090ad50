"""Where a body's documents are dated: the place name of "Quảng Ngãi, ngày 21 tháng 11 năm 2025".

Decree 30/2020 (Appendix I) dates a document at the province or centrally-run city where its
issuer sits. The registry says where that is through its tree: a unit's place is the ``place``
it is given, else that of the nearest province-level body at or above it, named as its
documents name it ("Ủy ban nhân dân Tỉnh Quảng Ngãi" → "Quảng Ngãi", "Ủy ban nhân dân Thành phố
Hà Nội" → "Hà Nội"). A unit with no province above it (a ministry, the national committee) sits
in the capital. A city whose documents keep its full name ("Thành phố Hồ Chí Minh, ngày …")
says so with ``place`` in the registry.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

CAPITAL = "Hà Nội"  # the seat of the national bodies
_PREFIXES = re.compile(r"^(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+", re.IGNORECASE)
_LEVEL = re.compile(r"^(?:tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)
_DEPTH = 50  # a registry tree is checked for cycles; this only bounds a broken store


class PlaceNode(NamedTuple):
    parent: str | None
    kind: str
    name: str
    place: str | None  # the registry's own ``place``, if any


def province_place(name: str) -> str:
    """The place name of a province-level body, from its name: its People's Committee and its
    level ("Tỉnh", "Thành phố") dropped."""
    bare = _PREFIXES.sub("", name.strip())
    return _LEVEL.sub("", bare).strip() or name.strip()


def place_of(unit_id: str | None, node: Callable[[str], PlaceNode | None]) -> str:
    """The place where ``unit_id`` dates its documents; ``node`` gives a unit's entry (None
    when unknown). Walks up the tree to the first unit with a ``place`` or of kind
    ``province``; the capital when there is none."""
    seen = 0
    while unit_id is not None and seen < _DEPTH:
        entry = node(unit_id)
        if entry is None:
            break
        if entry.place:
            return entry.place
        if entry.kind == "province":
            return province_place(entry.name)
        unit_id, seen = entry.parent, seen + 1
    return CAPITAL
