"""Delivery channels: e-mail to the configured SMTP server, and any other apprise URL per unit.

The SMTP server is given as an apprise ``mailto://`` / ``mailtos://`` URL (user, password,
port, ``mode=insecure|ssl|starttls``, ``from=``), from ``PLANTRACK_SMTP_URL`` or a Prefect
Secret block, never from plan files; logs and the proof of notice only ever show it with the
password masked (apprise's own ``url(privacy=True)``).

Two e-mail transports read that URL:

- ``pooled`` (default): the message is built here, as multipart/alternative with our own plain
  text and HTML, and sent over one SMTP connection kept open per sending thread. apprise's
  e-mail plugin opens a connection and builds a fresh TLS context for every message, which
  measured 28 messages/s here (33 ms of the 36 go to loading the CA store); the pooled
  transport does several hundred.
- ``apprise``: every message through apprise's e-mail plugin (a fresh ``Apprise`` object per
  message, since one object throttles repeated sends). Slower, but the same code path as any
  other apprise channel.

A unit's other channels (``contacts.channels``: chat, webhook...) always go through apprise;
``${NAME}`` in such a URL is taken from the environment, so tokens stay out of the plan files.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import re
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.utils import format_datetime, formataddr
from typing import Protocol

import apprise

from plantrack.errors import PlantrackError
from plantrack.outbox import Digest

from .mime import Attachment, compose
from .render import Rendered

SMTP_URL_VARIABLE = "PLANTRACK_SMTP_URL"
TRANSPORT_VARIABLE = "PLANTRACK_EMAIL_TRANSPORT"


class DeliveryError(Exception):
    """A send that failed; the notices stay pending and are retried."""


@dataclass(frozen=True)
class Delivery:
    channel: str  # what the proof of notice shows: "email", or the apprise URL with secrets masked
    address: str
    result: str


class Sender(Protocol):
    def send(self, digest: Digest, message: Rendered, now: dt.datetime) -> Delivery: ...

    def close(self) -> None: ...


def smtp_url(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get(SMTP_URL_VARIABLE) or None


def _email_plugin(url: str):
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None or plugin.service_name.lower() != "e-mail":
        scheme = url.split("://", 1)[0]
        raise PlantrackError(f"the SMTP URL must be an apprise mailto:// or mailtos:// URL, not {scheme}://…")
    return plugin


def _addresses(digest: Digest) -> str:
    return "To: " + ", ".join(digest.to) + (("; Cc: " + ", ".join(digest.cc)) if digest.cc else "")


class PooledSmtpSender:
    """E-mail over a pool of SMTP connections kept open between messages and between batches."""

    def __init__(self, url: str):
        plugin = _email_plugin(url)
        self.host, self.port = plugin.smtp_host, plugin.port
        self.user, self.password = plugin.user, plugin.password
        self.mode = str(plugin.secure_mode)
        self.timeout = plugin.socket_connect_timeout
        self.from_header = formataddr(tuple(plugin.from_addr), charset="utf-8")
        self.envelope_from = plugin.from_addr[1]
        self.safe_url = plugin.url(privacy=True)
        self._idle: queue.SimpleQueue[smtplib.SMTP] = queue.SimpleQueue()
        self._context: ssl.SSLContext | None = None  # built once: loading the CA store costs ~30 ms

    def _connect(self) -> smtplib.SMTP:
        if self.mode in ("ssl", "starttls") and self._context is None:
            self._context = ssl.create_default_context()
        if self.mode == "ssl":
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.mode == "starttls":
                connection.starttls(context=self._context)
        if self.user and self.password:
            connection.login(self.user, self.password)
        return connection

    def _take(self) -> smtplib.SMTP:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._connect()

    @staticmethod
    def _discard(connection: smtplib.SMTP | None) -> None:
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass

    def build(self, digest: Digest, message: Rendered, now: dt.datetime) -> str:
        try:
            return compose(
                from_header=self.from_header, to=digest.to, cc=digest.cc, subject=message.subject,
                date=format_datetime(now), message_id=digest.message_id, text=message.text, html=message.html,
                extra={"X-Plantrack-Notices": [str(i) for i in digest.notice_ids]},
            )
        except ValueError as exc:  # an address we cannot put in a header
            raise DeliveryError(str(exc)) from exc

    def send(self, digest: Digest, message: Rendered, now: dt.datetime) -> Delivery:
        if not digest.to:
            raise DeliveryError(f"{digest.recipient_id} has no e-mail address")
        email = self.build(digest, message, now)  # before connecting: a bad address is no SMTP error
        return Delivery("email", _addresses(digest), self.transmit(digest.to + digest.cc, email))

    def send_document(
        self, to: list[str], cc: list[str], subject: str, text: str, html: str, attachments: list[Attachment], now: dt.datetime
    ) -> str:
        """A message that is not a digest (a progress report with its files); returns the server's answer."""
        if not to:
            raise DeliveryError("no recipient address")
        try:
            email = compose(
                from_header=self.from_header, to=to, cc=cc, subject=subject, date=format_datetime(now),
                message_id=f"<plantrack.report.{uuid.uuid4().hex}@plantrack.invalid>", text=text, html=html,
                attachments=attachments,
            )
        except ValueError as exc:
            raise DeliveryError(str(exc)) from exc
        return self.transmit(to + cc, email)

    def transmit(self, recipients: list[str], email: str) -> str:
        """Send a composed message over a kept-open connection; returns what the server said."""
        last_error: Exception | None = None
        for _ in range(2):  # a kept-open connection may have been closed by the server: reconnect once
            connection = None
            try:
                connection = self._take()
                refused = connection.sendmail(self.envelope_from, recipients, email)
                self._idle.put(connection)
                result = f"accepted by {self.host}:{self.port} for {len(recipients) - len(refused)} address(es)"
                if refused:
                    result += f"; refused: {', '.join(sorted(refused))}"
                return result
            except (smtplib.SMTPException, OSError) as exc:
                last_error = exc
                self._discard(connection)
                if isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)):
                    break
        raise DeliveryError(f"SMTP {self.host}:{self.port}: {last_error}")

    def close(self) -> None:
        while True:
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                return
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                pass


def _notify(url: str, body: str, title: str, body_format) -> str:
    """One message through a fresh Apprise object; apprise's log says why a send failed."""
    client = apprise.Apprise()
    if not client.add(url):
        raise DeliveryError("apprise does not accept this URL")
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = client.notify(body=body, title=title, body_format=body_format)
    if not ok:
        raise DeliveryError("apprise: " + (" ".join(log.getvalue().split())[:500] or "send failed"))
    return "sent"


class AppriseEmailSender:
    """E-mail through apprise's own e-mail plugin, one connection per message."""

    def __init__(self, url: str):
        plugin = _email_plugin(url)
        self.base = url
        self.safe_url = plugin.url(privacy=True)

    def send(self, digest: Digest, message: Rendered, now: dt.datetime) -> Delivery:
        if not digest.to:
            raise DeliveryError(f"{digest.recipient_id} has no e-mail address")
        query = {"to": ",".join(digest.to), "+X-Plantrack-Notices": ",".join(str(i) for i in digest.notice_ids)}
        if digest.cc:
            query["cc"] = ",".join(digest.cc)
        separator = "&" if "?" in self.base else "?"
        url = self.base + separator + "&".join(f"{k}={apprise.utils.parse.quote(v, safe='@,')}" for k, v in query.items())
        _notify(url, message.html, message.subject, apprise.NotifyFormat.HTML)
        return Delivery("email", _addresses(digest), "sent through apprise")

    def close(self) -> None:
        pass


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_environment(url: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise DeliveryError(f"environment variable {name} (used by a unit's channel URL) is not set")
        return os.environ[name]

    return _VARIABLE.sub(value, url)


def send_to_url(digest: Digest, message: Rendered) -> Delivery:
    """A unit's own apprise URL (chat, webhook...): the plain-text message."""
    if not digest.url:
        raise DeliveryError(f"{digest.recipient_id} has no channel {digest.channel}")
    url = expand_environment(digest.url)
    _notify(url, message.text, message.subject, apprise.NotifyFormat.TEXT)
    plugin = apprise.Apprise.instantiate(url)
    return Delivery(plugin.url(privacy=True) if plugin else digest.channel, digest.channel, "sent through apprise")


def email_sender(url: str | None = None, transport: str | None = None) -> Sender | None:
    """The e-mail sender configured by URL (or the environment); None when none is."""
    url = smtp_url(url)
    if url is None:
        return None
    transport = transport or os.environ.get(TRANSPORT_VARIABLE) or "pooled"
    if transport == "pooled":
        return PooledSmtpSender(url)
    if transport == "apprise":
        return AppriseEmailSender(url)
    raise PlantrackError(f"unknown e-mail transport {transport!r}: use 'pooled' or 'apprise'")
