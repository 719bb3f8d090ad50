"""The ``plantrack`` command: one app (``cli.app``) and one module per family of commands,
each registering its commands on it when imported.

Start-up is lazy: ``main`` imports only the module of the command it runs (``COMMANDS``), so
that ``plantrack import`` does not wait for the store, Prefect or the workbooks; ``--help``, an
unknown word, and ``from plantrack.cli import app`` import them all."""

from __future__ import annotations

import importlib
import sys

MODULES = ("access", "definitions", "delivery", "registry", "reports", "tracking")
COMMANDS = {  # each command (or group of commands) and the module that registers it; a test checks it
    "link": "access", "feed": "access", "serve": "access", "account": "access",
    "validate": "definitions", "sync": "definitions", "units": "definitions", "import": "definitions",
    "watch": "delivery", "dispatch": "delivery", "retry": "delivery", "replay": "delivery", "acknowledge": "delivery",
    "notices": "delivery",
    "registry": "registry",
    "report": "reports", "figures": "reports", "targets": "reports",
    "status": "tracking", "submit": "tracking", "extend": "tracking", "set-deadline": "tracking", "request": "tracking",
    "explain": "tracking", "calendar": "tracking", "scenario": "tracking", "duties": "tracking",
}


def load(modules: tuple[str, ...] = MODULES):
    """Import the command ``modules`` (they register their commands) and return the app."""
    for name in modules:
        importlib.import_module(f"{__name__}.{name}")
    from .base import app

    return app


def __getattr__(name: str):
    if name == "app":
        return load()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:  # console script
    command = next((word for word in sys.argv[1:] if not word.startswith("-")), None)
    app = load((COMMANDS[command],) if command in COMMANDS else MODULES)
    if len(app.registered_commands) + len(app.registered_groups) < 2:
        app = load()  # Typer runs a lone command without its name
    app(prog_name="plantrack")


__all__ = ["COMMANDS", "app", "load", "main"]
