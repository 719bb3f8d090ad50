"""An agency's submission link, ``/nop/{token}``: no account, one unit, one occurrence.

The token is checked before the body is read (``guards.BodyLimit`` has already refused a
body too large for a hand-in); the form is parsed with at most one file and a few fields.
A link that was used shows what was handed in and takes a correction that supersedes it,
up to the link's quota (``handins``). An .xlsx is read for a figures template in a bounded
worker process (``untrusted.read_figures_bounded``), after the quota is checked and before
anything is written; a workbook refused there leaves no file and counts against the quota.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from ...calendar import parse_date
from ...errors import PlantrackError
from ...exports.figures_template import template_bytes
from ...figures import format_value, record_figures
from ...handins import MAX_CORRECTIONS, MAX_FILE, HandInError, check_quota, clean_name, current_submission, hand_in, keep_file
from ...links import LinkError, read_token
from ...store.models import Occurrence
from ...tracking import status_rows
from ...untrusted import Refused, read_figures_bounded
from ..deps import Context, context, page

router = APIRouter()
FIGURE_FIELD = "chi-tieu:"  # a form field per indicator: chi-tieu:<indicator id>
MAX_INDICATOR_FIELDS = 50  # as many as an obligation may carry (schema.ObligationDef.indicators)


def granted(ctx: Context, session, token: str) -> Occurrence:
    grant = read_token(ctx.keyring, token, ctx.clock())
    occurrence = session.get(Occurrence, grant.occurrence_id) if 0 < grant.occurrence_id < 2**62 else None
    if occurrence is None or occurrence.retired or occurrence.unit_id != grant.unit_id:
        raise LinkError("Đường dẫn không dùng được cho nhiệm vụ này.")
    return occurrence


def form_context(ctx: Context, session, occurrence: Occurrence) -> dict:
    [row] = [r for r in status_rows(session, ctx.clock(), unit=occurrence.unit_id, include_not_open=True, sub_units=False)
             if r.occurrence_id == occurrence.id] or [None]
    submissions = list(occurrence.submissions)
    current = current_submission(occurrence)
    figures = {f.indicator: f for f in current.figures} if current is not None else {}
    return {"occurrence": occurrence, "row": row, "unit": occurrence.unit, "plan": occurrence.obligation.plan,
            "submissions": submissions, "current": current, "indicators": occurrence.obligation.indicators or [],
            "figures": {key: format_value(i, figures[key].text if figures[key].text is not None else figures[key].number)
                        for i in occurrence.obligation.indicators or [] if (key := i["id"]) in figures},
            "typed": {key: _as_typed(i, figures[key]) for i in occurrence.obligation.indicators or [] if (key := i["id"]) in figures},
            "corrections_left": max(0, MAX_CORRECTIONS + 1 - len(submissions)), "max_mb": MAX_FILE // (1024 * 1024)}


def _as_typed(indicator: dict, figure) -> str:
    """A kept figure as the form shows it again for a correction."""
    if figure.text is not None:
        return figure.text
    if indicator.get("kind") == "yes_no":
        return "có" if figure.number else "không"
    return f"{figure.number:g}".replace(".", ",") if figure.number != int(figure.number) else str(int(figure.number))


@router.get("/nop/{token}/bieu-so-lieu.xlsx", name="figures_template")
def figures_template(request: Request, token: str, ctx: Context = Depends(context)):
    """The Excel template of this occurrence's figures, to fill in and hand back through the link."""
    with ctx.store.session() as session:
        try:
            occurrence = granted(ctx, session, token)
        except LinkError as exc:
            return _refused(request, exc)
        if not occurrence.obligation.indicators:
            return page(request, "message.html.j2", 404, title="Không có biểu số liệu", message="Báo cáo này không có chỉ tiêu số liệu.")
        content = template_bytes(occurrence)
        name = f"bieu-so-lieu-{occurrence.id}.xlsx"
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _refused(request: Request, exc: LinkError) -> HTMLResponse:
    return page(request, "message.html.j2", exc.status, title="Không thể mở đường dẫn nộp báo cáo", message=str(exc))


@router.get("/nop/{token}", response_class=HTMLResponse, name="submission_form")
def submission_form(request: Request, token: str, ctx: Context = Depends(context)):
    with ctx.store.session() as session:
        try:
            occurrence = granted(ctx, session, token)
        except LinkError as exc:
            return _refused(request, exc)
        return page(request, "submit.html.j2", token=token, error=None, done=None, **form_context(ctx, session, occurrence))


@router.post("/nop/{token}", response_class=HTMLResponse)
async def submit(request: Request, token: str, ctx: Context = Depends(context)):
    with ctx.store.session() as session:  # the link first: a forged one reads no body
        try:
            granted(ctx, session, token)
        except LinkError as exc:
            return _refused(request, exc)

    def again(status_code: int, **outcome) -> HTMLResponse:
        with ctx.store.session() as session:
            try:
                occurrence = granted(ctx, session, token)
            except LinkError as exc:
                return _refused(request, exc)
            return page(request, "submit.html.j2", status_code, token=token, **outcome, **form_context(ctx, session, occurrence))

    try:
        form = await request.form(max_files=1, max_fields=8 + MAX_INDICATOR_FIELDS, max_part_size=64 * 1024)
    except (MultiPartException, HTTPException) as exc:  # too many files or fields, a malformed body
        why = getattr(exc, "message", None) or getattr(exc, "detail", "")
        return again(422, error=f"Biểu mẫu không hợp lệ (chỉ nhận một tệp): {why}", done=None)
    fields = {name: (value if isinstance(value, str) else "") for name, value in form.multi_items() if name != "file"}
    upload = form.get("file")
    upload = upload if isinstance(upload, UploadFile) and upload.filename else None
    number, link, note = (fields.get(name, "").strip() for name in ("document_number", "link", "note"))
    content = await upload.read(MAX_FILE + 1) if upload is not None else None
    await form.close()
    error = None
    typed_figures = any(v.strip() for name, v in fields.items() if name.startswith(FIGURE_FIELD))
    if not (number or link or content or typed_figures):
        error = "Đề nghị nhập số văn bản, đường dẫn, số liệu hoặc chọn tệp báo cáo."
    elif link and not link.startswith(("http://", "https://")):
        error = "Đường dẫn phải bắt đầu bằng http:// hoặc https://."
    if error is not None:
        return again(422, error=error, done=None)
    now, saved = ctx.clock(), None
    try:
        day = parse_date(fields["document_date"], "Ngày văn bản") if fields.get("document_date", "").strip() else None
        with ctx.store.session() as session:  # the quota before any parsing
            occurrence = granted(ctx, session, token)
            check_quota(session, occurrence, len(content or b""), ctx.refused_files.of(occurrence.id))
            occurrence_id, indicators = occurrence.id, list(occurrence.obligation.indicators or [])
        # Figures: typed in the form, or in the Excel template handed in as the file (the form's win).
        # The workbook is untrusted: read in a bounded worker process, waited for off the event loop.
        from_file = None
        if content is not None and clean_name(upload.filename).lower().endswith(".xlsx"):
            try:
                from_file = await anyio.to_thread.run_sync(read_figures_bounded, content, occurrence_id, indicators)
            except Refused as exc:  # nothing is kept; a file refused for its cost counts against the link's quota
                if exc.abuse:
                    ctx.refused_files.add(occurrence_id, len(content))
                    raise HandInError(f"Không đọc được biểu số liệu: {exc.vi}") from None
                raise HandInError(exc.vi) from None
        with ctx.store.transaction() as session:
            occurrence = granted(ctx, session, token)
            check_quota(session, occurrence, len(content or b""), ctx.refused_files.of(occurrence.id))
            stored = keep_file(ctx.upload_dir, occurrence, upload.filename, content) if content is not None else None
            saved = ctx.upload_dir / stored.path if stored else None
            values = {name[len(FIGURE_FIELD):]: value for name, value in fields.items() if name.startswith(FIGURE_FIELD)}
            if from_file is not None:
                values = {**from_file, **{k: v for k, v in values.items() if v.strip()}}
            submission = hand_in(session, occurrence, now, document_number=number or None, document_date=day, link=link or None,
                                 note=note or None, stored=stored, recorded_by=f"đường dẫn ký số ({occurrence.unit_id})")
            if values:
                session.flush()
                record_figures(session, submission, values)
    except (HandInError, PlantrackError) as exc:  # nothing was recorded: the file goes too
        if saved is not None:
            Path(saved).unlink(missing_ok=True)
        return again(422, error=str(exc), done=None)
    return again(200, error=None, done=now)
