"""Errors a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PlantrackError(Exception):
    """A problem with the user's input or request; the message says what to do."""


@dataclass(frozen=True)
class Problem:
    """One problem in a plan definition file."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class DefinitionError(PlantrackError):
    """Plan definitions that cannot be loaded; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in plan definitions:\n{lines}")
