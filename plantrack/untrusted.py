"""Every file a stranger hands us is parsed here, in a bounded worker process.

``run_bounded(function, *args, seconds=, memory=)`` runs ``function`` (a module-level function of
this package) in a child process of the ``forkserver`` context: the child sets its address
space limit (``resource.RLIMIT_AS``) before any work, and the parent kills it when the wall-clock
time runs out. A refusal (``Refused``, or any ``PlantrackError`` with a Vietnamese ``vi``), a
memory error, a crash or a timeout all come back as ``Refused`` with a short Vietnamese message;
the caller never sees a traceback of the parser. The web handlers wait for the child from a
worker thread (``anyio.to_thread``): the event loop and the request threads never parse.

ZIP containers (.xlsx, .docx) are checked before a parser opens them (``check_zip``): at most
``max_members`` members, stored or deflated only (bzip2 and lzma inflate a whole read at
once), and each member is inflated through a counting reader that stops at the limit whatever
its header says; a member whose header under-states its size is refused.

Entry points: ``read_document_bounded`` (``plantrack import``, CLI and dashboard) and
``read_figures_bounded`` (the figures template handed in through a link).
"""

from __future__ import annotations

import copy
import io
import multiprocessing
import threading
import zipfile
from pathlib import Path

from .errors import PlantrackError
from .settings import (
    DOCUMENT_MEMORY,
    DOCUMENT_SECONDS,
    TEMPLATE_INFLATED,
    TEMPLATE_MEMORY,
    TEMPLATE_SECONDS,
    PARSING_AT_ONCE,
    TEMPLATE_SHARED_STRINGS,
    ZIP_MEMBERS,
)


class Refused(PlantrackError):
    """An untrusted file that is not parsed; ``vi`` says why, for the person who sent it.
    ``abuse`` is False for a mistake a person makes in good faith (a wrong cell of a template):
    only a file refused for what it would cost (limits, damage, time, memory) counts against a
    link's quota."""

    def __init__(self, message: str, vi: str | None = None, abuse: bool = True):
        super().__init__(message)
        self.vi, self.abuse = vi or message, abuse

    def __reduce__(self):
        return (Refused, (str(self), self.vi, self.abuse))


_CONTEXT = None
PRELOAD = ("plantrack.untrusted", "plantrack.importer", "plantrack.exports.figures_template")  # what the server's workers run
DOCUMENTS_ONLY = ("plantrack.untrusted", "plantrack.importer.reading")  # `plantrack import`: one document, no workbook


def _context(preload: tuple[str, ...] = PRELOAD):
    """The worker processes' context; its server imports ``preload`` once, at its start (the
    first call decides)."""
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(list(preload))
    return _CONTEXT


def _child(connection, function, args, memory: int) -> None:
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        result = ("ok", function(*args))
    except MemoryError:
        result = ("refused", "the parser ran out of its memory limit", "Tệp cần quá nhiều bộ nhớ để đọc.", True)
    except Refused as exc:
        result = ("refused", str(exc), exc.vi, exc.abuse)
    except PlantrackError as exc:  # the parser's own refusal of what a person typed
        result = ("refused", str(exc), getattr(exc, "vi", None) or str(exc), False)
    except Exception as exc:  # a damaged file fails in many ways inside a parser
        result = ("refused", f"the parser failed ({type(exc).__name__})", "Tệp bị hỏng, không đọc được.", True)
    try:
        connection.send(result)
    except MemoryError:
        connection.send(("refused", "the result is too large", "Tệp cần quá nhiều bộ nhớ để đọc.", True))
    finally:
        connection.close()


_TURNS = threading.BoundedSemaphore(PARSING_AT_ONCE)


def run_bounded(function, *args, seconds: float, memory: int):
    """``function(*args)`` in a child process limited to ``memory`` bytes of address space and
    ``seconds`` of wall-clock time (counted from its turn: at most ``PARSING_AT_ONCE`` children
    run at once, the others wait); its result, or ``Refused``."""
    with _TURNS:
        return _run_child(function, args, seconds, memory)


def _run_child(function, args, seconds: float, memory: int):
    ctx = _context()
    receiving, sending = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sending, function, args, memory), daemon=True)
    process.start()
    sending.close()
    try:
        if not receiving.poll(seconds):
            raise Refused(f"parsing took more than {seconds:g} s", f"Tệp cần quá nhiều thời gian để đọc (quá {seconds:g} giây).")
        try:
            outcome = receiving.recv()
        except (EOFError, OSError):
            raise Refused("the parser stopped (memory limit?)", "Tệp cần quá nhiều bộ nhớ để đọc.") from None
    finally:
        receiving.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if outcome[0] == "ok":
        return outcome[1]
    raise Refused(outcome[1], outcome[2], outcome[3])


def _ready() -> bool:
    return True


def warm(preload: tuple[str, ...] = PRELOAD) -> None:
    """Start the worker's server process now (in the background), so that the first file handed
    in does not wait for its interpreter to start (a few seconds on a busy machine); it imports
    ``preload`` (``DOCUMENTS_ONLY`` where only a document will be read: a second less)."""
    _context(preload)
    threading.Thread(target=lambda: run_bounded(_ready, seconds=120, memory=DOCUMENT_MEMORY), daemon=True).start()


# --- ZIP containers --------------------------------------------------------------------------

def check_zip(data: bytes, *, max_members: int = ZIP_MEMBERS, max_total: int, keep: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Inflate every member of the archive ``data`` through a counting reader: refused past
    ``max_members`` members, past ``max_total`` bytes inflated in all, or when a member inflates
    to more than its header says. Returns the members named in ``keep`` (inflated)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused("not a readable ZIP archive", "Tệp nén bị hỏng, không đọc được.") from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise Refused(f"{len(members):,} members in the archive; at most {max_members:,}",
                          f"Tệp nén có {len(members):,} thành phần, quá giới hạn {max_members:,}.")
        total, kept = 0, {}
        for info in members:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # bzip2/lzma inflate unbounded per read
                raise Refused(f"{info.filename}: compression method {info.compress_type} (Office files use deflate)",
                              "Tệp nén dùng kiểu nén không được chấp nhận.")
            left = max_total - total
            probe = copy.copy(info)
            probe.file_size = 2**62  # the count below stops at the real limit, not at the header's size
            count, parts = 0, []
            try:
                with archive.open(probe) as stream:
                    while chunk := stream.read(64 * 1024):
                        count += len(chunk)
                        if count > left:
                            raise Refused(f"the archive inflates past {max_total:,} bytes",
                                          f"Tệp nén bung ra quá {max_total // (1024 * 1024) or 1} MB.")
                        if info.filename in keep:
                            parts.append(chunk)
            except Refused:
                raise
            except Exception as exc:  # a bad CRC, an unknown compression, a damaged stream
                raise Refused(f"a damaged member in the archive ({type(exc).__name__})", "Tệp nén bị hỏng, không đọc được.") from None
            if count != info.file_size:
                raise Refused(f"{info.filename}: inflates to {count:,} bytes, its header says {info.file_size:,}",
                              "Tệp nén khai sai kích thước thành phần.")
            total += count
            if info.filename in keep:
                kept[info.filename] = b"".join(parts)
    return kept


# --- the entry points ------------------------------------------------------------------------

def read_document_bounded(path: Path, max_bytes: int, max_chars: int, max_pages: int):
    """``importer.reading.read_document`` in a bounded worker; ``UnreadableDocument`` otherwise."""
    from .importer.reading import UnreadableDocument

    try:
        return run_bounded(_read_document, Path(path), max_bytes, max_chars, max_pages, seconds=DOCUMENT_SECONDS, memory=DOCUMENT_MEMORY)
    except Refused as exc:
        raise UnreadableDocument(f"{path}: {exc}", exc.vi) from None


def _read_document(path: Path, max_bytes: int, max_chars: int, max_pages: int):
    from .importer.reading import UnreadableDocument, read_document

    try:
        return read_document(path, max_bytes, max_chars, max_pages)
    except UnreadableDocument as exc:
        raise Refused(str(exc), exc.vi) from None


def read_figures_bounded(content: bytes, occurrence_id: int, indicators: list[dict]) -> dict[str, str] | None:
    """The figures of a template handed in (see ``exports.figures_template.read_template``), or
    None when the workbook is not a template (an ordinary file); ``Refused`` otherwise."""
    return run_bounded(_read_figures, content, occurrence_id, indicators, seconds=TEMPLATE_SECONDS, memory=TEMPLATE_MEMORY)


def _read_figures(content: bytes, occurrence_id: int, indicators: list[dict]) -> dict[str, str] | None:
    from lxml import etree

    from .exports.figures_template import SHEET, read_template

    # The workbook's sheet names first (one small member); a workbook without the template's
    # sheet is an ordinary file, kept and never parsed.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if len(archive.infolist()) > ZIP_MEMBERS:
                raise Refused("too many members", f"Tệp nén có quá {ZIP_MEMBERS:,} thành phần.")
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "xl/workbook.xml" not in names:
        return None
    if not _has_sheet(content, SHEET):
        return None
    kept = check_zip(content, max_total=TEMPLATE_INFLATED, keep=tuple(names))  # all of it: at most TEMPLATE_INFLATED
    parts = [kept.get("xl/sharedStrings.xml")]
    if "[Content_Types].xml" in kept:  # the shared strings may be any part the content types name
        try:
            types = etree.fromstring(kept["[Content_Types].xml"], etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            raise Refused("damaged content types", "Tệp Excel bị hỏng, không đọc được.") from None
        parts += [kept.get(o.get("PartName", "").lstrip("/")) for o in types.iter("{*}Override")
                  if o.get("ContentType", "").endswith("sharedStrings+xml")]
    for strings in filter(None, parts):
        count = 0
        for _ in etree.iterparse(io.BytesIO(strings), tag="{*}si", resolve_entities=False, no_network=True):
            count += 1
            if count > TEMPLATE_SHARED_STRINGS:
                raise Refused("too many shared strings for a figures template",
                              f"Biểu số liệu có quá nhiều ô chữ (quá {TEMPLATE_SHARED_STRINGS:,}): không phải biểu đã tải về.")
    return read_template(content, occurrence_id, indicators)


def _has_sheet(content: bytes, name: str) -> bool:
    """Whether the workbook names a sheet ``name`` (its workbook.xml read through the counting reader)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("xl/workbook.xml")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused("workbook.xml: an unusual compression method", "Tệp nén dùng kiểu nén không được chấp nhận.")
        probe = copy.copy(info)
        probe.file_size = 1024 * 1024
        try:
            with archive.open(probe) as stream:
                data = stream.read(1024 * 1024 + 1)
        except Exception:
            raise Refused("a damaged workbook", "Tệp Excel bị hỏng, không đọc được.") from None
    if len(data) > 1024 * 1024:
        raise Refused("workbook.xml is too large", "Tệp Excel bị hỏng hoặc quá lớn.")
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        raise Refused("a damaged workbook", "Tệp Excel bị hỏng, không đọc được.") from None
    return any(sheet.get("name") == name for sheet in root.iter("{*}sheet"))
