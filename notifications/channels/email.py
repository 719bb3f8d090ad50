"""E-mail channels: the configured SMTP server, pooled (``smtp``) or through apprise (``apprise-email``).

The SMTP server is given as an apprise ``mailto://`` / ``mailtos://`` URL (user, password,
port, ``mode=insecure|ssl|starttls``, ``from=``), from ``PLANTRACK_SMTP_URL`` or a Prefect
Secret block, never from plan files; logs and the proof of notice only ever show it with the
password masked (apprise's own ``url(privacy=True)``).

- ``smtp`` (default): the message is built here, as multipart/alternative with our own plain
  text and HTML, and sent over one SMTP connection kept open per sending thread. apprise's
  e-mail plugin opens a connection and builds a fresh TLS context for every message, which
  measured 28 messages/s here (33 ms of the 36 go to loading the CA store); the pooled
  transport does several hundred. It speaks the SMTP exchange itself (MAIL, RCPT per
  address, DATA) rather than through ``smtplib.sendmail``, to know each address's answer and
  the phase a failure happened in:

  - the notice is delivered when at least one To address was accepted; refused Cc addresses
    are kept in the result. If no To address is accepted the message is not sent at all
    (RSET), and the failure is ``REFUSED`` when every To answer was 5xx, else ``TEMPORARY``;
  - 5xx to MAIL or DATA is ``REJECTED``, 4xx and network errors ``TEMPORARY``;
  - once the message's final dot is sent, no answer (timeout or a dropped connection) is
    ``UNKNOWN``: the server may have it, so it is neither re-sent on a new connection nor
    recorded as sent. The wait for that answer is ``data_timeout`` (RFC 5321: 10 minutes).
  Only a failure before MAIL FROM is accepted on a kept-open connection (the server closed
  it while idle) is tried again at once, on a fresh connection.
- ``apprise-email``: every message through apprise's e-mail plugin (a fresh ``Apprise``
  object per message, since one object throttles repeated sends). Slower, and apprise only
  says whether it worked: every failure is ``TEMPORARY``.

Outside production (``settings.DeliverySettings``) a sender refuses to start against a
non-local server unless every message is redirected to one address.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import queue
import smtplib
import ssl
import uuid
from email.utils import format_datetime, formataddr

import apprise

from plantrack.errors import PlantrackError
from plantrack.outbox import Digest
from plantrack.settings import ENVIRONMENT_VARIABLE, MAIL_REDIRECT_VARIABLE, DeliverySettings

from .base import Delivery, DeliveryError, FailureKind, register
from ..mime import Attachment, compose
from ..render import Rendered

SMTP_URL_VARIABLE = "PLANTRACK_SMTP_URL"
TRANSPORT_VARIABLE = "PLANTRACK_EMAIL_TRANSPORT"
ACCEPTED = (250, 251)
STAGING_MARK = "[THỬ NGHIỆM] "


def smtp_url(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get(SMTP_URL_VARIABLE) or None


def _email_plugin(url: str):
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None or plugin.service_name.lower() != "e-mail":
        scheme = url.split("://", 1)[0]
        raise PlantrackError(f"the SMTP URL must be an apprise mailto:// or mailtos:// URL, not {scheme}://…")
    return plugin


def is_local(host: str) -> bool:
    """A server on this machine (a sink, a relay that only the operator reads)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_reach(host: str, settings: DeliverySettings) -> None:
    """Refuse to mail the plan files' real addresses from a non-production setup."""
    if settings.production or settings.redirect_to or is_local(host):
        return
    raise PlantrackError(
        f"the SMTP server {host} is not on this machine, and this is not production: its messages would reach "
        f"the real addresses in the plan files. Set {MAIL_REDIRECT_VARIABLE}=you@example.org to receive every "
        f"message yourself, or {ENVIRONMENT_VARIABLE}=production to send to the units."
    )


def _checked_plugin(url: str, settings: DeliverySettings):
    """apprise's e-mail plugin for ``url``, once the server is allowed in this setup."""
    plugin = _email_plugin(url)
    check_reach(plugin.smtp_host, settings)
    return plugin


def _answer(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(text.split())}"[:200]


def _kind(code: int) -> FailureKind:
    return FailureKind.REJECTED if code >= 500 else FailureKind.TEMPORARY


class _Stale(Exception):
    """The kept-open connection failed before the server took anything: try a fresh one."""


@register("smtp")
class PooledSmtpSender:
    """E-mail over a pool of SMTP connections kept open between messages and between batches."""

    simulated = False

    def __init__(self, url: str, settings: DeliverySettings | None = None):
        settings = settings or DeliverySettings()
        plugin = _checked_plugin(url, settings)
        self.host, self.port = plugin.smtp_host, plugin.port
        self.user, self.password = plugin.user, plugin.password
        self.mode = str(plugin.secure_mode)
        self.timeout = plugin.socket_connect_timeout
        self.data_timeout = settings.data_timeout_s
        self.redirect_to = settings.redirect_to
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

    @staticmethod
    def _discard(connection: smtplib.SMTP | None) -> None:
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass

    def _envelope(self, to: list[str], cc: list[str]) -> tuple[list[str], list[str]]:
        return ([self.redirect_to], []) if self.redirect_to else (to, cc)

    def build(self, digest: Digest, message: Rendered, now: dt.datetime) -> str:
        extra = {"X-Plantrack-Notices": [str(i) for i in digest.notice_ids]}
        to, cc = self._envelope(digest.to, digest.cc)
        subject = message.subject
        if self.redirect_to:
            extra["X-Plantrack-Original-To"] = [", ".join(digest.to)]
            if digest.cc:
                extra["X-Plantrack-Original-Cc"] = [", ".join(digest.cc)]
            subject = STAGING_MARK + subject
        try:
            return compose(
                from_header=self.from_header, to=to, cc=cc, subject=subject,
                date=format_datetime(now), message_id=digest.message_id, text=message.text, html=message.html,
                extra=extra,
            )
        except ValueError as exc:  # an address we cannot put in a header
            raise DeliveryError(str(exc), FailureKind.REFUSED) from exc

    def send(self, digest: Digest, message: Rendered, now: dt.datetime) -> Delivery:
        if not digest.to:
            raise DeliveryError(f"{digest.recipient_id} has no e-mail address", FailureKind.REFUSED)
        email = self.build(digest, message, now)  # before connecting: a bad address is no SMTP error
        to, cc = self._envelope(digest.to, digest.cc)
        return self.transmit(to, cc, email)

    def send_document(
        self, to: list[str], cc: list[str], subject: str, text: str, html: str, attachments: list[Attachment], now: dt.datetime
    ) -> str:
        """A message that is not a digest (a progress report with its files); returns the server's answer."""
        if not to:
            raise DeliveryError("no recipient address", FailureKind.REFUSED)
        to, cc = self._envelope(to, cc)
        try:
            email = compose(
                from_header=self.from_header, to=to, cc=cc, subject=subject, date=format_datetime(now),
                message_id=f"<plantrack.report.{uuid.uuid4().hex}@plantrack.invalid>", text=text, html=html,
                attachments=attachments,
            )
        except ValueError as exc:
            raise DeliveryError(str(exc), FailureKind.REFUSED) from exc
        return self.transmit(to, cc, email).result

    def transmit(self, to: list[str], cc: list[str], email: str) -> Delivery:
        """Send a composed message over a kept-open connection; what each address was told."""
        payload = smtplib.quotedata(email).encode("ascii")
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        payload += b".\r\n"
        for fresh in (False, True):
            connection = None
            try:
                if not fresh:
                    try:
                        connection = self._idle.get_nowait()
                    except queue.Empty:
                        fresh = True
                if connection is None:
                    try:
                        connection = self._connect()
                    except (smtplib.SMTPException, OSError) as exc:  # no greeting, refused, TLS, login
                        kind = _kind(exc.smtp_code) if isinstance(exc, smtplib.SMTPResponseException) else FailureKind.TEMPORARY
                        raise DeliveryError(f"SMTP {self.host}:{self.port}: cannot connect: {exc}", kind, connection=True) from exc
                delivery = self._exchange(connection, to, cc, payload, reused=not fresh)
                self._idle.put(connection)
                return delivery
            except _Stale:
                self._discard(connection)
            except DeliveryError:
                self._discard(connection)
                raise
            except (smtplib.SMTPException, OSError) as exc:  # connect, TLS, login, or the server went away
                self._discard(connection)
                kind = _kind(exc.smtp_code) if isinstance(exc, smtplib.SMTPResponseException) else FailureKind.TEMPORARY
                raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}", kind) from exc
        raise DeliveryError(f"SMTP {self.host}:{self.port}: connection lost before MAIL FROM", FailureKind.TEMPORARY,
                            connection=True)

    def _exchange(self, connection: smtplib.SMTP, to: list[str], cc: list[str], payload: bytes, reused: bool) -> Delivery:
        server = f"{self.host}:{self.port}"
        try:
            connection.ehlo_or_helo_if_needed()
            code, text = connection.mail(self.envelope_from)
        except smtplib.SMTPServerDisconnected:
            if reused:
                raise _Stale() from None
            raise
        if code != 250:
            connection.rset()
            raise DeliveryError(f"SMTP {server}: MAIL FROM refused: {_answer(code, text)}", _kind(code))
        answers = {}
        for address in dict.fromkeys(to + cc):
            code, text = connection.rcpt(address)
            answers[address] = (code, _answer(code, text))
        accepted_to = [a for a in to if answers[a][0] in ACCEPTED]
        refused = {a: answer for a, (code, answer) in answers.items() if code not in ACCEPTED}
        if not accepted_to:
            connection.rset()
            kind = FailureKind.REFUSED if all(answers[a][0] >= 500 for a in to) else FailureKind.TEMPORARY
            said = "; ".join(f"{a}: {answer}" for a, answer in refused.items())
            raise DeliveryError(f"SMTP {server}: To address refused, not sent: {said}", kind, refused)
        code, text = connection.docmd("DATA")
        if code != 354:
            connection.rset()
            raise DeliveryError(f"SMTP {server}: DATA refused: {_answer(code, text)}", _kind(code))
        connection.send(payload)  # a failure here leaves the message without its final dot: not taken
        # From here on the server may hold the message: no answer means "unknown", not "failed".
        try:
            if connection.sock is not None:
                connection.sock.settimeout(self.data_timeout)
            code, text = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise DeliveryError(
                f"SMTP {server}: no answer after the message was sent ({exc}): it may have been delivered; "
                "not re-sent before the next try", FailureKind.UNKNOWN,
            ) from None
        finally:
            if connection.sock is not None:
                connection.sock.settimeout(self.timeout)
        if code != 250:
            raise DeliveryError(f"SMTP {server}: message refused: {_answer(code, text)}", _kind(code))
        accepted = [a for a in answers if answers[a][0] in ACCEPTED]
        result = f"accepted by {server} ({_answer(code, text)}) for {', '.join(accepted)}"
        if refused:
            result += "; refused: " + "; ".join(f"{a}: {answer}" for a, answer in refused.items())
        cc_accepted = [a for a in cc if a in accepted and a not in to]
        address = "To: " + ", ".join(accepted_to) + (("; Cc: " + ", ".join(cc_accepted)) if cc_accepted else "")
        return Delivery("email", address, result[:1000], refused)

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


def notify(url: str, body: str, title: str, body_format) -> str:
    """One message through a fresh Apprise object; apprise's log says why a send failed."""
    client = apprise.Apprise()
    if not client.add(url):
        raise DeliveryError("apprise does not accept this URL", FailureKind.REFUSED)
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = client.notify(body=body, title=title, body_format=body_format)
    if not ok:
        raise DeliveryError("apprise: " + (" ".join(log.getvalue().split())[:500] or "send failed"))
    return "sent"


@register("apprise-email")
class AppriseEmailSender:
    """E-mail through apprise's own e-mail plugin, one connection per message."""

    simulated = False

    def __init__(self, url: str, settings: DeliverySettings | None = None):
        settings = settings or DeliverySettings()
        plugin = _checked_plugin(url, settings)
        self.redirect_to = settings.redirect_to
        self.base = url
        self.safe_url = plugin.url(privacy=True)

    def send(self, digest: Digest, message: Rendered, now: dt.datetime) -> Delivery:
        if not digest.to:
            raise DeliveryError(f"{digest.recipient_id} has no e-mail address", FailureKind.REFUSED)
        to, cc = ([self.redirect_to], []) if self.redirect_to else (digest.to, digest.cc)
        query = {"to": ",".join(to), "+X-Plantrack-Notices": ",".join(str(i) for i in digest.notice_ids)}
        if cc:
            query["cc"] = ",".join(cc)
        separator = "&" if "?" in self.base else "?"
        url = self.base + separator + "&".join(f"{k}={apprise.utils.parse.quote(v, safe='@,')}" for k, v in query.items())
        subject = (STAGING_MARK if self.redirect_to else "") + message.subject
        notify(url, message.html, subject, apprise.NotifyFormat.HTML)
        return Delivery("email", "To: " + ", ".join(to) + (("; Cc: " + ", ".join(cc)) if cc else ""), "sent through apprise")

    def close(self) -> None:
        pass


TRANSPORTS = {"pooled": "smtp", "smtp": "smtp", "apprise": "apprise-email", "apprise-email": "apprise-email"}


def email_sender(url: str | None = None, transport: str | None = None, settings: DeliverySettings | None = None):
    """The e-mail channel configured by URL (or the environment); None when none is."""
    from .base import REGISTRY

    url = smtp_url(url)
    if url is None:
        return None
    transport = transport or os.environ.get(TRANSPORT_VARIABLE) or "smtp"
    if transport not in TRANSPORTS:
        raise PlantrackError(f"unknown e-mail transport {transport!r}: use 'smtp' or 'apprise-email'")
    return REGISTRY[TRANSPORTS[transport]](url, settings)
