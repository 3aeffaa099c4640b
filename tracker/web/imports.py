"""Imports and exports: templates, uploads with a progress bar, and downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from tracker.deps import (
    AdminPrincipal,
    CurrentPrincipal,
    EngineDep,
    HXRequest,
    SessionDep,
    SettingsDep,
)
from tracker.services.errors import InputError, NotFound
from tracker.services.exports import project_rows, template_csv, template_xlsx, to_csv, to_xlsx
from tracker.services.exports_iati import export_iati
from tracker.services.imports import jobs
from tracker.services.project_list import list_project_codes, parse_project_list_query
from tracker.services.reference_lists import programmes_and_regions
from tracker.web._forms import see_other
from tracker.web._params import query_params
from tracker.web.templating import templates

router = APIRouter()
TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xml": "application/xml",
}


def _download(data: bytes, name: str) -> Response:
    kind = name.rsplit(".", 1)[1]
    return Response(
        data,
        media_type=TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/admin/imports", response_class=HTMLResponse, name="imports")
def imports(request: Request, session: SessionDep, principal: AdminPrincipal) -> HTMLResponse:
    return _imports_page(request, session)


def _imports_page(request, session, status: int = 200, **context) -> HTMLResponse:
    programmes, _ = programmes_and_regions(session=session)
    return templates.TemplateResponse(
        request,
        "imports/index.html",
        {
            "jobs": jobs.recent_jobs(session=session),
            "kinds": list(jobs.KINDS.items()),
            "programmes": [("", "Choose…")] + [(p.code, p.name) for p in programmes],
            "errors": context.get("errors", {}),
        },
        status_code=status,
    )


@router.get("/admin/imports/template.{kind}", name="import_template")
def template(kind: str, principal: CurrentPrincipal) -> Response:
    if kind == "xlsx":
        return _download(template_xlsx(), "projects-template.xlsx")
    if kind == "csv":
        return _download(template_csv(), "projects-template.csv")
    raise NotFound("template")


@router.post("/admin/imports", response_class=HTMLResponse, name="upload_import")
async def upload(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
) -> Response:
    form = await request.form()
    upload: UploadFile | None = form.get("file") if hasattr(form.get("file"), "read") else None
    content = await upload.read(settings.import_max_bytes + 1) if upload else b""
    try:
        job = jobs.start_job(
            session=session,
            user=principal.user,
            kind=str(form.get("kind", "spreadsheet")),
            filename=(upload.filename if upload else "") or "upload",
            content=content,
            programme=str(form.get("programme", "")),
        )
    except InputError as exc:
        session.rollback()
        return _imports_page(request, session, 400, errors=exc.errors)
    session.commit()
    jobs.run_in_background(engine=engine, settings=settings, job_id=job.id, commit=False)
    return see_other(str(request.url_for("import_job", job_id=job.id)))


@router.get("/admin/imports/{job_id}", response_class=HTMLResponse, name="import_job")
def job_page(
    request: Request, job_id: int, session: SessionDep, principal: AdminPrincipal, hx: HXRequest
) -> HTMLResponse:
    job = jobs.get_job(session=session, job_id=job_id)
    template = "imports/_job.html" if hx else "imports/job.html"
    return templates.TemplateResponse(request, template, {"job": job})


@router.post("/admin/imports/{job_id}/commit", name="commit_import")
def commit(
    request: Request,
    job_id: int,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
) -> Response:
    job = jobs.get_job(session=session, job_id=job_id)
    jobs.start_commit(session=session, job=job)
    session.commit()
    jobs.run_in_background(engine=engine, settings=settings, job_id=job.id, commit=True)
    return see_other(str(request.url_for("import_job", job_id=job.id)))


@router.get("/projects/export.{kind}", name="export_projects")
def export_projects(
    request: Request,
    kind: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> Response:
    """The projects of the list's filters (all of them, not a page) as CSV, XLSX or IATI XML."""
    if kind not in TYPES:
        raise NotFound("export")
    query = parse_project_list_query(session=session, params=query_params(request))
    codes = list_project_codes(session=session, query=query)
    if kind == "xml":
        return _download(
            export_iati(session=session, settings=settings, codes=codes), "projects-iati.xml"
        )
    rows = project_rows(session=session, codes=codes)
    if kind == "xlsx":
        return _download(to_xlsx(rows), "projects.xlsx")
    return _download(to_csv(rows), "projects.csv")
