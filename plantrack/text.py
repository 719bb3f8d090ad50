"""Text that people type: one-line fields, short blocks, and the limits they share.

Used at every door text comes in by (plan files, the CLI, the dashboard's forms): a one-line
field has no control character at all (a CR LF in a plan number would reach every e-mail
subject); a block keeps line breaks and tabs only. Lengths match the store's columns.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import PlantrackError

MAX_NUMBER = 100  # document numbers (plan.number is String(100))
MAX_LINK = 2000
MAX_NOTE = 2000
MAX_TITLE = 500
MAX_REASON = 1000

_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BLOCK_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str, *, block: bool = False) -> str | None:
    """The first forbidden control character of ``text``, described (``U+000D``), or None."""
    found = (_BLOCK_CONTROL if block else _CONTROL).search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def single_line(text: str | None, what: str, limit: int) -> str | None:
    """``text`` stripped and NFC-normalised, or None if empty; PlantrackError if it has a
    control character or is longer than ``limit``."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text.strip())
    if not text:
        return None
    if (bad := control_character(text)) is not None:
        raise PlantrackError(f"the {what} must be one line without control characters (found {bad})")
    if len(text) > limit:
        raise PlantrackError(f"the {what} has {len(text)} characters; at most {limit}")
    return text


def text_block(text: str | None, what: str, limit: int) -> str | None:
    """Like ``single_line`` but line breaks and tabs are kept."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text.strip()).replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return None
    if (bad := control_character(text, block=True)) is not None:
        raise PlantrackError(f"the {what} must not contain control characters (found {bad})")
    if len(text) > limit:
        raise PlantrackError(f"the {what} has {len(text)} characters; at most {limit}")
    return text


def identifier_problem(value: str, limit: int = 100) -> str | None:
    """Why ``value`` is not an id (lower-case ASCII, digits, '.', '_', '-'), in words; the odd
    character is named, so that a Cyrillic look-alike does not print like the valid id."""
    if len(value) > limit:
        return f"an id has at most {limit} characters; this one has {len(value)}"
    if _ID.fullmatch(value):
        return None
    odd = next((c for c in value if not (c.isascii() and (c.islower() or c.isdigit() or c in "._-"))), None)
    why = (f"; {odd!r} (U+{ord(odd):04X} {unicodedata.name(odd, 'unnamed character')}) is not one of them"
           if odd is not None else "; it must start with a letter or a digit")
    return f"an id uses only lower-case ASCII letters a-z, digits and '.', '_' or '-'{why}"
