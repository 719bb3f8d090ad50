"""``adhoc``: raised at run time (báo cáo đột xuất, báo cáo nhanh) by ``plantrack request``;
no occurrence until then. ``working_days`` is the default time allowed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Dated, DueBase, RuleContext, register


@register
class AdhocDue(DueBase):
    type: Literal["adhoc"]
    working_days: int = Field(5, ge=1, le=60)

    def expand(self, context: RuleContext) -> list[Dated]:
        return []  # a request makes its occurrences (tracking.request_adhoc)
