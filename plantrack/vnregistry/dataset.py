"""The administrative tree of Viet Nam since 01/07/2025 as the build reads it: provinces and
their commune-level units with official codes (GSO), from the ``vietnam-provinces`` package.

Only ``plantrack registry build`` reads it (the package is the ``registry`` extra); no data is
fetched: the package ships its data. Tests build a ``Dataset`` by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import PlantrackError

# vietnam-provinces' division types -> unit kinds (schema.UnitKind).
KINDS = {"xã": "commune", "phường": "ward", "đặc khu": "special_zone"}


@dataclass(frozen=True)
class Division:
    """A commune-level unit: its official code, name as the dataset writes it ("Xã Tân Thành") and kind."""

    code: int
    name: str
    kind: str


@dataclass(frozen=True)
class Province:
    code: int
    name: str  # "Đồng Tháp", "Thành phố Hà Nội"
    is_city: bool  # a centrally governed city (thành phố trực thuộc trung ương)
    divisions: tuple[Division, ...] = ()

    @property
    def of(self) -> str:
        """The province as a body's name ends: "tỉnh Đồng Tháp", "thành phố Hà Nội"."""
        bare = self.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        return f"{'thành phố' if self.is_city else 'tỉnh'} {bare}"


@dataclass(frozen=True)
class Dataset:
    source: str  # the package and version, written in the generated files' header
    provinces: tuple[Province, ...] = field(default=())


def load_dataset() -> Dataset:
    """The tree shipped by the installed ``vietnam-provinces`` package."""
    try:
        import vietnam_provinces
    except ImportError:
        raise PlantrackError("the registry build needs the vietnam-provinces package: pip install 'plantrack[registry]' "
                             "(with -c constraints.txt)") from None
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        nested = json.load(handle)
    return from_nested(nested, f"vietnam-provinces {vietnam_provinces.__version__} (data of {vietnam_provinces.__data_version__})")


def from_nested(nested: list[dict], source: str) -> Dataset:
    """A ``Dataset`` from the package's nested JSON (provinces with their ``wards``)."""
    provinces = []
    for item in nested:
        divisions = []
        for ward in item["wards"]:
            kind = KINDS.get(ward["division_type"])
            if kind is None:
                raise PlantrackError(f"unknown division type {ward['division_type']!r} of {ward['name']} ({ward['code']})")
            divisions.append(Division(int(ward["code"]), ward["name"], kind))
        provinces.append(Province(int(item["code"]), item["name"], item["division_type"] != "tỉnh",
                                  tuple(sorted(divisions, key=lambda d: d.code))))
    return Dataset(source, tuple(sorted(provinces, key=lambda p: p.code)))
