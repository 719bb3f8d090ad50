"""``plantrack import``: a draft plan definition from the plan document itself.

``import_document(path, catalogue)`` reads a .docx (a legacy .doc through LibreOffice), a PDF
with a text layer or plain text (``reading``, into the document model of ``model``: ``word``,
``pdftext``), finds its header (``header``), its section tree, labels and task tables
(``structure``), resolves the units it names against the registries (``units``) and reads its
time phrases into rules (``phrases``); ``draft`` assembles and writes the draft, with a
``review:`` mark on each entry a person must check. Nothing here reads the clock or the store.
"""

from __future__ import annotations

from pathlib import Path

from ..loader import Catalogue
from ..settings import MAX_IMPORT_BYTES, MAX_IMPORT_CHARS, MAX_IMPORT_PAGES
from .draft import Draft, draft_plan, render, write_draft
from .reading import UnreadableDocument

__all__ = ["Draft", "UnreadableDocument", "import_document", "render", "write_draft"]


def import_document(path: Path, catalogue: Catalogue, *, max_bytes: int = MAX_IMPORT_BYTES, max_chars: int = MAX_IMPORT_CHARS,
                    max_pages: int = MAX_IMPORT_PAGES) -> Draft:
    """The draft of the document at ``path``; the document is read in a bounded worker process
    (``untrusted.read_document_bounded``), ``UnreadableDocument`` when it is refused."""
    from ..untrusted import read_document_bounded

    return draft_plan(read_document_bounded(Path(path), max_bytes, max_chars, max_pages), catalogue)
