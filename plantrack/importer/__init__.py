"""``plantrack import``: a draft plan definition from the plan document itself.

``import_document(path, catalogue)`` reads a .docx (a legacy .doc through LibreOffice), a PDF
with a text layer or plain text (``reading``, into the document model of ``model``: ``word``,
``pdftext``), finds its header (``header``), its section tree and labels (``structure``), its
tables by kind (``tables``: task tables give duties, target tables indicators and targets),
resolves the units it names against the registries (``units``) and reads its time phrases into
rules (``phrases``); ``draft`` assembles and writes the draft, with a
``review:`` mark on each entry a person must check. Nothing here reads the clock or the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import MAX_IMPORT_BYTES, MAX_IMPORT_CHARS, MAX_IMPORT_PAGES

if TYPE_CHECKING:
    from ..loader import Catalogue
    from .draft import Draft

__all__ = ["Draft", "UnreadableDocument", "import_document", "render", "write_draft"]
_LAZY = {"Draft": "draft", "render": "draft", "write_draft": "draft", "draft_plan": "draft", "UnreadableDocument": "reading"}


def __getattr__(name: str):
    """The package's names, imported when first asked for: the worker that reads a document
    imports ``reading`` alone, not the drafting and its registries (``untrusted.DOCUMENTS_ONLY``)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def import_document(path: Path, catalogue: Catalogue, *, max_bytes: int = MAX_IMPORT_BYTES, max_chars: int = MAX_IMPORT_CHARS,
                    max_pages: int = MAX_IMPORT_PAGES) -> Draft:
    """The draft of the document at ``path``; the document is read in a bounded worker process
    (``untrusted.read_document_bounded``), ``UnreadableDocument`` when it is refused."""
    from ..untrusted import read_document_bounded
    from .draft import draft_plan

    return draft_plan(read_document_bounded(Path(path), max_bytes, max_chars, max_pages), catalogue)
