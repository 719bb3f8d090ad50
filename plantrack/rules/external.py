"""``external``: a schedule set elsewhere ("theo tiến độ được giao của Luật …", "theo lộ trình
của Bộ …"). The plan keeps the reference; until a coordinator sets the date (``plantrack
set-deadline``, or the form on the plan's page, with the document that set it), the work is
tracked as open and shown "theo tiến độ của <reference>", never chased."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Dated, DueBase, RuleContext, once_without_date, register


@register
class ExternalDue(DueBase):
    type: Literal["external"]
    reference: str = Field(min_length=1, max_length=200)  # whose schedule: "Luật Dữ liệu", "Kế hoạch 123/KH-UBND"
    written: str | None = Field(default=None, min_length=1, max_length=300)  # the text's own words, when longer

    @property
    def phrase(self) -> str:
        return f"theo tiến độ của {self.reference}"

    def expand(self, context: RuleContext) -> list[Dated]:
        words = f"“{self.written}”" if self.written else f"“{self.phrase}”"
        return once_without_date(context, f"văn bản ghi {words}: thời hạn do {self.reference} ấn định.",
                                 f"the schedule is set by {self.reference}.", self.phrase)
