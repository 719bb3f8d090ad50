"""Untrusted documents are read in a bounded worker, and refused before the work they would cost.

The bombs are made here, small, with zipfile and pypdf: nothing is checked in.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile

import pytest
from typer.testing import CliRunner

from plantrack.cli import app
from plantrack.importer.reading import UnreadableDocument, read_document
from plantrack.untrusted import Refused, check_zip, run_bounded


def _docx_parts() -> dict[str, bytes]:
    """A minimal Word document's members (python-docx made it)."""
    import docx

    buffer = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("Số: 12/KH-UBND")
    word.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lying_zip(parts: dict[str, bytes], name: str, stated: int, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP of ``parts`` whose local and central headers say member ``name`` is ``stated`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in parts.items():
            archive.writestr(member, data, compress_type=compression if member == name else zipfile.ZIP_DEFLATED)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info, start = archive.getinfo(name), archive.start_dir
    struct.pack_into("<I", data, info.header_offset + 22, stated)  # local header: uncompressed size
    position = start
    while True:  # the central entry of ``name``
        position = data.find(b"PK\x01\x02", position)
        length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46:position + 46 + length]) == name.encode():
            break
        position += 46
    struct.pack_into("<I", data, position + 24, stated)
    return bytes(data)


def test_a_member_that_inflates_past_its_header_is_stopped_by_the_counting_reader():
    parts = _docx_parts()
    parts["word/document.xml"] += b" " * (3 * 1024 * 1024)  # real: 3 MB; said: 1,000 bytes
    data = lying_zip(parts, "word/document.xml", 1000)
    with pytest.raises(Refused, match="header says 1,000"):
        check_zip(data, max_total=100 * 1024 * 1024)
    honest = lying_zip(parts, "word/document.xml", len(parts["word/document.xml"]))
    with pytest.raises(Refused, match="inflates past"):  # the real limit, whatever the header says
        check_zip(honest, max_total=1024 * 1024)
    assert check_zip(honest, max_total=100 * 1024 * 1024, keep=("word/document.xml",))["word/document.xml"].startswith(b"<?xml")


def test_a_docx_whose_header_under_states_a_bzip2_member_is_refused_by_the_cli_quickly(tmp_path):
    parts = _docx_parts()
    parts["word/document.xml"] += b" " * (64 * 1024 * 1024)  # bzip2: 64 MB in a few kilobytes
    source = tmp_path / "ke-hoach.docx"
    source.write_bytes(lying_zip(parts, "word/document.xml", 2000, zipfile.ZIP_BZIP2))
    assert source.stat().st_size < 100_000
    out = tmp_path / "drafts"
    run_bounded(_sleep, 0, seconds=60, memory=512 * 1024 * 1024)  # the worker's interpreter is started once, not timed here
    started = time.monotonic()
    result = CliRunner().invoke(app, ["import", str(source), "--output-dir", str(out)])
    assert time.monotonic() - started < 5
    assert result.exit_code == 2 and "compression method" in result.output and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def _pdf(pages: list[bytes]) -> bytes:
    """A PDF with one page per content stream of ``pages`` (Helvetica as /F1)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for content in pages:
        page = writer.add_blank_page(595, 842)
        stream = DecodedStreamObject()
        stream.set_data(content)
        stream = stream.flate_encode()
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _text_page(text: str) -> bytes:
    return f"BT /F1 10 Tf 40 800 Td ({text}) Tj ET".encode()


def test_the_character_limit_stops_the_extraction_at_the_page_that_passes_it(tmp_path):
    path = tmp_path / "dai.pdf"
    path.write_bytes(_pdf([_text_page("Muc " + "x" * 300) for _ in range(40)]))
    with pytest.raises(UnreadableDocument, match="by page 4$") as refused:
        read_document(path, 10**7, 1000, 400)
    assert "trang 4" in refused.value.vi


def test_a_page_whose_content_stream_is_too_large_is_refused_before_it_is_extracted(tmp_path):
    path = tmp_path / "bom.pdf"
    path.write_bytes(_pdf([_text_page("Trang 1"), b"%" + b" " * (6 * 1024 * 1024) + b"\n" + _text_page("Trang 2")]))
    assert path.stat().st_size < 100_000
    with pytest.raises(UnreadableDocument, match="page 2's content streams") as refused:
        read_document(path, 10**7, 10**6, 400)
    assert "Trang 2" in refused.value.vi


def _allocate(size: int) -> int:
    return len(bytearray(size))


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def test_the_worker_is_bounded_in_memory_and_time():
    assert run_bounded(_allocate, 10 * 1024 * 1024, seconds=20, memory=1024 * 1024 * 1024) == 10 * 1024 * 1024
    with pytest.raises(Refused) as refused:
        run_bounded(_allocate, 2 * 1024 * 1024 * 1024, seconds=20, memory=512 * 1024 * 1024)
    assert "bộ nhớ" in refused.value.vi
    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        run_bounded(_sleep, 30, seconds=1, memory=512 * 1024 * 1024)
    assert time.monotonic() - started < 5 and "thời gian" in refused.value.vi


def test_files_are_parsed_one_at_a_time():
    """Four parses asked at once take their turns (PARSING_AT_ONCE = 1: a core stays with the
    pages), each within its own time limit, counted from its turn."""
    import threading

    from plantrack.settings import PARSING_AT_ONCE

    assert PARSING_AT_ONCE == 1
    run_bounded(_sleep, 0, seconds=60, memory=512 * 1024 * 1024)  # the worker's interpreter starts once, not counted
    results, started = [], time.monotonic()
    threads = [threading.Thread(target=lambda: results.append(run_bounded(_sleep, 0.5, seconds=1.5, memory=512 * 1024 * 1024)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["woke"] * 4  # none timed out waiting for its turn
    assert time.monotonic() - started >= 2.0  # 4 × 0.5 s, one after another
