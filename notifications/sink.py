"""A local SMTP sink (aiosmtpd) that keeps what it receives: for the replay demo and the tests.

It is a real SMTP server on 127.0.0.1; messages are parsed back with the standard library,
and can be appended to an mbox file so a person can open them in a mail reader.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import mailbox
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.sink.rcpt_answers.get(address)
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refusal = "451 4.3.0 sink refusing mail for a test" if self.sink.refusing else self.sink.data_answer
        if refusal is None:  # kept before a slow answer, as a server that has queued it but is slow to say so
            self.sink._keep(envelope.original_content or envelope.content, list(envelope.rcpt_tos))
        if self.sink.data_delay:
            await asyncio.sleep(self.sink.data_delay)
        if refusal is None:
            self.sink.accepted_at.append(dt.datetime.now(dt.timezone.utc))
        return refusal or "250 2.0.0 OK: queued"


class SmtpSink:
    """``with SmtpSink() as sink: ... sink.url, sink.messages``"""

    def __init__(self, port: int = 0, mbox: Path | None = None, keep: bool = True):
        self.port = port
        self.keep = keep
        self.count = 0
        # For fault tests: answers other than 250, and a slow final reply to DATA.
        self.refusing = False  # 451 to every DATA
        self.rcpt_answers: dict[str, str] = {}  # address -> e.g. "550 5.1.1 no such user"
        self.data_answer: str | None = None  # e.g. "554 5.7.1 rejected"
        self.data_delay = 0.0  # seconds before the final reply to DATA (an accepted message is kept first)
        self.raw: list[bytes] = []
        self.accepted_at: list[dt.datetime] = []  # the wall clock as each final 250 to DATA was given
        self.envelopes: list[list[str]] = []
        self._mbox = mailbox.mbox(str(mbox)) if mbox else None
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def _keep(self, content: bytes, recipients: list[str]) -> None:
        with self._lock:
            self.count += 1
            if self.keep:
                self.raw.append(content)
                self.envelopes.append(recipients)
            if self._mbox is not None:
                self._mbox.add(content)

    @property
    def messages(self) -> list[EmailMessage]:
        """What was received, parsed back (with the modern policy: decoded headers and bodies)."""
        with self._lock:
            raw = list(self.raw)
        return [message_from_bytes(content, policy=policy.default) for content in raw]

    def start(self) -> "SmtpSink":
        if self.port == 0:
            import socket

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._mbox is not None:
            self._mbox.flush()

    def url(self, sender: str = "plantrack@localhost", name: str = "Hệ thống theo dõi kế hoạch") -> str:
        """The apprise mailto:// URL of this sink."""
        from apprise.utils.parse import quote

        return f"mailto://127.0.0.1:{self.port}/?from={quote(sender)}&name={quote(name)}&mode=insecure"

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def first_containing(mbox: Path, text: str) -> EmailMessage | None:
    """The first message kept in ``mbox`` whose plain text contains ``text`` (what a unit read)."""
    box = mailbox.mbox(str(mbox), factory=lambda f: message_from_bytes(f.read(), policy=policy.default), create=False)
    try:
        for message in box:
            body = message.get_body(("plain",))
            if body is not None and text in body.get_content():
                return message
    finally:
        box.close()
    return None


def main() -> None:
    """``python -m notifications.sink --port N [--mbox FILE]``: a sink in its own process.
    ``--mbox FILE --show TEXT``: print the first message kept there that says TEXT, and exit."""
    import argparse
    import signal
    import time

    parser = argparse.ArgumentParser(description="A local SMTP sink for plantrack's demo and benchmark.")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--mbox", type=Path)
    parser.add_argument("--show", metavar="TEXT", help="print the first message in --mbox whose text contains TEXT, and exit")
    options = parser.parse_args()
    if options.show is not None:
        found = first_containing(options.mbox, options.show) if options.mbox and options.mbox.exists() else None
        if found is None:
            print(f"no message in {options.mbox} says {options.show!r}")
            raise SystemExit(1)
        print(f"To: {found['To']}\nDate: {found['Date']}\nSubject: {found['Subject']}\n\n{found.get_body(('plain',)).get_content()}")
        return
    sink = SmtpSink(port=options.port, mbox=options.mbox, keep=False).start()
    print(f"SMTP sink listening on 127.0.0.1 port {sink.port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (sink.stop(), print(f"received {sink.count}", flush=True), exit(0)))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
