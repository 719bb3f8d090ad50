"""Labels and colours shared by the Excel workbook, the HTML page and the dashboard."""

from __future__ import annotations

from ..tracking import COUNTED, Status

DOC_TYPE_VI = {
    "ke_hoach": "Kế hoạch",
    "cong_van": "Công văn",
    "quyet_dinh": "Quyết định",
    "chi_thi": "Chỉ thị",
    "thong_bao": "Thông báo",
}
# Fill colours of the heat map (hex RGB), with a text colour readable on each.
STATUS_COLOUR = {
    Status.ON_TIME: ("2E7D32", "FFFFFF"),
    Status.LATE: ("F9A825", "000000"),
    Status.IN_PROGRESS: ("90CAF9", "000000"),
    Status.OVERDUE: ("C62828", "FFFFFF"),
    Status.NO_DEADLINE: ("D1C4E9", "000000"),  # open, the text gives no date: never chased
}
EMPTY_COLOUR = ("EEEEEE", "666666")
KIND_VI = {
    "committee": "Ban Chỉ đạo",
    "standing_office": "Cơ quan thường trực",
    "ministry": "Bộ, ngành",
    "province": "Tỉnh, thành phố",
    "department": "Sở, ngành",
    "agency": "Cơ quan",
    "district_committee": "BCĐ cấp huyện",
    "press": "Cơ quan báo chí",
    "organisation": "Tổ chức",
    "government": "Chính phủ",
}


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def plan_label(doc_type: str, number: str) -> str:
    return f"{DOC_TYPE_VI.get(doc_type, 'Văn bản')} số {number}"


STATUS_COLUMNS = list(COUNTED)
