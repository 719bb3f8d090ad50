"""URLs that may carry secrets: what a plan file may write in a unit's channel URL, and how
any URL is shown (logs, pages, the proof of notice).

A channel URL reads secrets only from variables named ``PLANTRACK_CHANNEL_…`` and holds no
token of its own; ``mask_url`` hides passwords, query values and token-like parts.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CHANNEL_PREFIX = "PLANTRACK_CHANNEL_"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A URL part that looks like a token: long, with letters and digits (webhook ids, API keys).
_TOKEN = re.compile(r"(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{12,}")


def variables_of(url: str) -> list[str]:
    return VARIABLE.findall(url)


def channel_url_problem(url: str) -> str | None:
    """Why a channel URL may not stand in a plan file, or None (the loader asks)."""
    if any(ord(c) < 32 or c.isspace() for c in url):
        return "a channel URL is one line without spaces"
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url):
        return "a channel URL starts with an apprise scheme, e.g. json://, tgram://, slack://"
    for name in variables_of(url):
        if not name.startswith(CHANNEL_PREFIX):
            return f"${{{name}}}: a channel URL may only read variables named {CHANNEL_PREFIX}… (e.g. ${{{CHANNEL_PREFIX}HANOI_HOOK}})"
    if _TOKEN.search(VARIABLE.sub("", url)):
        return f"this URL holds what looks like a secret token: put it in a {CHANNEL_PREFIX}… variable and write ${{{CHANNEL_PREFIX}…}}"
    return None


def mask_url(url: str) -> str:
    """``url`` fit to show: the password, every query value and every token-like part of the
    host or path replaced by ``***``; ``${…}`` references kept (they are names, not values)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}" if ":" in user else f"***@{host}"
    path = _TOKEN.sub("***", parts.path)
    netloc = _TOKEN.sub("***", netloc)
    query = "&".join(f"{pair.split('=', 1)[0]}=***" for pair in parts.query.split("&") if pair) if parts.query else ""
    return f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "")
