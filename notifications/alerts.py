"""The delivery-alert path: warnings about delivery that do not depend on the mail server.

When the mail server refuses everything, the "Thư không gửi được" warning to the coordinating
office goes through that same server and is given up too. ``PLANTRACK_ALERT_URL`` names a
separate channel (any apprise URL: a chat, a webhook, another mail server) on which a run
posts, in addition to the e-mail warnings, one message saying what it gave up and whether it
stopped sending. The URL is the operator's (never a plan file's): it may carry its secret, and
it is shown masked.
"""

from __future__ import annotations

import os

import apprise

from plantrack.masking import mask_url

from .channels import DeliveryError
from .channels.email import notify

ALERT_URL_VARIABLE = "PLANTRACK_ALERT_URL"
LISTED = 30  # lines of a warning; the run's artifact and `plantrack notices` list them all


class AlertChannel:
    """Posts delivery warnings to one apprise URL."""

    def __init__(self, url: str):
        self.url = url

    @classmethod
    def from_environment(cls) -> "AlertChannel | None":
        """The channel named by ``PLANTRACK_ALERT_URL``, or None when it is not set."""
        url = os.environ.get(ALERT_URL_VARIABLE, "").strip()
        return cls(url) if url else None

    def warn(self, title: str, lines: list[str]) -> str | None:
        """Post ``title`` and ``lines``; returns None when posted, else why not (masked)."""
        body = "\n".join(lines[:LISTED] + ([f"… và {len(lines) - LISTED} dòng nữa"] if len(lines) > LISTED else []))
        try:
            notify(self.url, body, title, apprise.NotifyFormat.TEXT)
        except DeliveryError as exc:
            return f"{mask_url(self.url)}: {exc}".replace(self.url, mask_url(self.url))
        return None


def delivery_warning(report) -> tuple[str, list[str]] | None:
    """The warning a dispatch run's report calls for (title, lines), or None: something given
    up as undeliverable (a reminder, or a warning itself), or sending stopped."""
    if not report.undeliverable and not report.stopped:
        return None
    title = f"Thư không gửi được: {report.notices_undeliverable} thông báo"
    lines = [f"Không gửi được: {line}" for line in report.undeliverable]
    if report.stopped:
        title += "; đã dừng gửi"
        lines.insert(0, f"Dừng gửi (máy chủ thư không kết nối được), các thư còn lại chờ lần sau: {report.stopped}")
    return title, lines
