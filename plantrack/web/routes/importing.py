"""A coordinator drafts a plan definition from its document: ``/nhap-ke-hoach``.

The form takes a .docx, a PDF with a text layer or a text file (at most ``MAX_IMPORT_BYTES``;
the body limit of ``guards.BodyLimit`` comes first) and answers with what ``plantrack import``
writes: the draft plan file and the draft registry of the bodies it could not find, to
download, with a summary and every review mark listed. Only a role that acts may import: the
session and its role are checked before the body is read (an anonymous or read-only POST is
refused unread), then the CSRF token (``deps.check_acting``); at most ``IMPORTS_PER_ACCOUNT`` drafts an hour per
account (``guards.ImportThrottle``); nothing is stored: the upload is read from a temporary
file that is removed at once, and the drafts go back in the answer. The registries the drafts
are resolved against are the definitions the server was started with (``plantrack serve
--definitions``), loaded once and kept while their files are unchanged (``catalogue_cache``).
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from ...catalogue_cache import cached_catalogue
from ...errors import DefinitionError
from ...importer import UnreadableDocument, import_document, render
from ...settings import MAX_IMPORT_BYTES
from ..deps import Context, Forbidden, Principal, check_acting, context, page, signed_in

router = APIRouter()
CHUNK = 1024 * 1024


@router.get("/nhap-ke-hoach", response_class=HTMLResponse)
def import_form(request: Request, principal: Principal = Depends(signed_in)):
    if not principal.role.acts:
        raise Forbidden("Tài khoản của đồng chí chỉ có quyền xem, không nhập được kế hoạch.")
    return page(request, "import.html.j2", limit_mb=MAX_IMPORT_BYTES // (1024 * 1024))


@router.post("/nhap-ke-hoach", response_class=HTMLResponse)
async def import_upload(request: Request, ctx: Context = Depends(context)):
    """Who asks comes first: an anonymous or read-only POST is refused before its body is read.
    Then the form (one file), its CSRF token, and the draft, made off the event loop (the
    document itself is read in a bounded worker process, ``untrusted``)."""
    principal = await anyio.to_thread.run_sync(signed_in, request, ctx)  # the session is in the store
    if not principal.role.acts:
        raise Forbidden("Tài khoản của đồng chí chỉ có quyền xem, không nhập được kế hoạch.")
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=64 * 1024)
    except (MultiPartException, HTTPException) as exc:
        why = getattr(exc, "message", None) or getattr(exc, "detail", "")
        return page(request, "import.html.j2", 422, limit_mb=MAX_IMPORT_BYTES // (1024 * 1024), error=f"Biểu mẫu không hợp lệ: {why}")
    try:
        csrf = form.get("csrf")
        await anyio.to_thread.run_sync(check_acting, ctx, principal, csrf if isinstance(csrf, str) else "")
        document = form.get("document")
        if not isinstance(document, StarletteUpload):
            return page(request, "import.html.j2", 422, limit_mb=MAX_IMPORT_BYTES // (1024 * 1024), error="Đề nghị chọn tệp văn bản.")
        return await anyio.to_thread.run_sync(_draft_page, request, ctx, principal, document)
    finally:
        await form.close()


def _draft_page(request: Request, ctx: Context, principal: Principal, document: StarletteUpload) -> HTMLResponse:
    def refuse(message: str, status: int = 422):
        return page(request, "import.html.j2", status, limit_mb=MAX_IMPORT_BYTES // (1024 * 1024), error=message)

    if not ctx.definitions:
        return refuse("Máy chủ chưa được cấu hình danh mục đơn vị (plantrack serve --definitions …).", 503)
    if not request.app.state.import_throttle.allowed(principal.login):
        return refuse("Tài khoản đã soạn quá nhiều bản nháp trong một giờ: đề nghị thử lại sau.", 429)
    name = Path(document.filename or "van-ban").name[:120]
    with tempfile.TemporaryDirectory(prefix="plantrack-import-") as folder:
        path = Path(folder) / "document"
        size = 0
        with path.open("wb") as stream:
            while chunk := document.file.read(CHUNK):
                size += len(chunk)
                if size > MAX_IMPORT_BYTES:
                    return refuse(f"Tệp quá lớn: tối đa {MAX_IMPORT_BYTES // (1024 * 1024)} MB.", 413)
                stream.write(chunk)
        try:
            catalogue = cached_catalogue(*ctx.definitions)  # loaded once while its files are unchanged
            draft = import_document(path, catalogue)
        except UnreadableDocument as exc:
            return refuse(f"Không đọc được “{name}”: {exc.vi}")
        except DefinitionError:
            return refuse("Danh mục đơn vị của máy chủ đang có lỗi: đề nghị quản trị chạy plantrack validate.", 503)
        plan_text, registry_text = render(draft, Path(name))
    files = [(f"{draft.plan['id']}.yaml", plan_text)]
    if registry_text:
        files.append((f"{draft.registry_id}-units.yaml", registry_text))
    downloads = [(file_name, text, "data:application/yaml;charset=utf-8;base64," + base64.b64encode(text.encode()).decode())
                 for file_name, text in files]
    return page(request, "import.html.j2", limit_mb=MAX_IMPORT_BYTES // (1024 * 1024), draft=draft, source=name,
                summary=draft.summary(), marks=_marks(draft), downloads=downloads)


def _marks(draft) -> list[tuple[str, str]]:
    """(where, why) of every review mark, in the order of the files."""
    found = [("Kế hoạch", reason.vi) for reason in draft.plan.get("review", [])]
    for kind, entries in (("Chỉ tiêu", draft.indicators), ("Mục tiêu", draft.targets), ("Nhiệm vụ", draft.duties),
                          ("Sản phẩm", draft.obligations), ("Đơn vị mới", draft.new_units)):
        for entry in entries:
            where = f"{kind} {entry.get('section') or entry['id']}"
            found += [(where, reason.vi) for reason in entry.get("review", [])]
    return found
