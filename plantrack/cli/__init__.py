"""The ``plantrack`` command: one app (``cli.app``) and one module per family of commands,
each registering its commands on it when imported."""

from __future__ import annotations

from . import access, definitions, delivery, registry, reports, tracking  # noqa: F401  (they register their commands)
from .base import app


def main() -> None:  # console script
    app(prog_name="plantrack")


__all__ = ["app", "main"]
