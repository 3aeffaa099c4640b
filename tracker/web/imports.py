"""Imports and exports: templates, uploads with a progress bar, and downloads.

The upload is read as it arrives by an async dependency (`received_upload`), which refuses a
file that is too large or not what it claims from its first bytes, before anything is kept.
Every route here touches the database, so each is a plain `def` that FastAPI runs in the
thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect

from tracker import formats
from tracker.deps import (
    AdminPrincipal,
    CurrentPrincipal,
    EngineDep,
    FormDep,
    HXRequest,
    SessionDep,
    SettingsDep,
)
from tracker.formats import Text
from tracker.locales import N_
from tracker.security import BodyTooLarge
from tracker.services.errors import InputError, NotFound
from tracker.services.exchange import jobs, runner
from tracker.services.exchange.iati.write import iati_file
from tracker.services.exchange.params import ImportCommit, ImportLevel
from tracker.services.exchange.spreadsheet.write import (
    csv_chunks,
    spreadsheet_rows,
    template_csv,
    template_xlsx,
    xlsx_file,
)
from tracker.services.exchange.uploads import Upload, UploadReader, UploadRefused, megabytes
from tracker.services.projects.listing import list_project_codes, parse_project_list_query
from tracker.services.reference.lists import programmes_and_regions
from tracker.web import htmx, urls
from tracker.web._forms import see_other
from tracker.web._params import query_params, read_form

router = APIRouter()
TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xml": "application/xml",
}
CHUNK = 64 * 1024
DRAIN_SECONDS = 2.0


def _download(data: bytes, name: str) -> Response:
    kind = name.rsplit(".", 1)[1]
    return Response(
        data,
        media_type=TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _stream(chunks, name: str) -> StreamingResponse:
    """A download sent as it is made."""
    kind = name.rsplit(".", 1)[1]
    return StreamingResponse(
        chunks,
        media_type=TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# Reading the upload ----------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """The upload as read from the request: accepted, or refused with why."""

    upload: Upload | None = None
    refused: UploadRefused | None = None


async def received_upload(request: Request, settings: SettingsDep) -> Received:
    """The import form, read on the event loop as its bytes arrive.

    The body is streamed through the checks (size as the bytes arrive, type from the first
    bytes); a refused file stops being read into memory at once. When the CSRF check already
    parsed the form (the token came in the form, not in the X-CSRF-Token header), the file is
    read from that form in chunks through the same checks."""
    reader = UploadReader(max_bytes=settings.import_max_bytes)
    content_type = request.headers.get("content-type", "")
    chunks = request.stream() if content_type.startswith("multipart/form-data") else None
    form: FormData | None = None
    try:
        first = await _first_chunk(chunks) if chunks is not None else None
        if first is not None:
            stream = reader.multipart(content_type)
            stream.write(first)
            async for chunk in chunks:
                stream.write(chunk)
            # Closing checks the whole file (zip, XML): CPU work, kept off the event loop.
            return Received(upload=await run_in_threadpool(stream.close))
        form = await request.form()
        await _read_form(reader, form)
        return Received(upload=await run_in_threadpool(reader.result))
    except UploadRefused as exc:
        if chunks is not None and form is None:
            await _drain(chunks, settings.import_max_bytes)
        return Received(refused=exc)
    except ClientDisconnect:  # the browser went away part way: nothing to keep, nobody to tell
        return Received(refused=UploadRefused({"file": "the upload stopped before it ended"}))
    finally:
        if form is not None:
            await form.close()  # Starlette's spooled copy of the file goes with it


async def _first_chunk(chunks) -> bytes | None:
    """The body's first bytes; None when it was already read (by the CSRF check)."""
    try:
        return await anext(chunks)
    except RuntimeError:  # "Stream consumed": the form was parsed before this ran
        return None
    except StopAsyncIteration:
        return b""


async def _read_form(reader: UploadReader, form: FormData) -> None:
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            reader.begin_file(name, value.filename or "")
            while data := await value.read(CHUNK):
                reader.file_data(data)
            reader.end_file()
        else:
            reader.text(name, value)


async def _drain(chunks, limit: int) -> None:
    """Read and drop what the browser is still sending, for a moment and up to a limit, so
    that it gets to read the answer (a browser cut off while it sends shows an error of its
    own instead). Nothing of it is kept."""
    drained = 0
    with anyio.move_on_after(DRAIN_SECONDS):
        try:
            async for chunk in chunks:
                drained += len(chunk)
                if drained > limit:
                    return
        except (BodyTooLarge, ClientDisconnect, RuntimeError):
            return


ReceivedUpload = Annotated[Received, Depends(received_upload)]


# Pages -------------------------------------------------------------------------------------


@router.get("/admin/imports", response_class=HTMLResponse, name="imports")
def imports(request: Request, session: SessionDep, principal: AdminPrincipal) -> Response:
    return _imports_page(request, session)


def _imports_page(
    request, session, *, status: int = 200, errors=None, upload: Upload | None = None
) -> Response:
    """The page; for HTMX the upload form alone, which is what a refusal replaces."""
    programmes, _ = programmes_and_regions(session=session)
    context = {
        "jobs": jobs.recent_jobs(session=session),
        "kinds": [(k, Text(v)) for k, v in jobs.KINDS.items()],
        "programmes": [("", Text(N_("Choose…")))] + [(p.code, p.name) for p in programmes],
        "errors": errors or {},
        "max_size": megabytes(request.app.state.settings.import_max_bytes),
        "chosen": {
            "kind": upload.kind if upload and upload.kind in jobs.KINDS else "spreadsheet",
            "programme": upload.programme if upload else "",
        },
    }
    return htmx.render(
        request,
        page="imports/index.html",
        fragment="imports/_upload.html",
        context=context,
        status=status,
    )


@router.get("/admin/imports/template.{kind}", name="import_template")
def template(request: Request, kind: str, principal: CurrentPrincipal) -> Response:
    """The import template: its guide to the columns in the reader's language."""
    if kind == "xlsx":
        return _download(
            template_xlsx(locale=formats.locale_for(request)), "projects-template.xlsx"
        )
    if kind == "csv":
        return _download(template_csv(), "projects-template.csv")
    raise NotFound("template")


@router.post("/admin/imports", response_class=HTMLResponse, name="upload_import")
def upload(
    request: Request,
    received: ReceivedUpload,  # first: the body is read before a database session is opened
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
    hx: HXRequest,
) -> Response:
    if received.refused is not None:
        # HTMX shows a 400 in place, not a 413: the form says why either way.
        status = 400 if hx else received.refused.status
        return _imports_page(request, session, status=status, errors=received.refused.errors)
    try:
        job = jobs.start_job(
            session=session, user=principal.user, upload=received.upload, settings=settings
        )
    except InputError as exc:
        session.rollback()
        return _imports_page(
            request, session, status=400, errors=exc.errors, upload=received.upload
        )
    session.commit()
    runner.run_in_background(engine=engine, settings=settings, job_id=job.id, commit=False)
    return _to_job(request, job.id, hx=hx)


def _to_job(request: Request, job_id: int, *, hx: bool) -> Response:
    url = str(urls.url_for(request, "import_job", job_id=job_id))
    if hx:
        return htmx.redirect(url)
    return see_other(url)


@router.get("/admin/imports/{job_id}", response_class=HTMLResponse, name="import_job")
def job_page(
    request: Request, job_id: int, session: SessionDep, principal: AdminPrincipal
) -> Response:
    job = jobs.get_job(session=session, job_id=job_id)
    return _job_page(request, session, job)


def _job_page(request, session, job, *, status: int = 200, errors=None) -> Response:
    return htmx.render(
        request,
        page="imports/job.html",
        fragment="imports/_job.html",
        context={
            "job": job,
            "state": jobs.job_state(session=session, job=job),
            "errors": errors or {},
        },
        status=status,
    )


@router.post("/admin/imports/{job_id}/commit", name="commit_import")
def commit(
    request: Request,
    job_id: int,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
    form: FormDep,
) -> Response:
    """Start writing a checked import (skipping the IATI activities that cannot be imported,
    when the form says so), or resume an interrupted one. The job's page follows, and says
    where the job stands (running, done, or why it cannot be written: a second click, a file
    no longer kept); a form to correct comes back with the field's message."""
    job = jobs.get_job(session=session, job_id=job_id)
    try:
        choice = read_form(form, ImportCommit)
        jobs.start_commit(session=session, job=job, skip_invalid=choice.skip_invalid)
    except InputError as exc:
        session.rollback()
        if set(exc.errors) - {"import"}:
            return _job_page(request, session, job, status=400, errors=exc.errors)
    else:
        session.commit()
        runner.run_in_background(engine=engine, settings=settings, job_id=job.id, commit=True)
    return see_other(str(urls.url_for(request, "import_job", job_id=job.id)))


@router.post("/admin/imports/{job_id}/level", name="recheck_import")
def recheck(
    request: Request,
    job_id: int,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
    form: FormDep,
) -> Response:
    """Check an IATI file again, its publisher's hierarchy imported at another level."""
    job = jobs.get_job(session=session, job_id=job_id)
    try:
        choice = read_form(form, ImportLevel)
        jobs.start_recheck(session=session, job=job, level=choice.level)
    except InputError as exc:
        session.rollback()
        return _job_page(request, session, job, status=400, errors=exc.errors)
    session.commit()
    runner.run_in_background(engine=engine, settings=settings, job_id=job.id, commit=False)
    return see_other(str(urls.url_for(request, "import_job", job_id=job.id)))


@router.get("/projects/export.{kind}", name="export_projects")
def export_projects(
    request: Request,
    kind: str,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> Response:
    """The projects of the list's filters (all of them, not a page) as CSV, XLSX or IATI XML."""
    if kind not in TYPES:
        raise NotFound("export")
    query = parse_project_list_query(session=session, params=query_params(request))
    codes = list_project_codes(session=session, query=query)
    if kind == "xml":
        return _stream(
            iati_file(engine=engine, settings=settings, codes=codes), "projects-iati.xml"
        )
    if kind == "xlsx":
        locale = formats.locale_for(request)
        workbook = xlsx_file(spreadsheet_rows(engine=engine, codes=codes), locale=locale)
        return _stream(workbook, "projects.xlsx")
    return _stream(csv_chunks(spreadsheet_rows(engine=engine, codes=codes)), "projects.csv")
