"""What an agency hands in through its link: checked documents, a quota, and corrections.

- A file is accepted only if its **content** is one of the document types in ``DOCUMENT_TYPES``
  (recognised by the ``filetype`` package from its first bytes) and its name's extension
  agrees with the content; at most ``MAX_FILE`` bytes.
- Files are kept under ``<upload_dir>/<occurrence>/<random>.<ext>``: a stored name is never
  derived from the sender's and two files never overwrite each other. The name as sent is
  kept (cleaned) for display; the stored path is never shown.
- A link has a quota: ``LINK_QUOTA`` bytes in all, and one submission plus
  ``MAX_CORRECTIONS`` corrections. A correction supersedes the submission it replaces (which
  stays, marked ``superseded_at``); on time or late is still decided by the first hand-in.
  A file refused as unreadable (``RefusedFiles``) is not kept but counts against the quota.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import PlantrackError
from .settings import LINK_QUOTA, MAX_CORRECTIONS, MAX_FILE
from .store.models import Occurrence, Submission
from .tracking import record_submission

# extension -> what it is called in messages
DOCUMENT_TYPES = {
    "pdf": "PDF", "docx": "Word", "doc": "Word 97-2003", "odt": "OpenDocument", "xlsx": "Excel", "xls": "Excel 97-2003",
    "ods": "OpenDocument bảng tính", "png": "ảnh PNG", "jpg": "ảnh JPEG", "zip": "tệp nén ZIP",
}
ALIASES = {"jpeg": "jpg"}


class HandInError(PlantrackError):
    """A hand-in that is refused; the message is for the agency (Vietnamese)."""


@dataclass(frozen=True)
class StoredFile:
    name: str  # as sent, cleaned
    path: str  # relative to the upload folder
    size: int


def clean_name(name: str) -> str:
    """The sender's file name without folders or control characters, at most 150 characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]+", "", name).strip(" .") or "tep"
    return name[-150:]


def document_type(name: str, head: bytes) -> str:
    """The extension the content is, checked against the name; HandInError otherwise."""
    allowed = ", ".join(sorted({e.upper() for e in DOCUMENT_TYPES}))
    kind = filetype.guess(head)
    if kind is None or kind.extension not in DOCUMENT_TYPES:
        raise HandInError(f"Tệp không phải là văn bản được chấp nhận (chỉ nhận {allowed}).")
    stated = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    stated = ALIASES.get(stated, stated)
    # A .docx/.xlsx/.odt is a ZIP inside; filetype names the office kind when it can tell.
    if stated != kind.extension and not (kind.extension == "zip" and stated in ("docx", "xlsx", "odt", "ods")):
        raise HandInError(
            f"Phần mở rộng của tệp (.{stated or '?'}) không khớp với nội dung ({DOCUMENT_TYPES[kind.extension]}). "
            "Đề nghị kiểm tra lại tệp."
        )
    return stated


def used_quota(session: Session, occurrence_id: int) -> tuple[int, int]:
    """(submissions made through links, bytes stored) for an occurrence."""
    count, size = session.execute(
        select(func.count(Submission.id), func.coalesce(func.sum(Submission.file_bytes), 0)).where(Submission.occurrence_id == occurrence_id)
    ).one()
    return int(count), int(size)


class RefusedFiles:
    """Files refused through a link (a template that could not be read), per occurrence: they
    count against the link's quota as a submission would, though nothing of them is kept. Held
    in the dashboard's memory (one process), like the sign-in throttle."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[int, tuple[int, int]] = {}

    def add(self, occurrence_id: int, size: int) -> None:
        with self._lock:
            count, used = self._seen.get(occurrence_id, (0, 0))
            self._seen[occurrence_id] = (count + 1, used + size)

    def of(self, occurrence_id: int) -> tuple[int, int]:
        with self._lock:
            return self._seen.get(occurrence_id, (0, 0))


def check_quota(session: Session, occurrence: Occurrence, size: int, refused: tuple[int, int] = (0, 0)) -> None:
    """HandInError when the link has no hand-in left or ``size`` more bytes would pass its
    quota; ``refused`` (count, bytes) of the files refused through it count as well."""
    count, used = used_quota(session, occurrence.id)
    count, used = count + refused[0], used + refused[1]
    if count > MAX_CORRECTIONS:
        raise HandInError(
            f"Đường dẫn này đã được dùng {count} lần (một lần nộp và {MAX_CORRECTIONS} lần sửa). "
            "Đề nghị liên hệ cơ quan thường trực nếu cần sửa tiếp."
        )
    if used + size > LINK_QUOTA:
        raise HandInError(f"Tổng dung lượng các tệp nộp qua đường dẫn này vượt {LINK_QUOTA // (1024 * 1024)} MB.")


def keep_file(upload_dir: Path, occurrence: Occurrence, name: str, content: bytes) -> StoredFile:
    """Write ``content`` under a new random name; the caller removes it if nothing is recorded."""
    if len(content) > MAX_FILE:
        raise HandInError(f"Tệp quá lớn (tối đa {MAX_FILE // (1024 * 1024)} MB).")
    if not content:
        raise HandInError("Tệp rỗng.")
    cleaned = clean_name(name)
    extension = document_type(cleaned, content[:8192])
    relative = Path(str(occurrence.id)) / f"{secrets.token_hex(12)}.{extension}"
    target = upload_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as handle:  # never overwrite
        handle.write(content)
    return StoredFile(cleaned, relative.as_posix(), len(content))


def current_submission(occurrence: Occurrence) -> Submission | None:
    live = [s for s in occurrence.submissions if s.superseded_at is None]
    return live[-1] if live else None


def hand_in(
    session: Session, occurrence: Occurrence, now: dt.datetime, *, document_number: str | None, document_date: dt.date | None,
    link: str | None, note: str | None, stored: StoredFile | None, recorded_by: str,
) -> Submission:
    """A first submission, or a correction superseding the current one."""
    previous = current_submission(occurrence)
    submission = record_submission(
        session, occurrence, now, document_number, document_date, link, note, recorded_by,
        allow_number=previous.document_number if previous is not None else None,
    )
    if stored is not None:
        submission.file_name, submission.file_path, submission.file_bytes = stored.name, stored.path, stored.size
    if previous is not None:
        previous.superseded_at = now
        submission.supersedes_id = previous.id
    return submission
