"""Importing from the administration page: upload, progress, the report, the commit."""

from __future__ import annotations

import time

from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from tests.conftest import csrf_of
from tests.services.imports.test_spreadsheet import _csv
from tracker.models import Project
from tracker.services.spreadsheet_format import EXAMPLE


def _wait(client, location: str) -> BeautifulSoup:
    for _ in range(100):
        page = BeautifulSoup(client.get(location).text, "html.parser")
        if page.find("progress") is None:
            return page
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def _upload(client, name: str, content: bytes, **fields):
    token = csrf_of(client, "/admin/imports")
    return client.post(
        "/admin/imports",
        data={"kind": "spreadsheet", "csrf_token": token, **fields},
        files={"file": (name, content)},
        follow_redirects=False,
    )


def test_upload_check_then_import(framework, browser_for):
    admin = browser_for("admin")
    page = BeautifulSoup(admin.get("/admin/imports").text, "html.parser")
    assert page.find("label", attrs={"for": "file"}).text == "File"
    template = admin.get("/admin/imports/template.xlsx")
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    response = _upload(admin, "projects.csv", _csv([EXAMPLE, {**EXAMPLE, "code": "CYB-2026-0043"}]))
    assert response.status_code == 303
    location = response.headers["location"]
    checked = _wait(admin, location)
    assert "The file is fine: 2 new projects and 0 to update." in checked.get_text(" ", strip=True)
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0
    form = checked.find("form", attrs={"action": lambda a: a and a.endswith("/commit")})
    commit_url = form["action"]
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    assert (
        admin.post(commit_url, data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    done = _wait(admin, location)
    assert "Imported. 2 projects added and 0 updated." in done.get_text(" ", strip=True)
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 2


def test_problems_are_listed_by_row_and_column(framework, browser_for):
    admin = browser_for("admin")
    response = _upload(admin, "projects.csv", _csv([{**EXAMPLE, "budget_amount": "lots"}]))
    page = _wait(admin, response.headers["location"])
    assert "1 problem; nothing was written" in page.get_text(" ", strip=True)
    cells = [td.get_text(strip=True) for td in page.select("tbody tr")[0].find_all("td")]
    assert cells[:3] == ["2", "budget_amount", "lots"]
    assert page.find("form", attrs={"action": lambda a: a and a.endswith("/commit")}) is None


def test_a_hostile_upload_is_refused_on_the_page(framework, browser_for):
    admin = browser_for("admin")
    response = _upload(admin, "evil.csv", _csv([{**EXAMPLE, "title": "=1+1"}]))
    page = _wait(admin, response.headers["location"])
    assert "The file was refused" in page.get_text(" ", strip=True)
    assert "holds a formula" in page.get_text(" ", strip=True)


def test_an_upload_without_file_is_refused_beside_the_field(framework, browser_for):
    admin = browser_for("admin")
    token = csrf_of(admin, "/admin/imports")
    response = admin.post(
        "/admin/imports", data={"kind": "iati", "csrf_token": token}, files={"file": ("", b"")}
    )
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    assert "choose a file to import" in page.find(id="file-error").text
    assert "IATI activities need the programme" in page.find(id="programme-error").text


def test_exports_follow_the_list_filters(framework, browser_for):
    from tests.services.coverage import portfolio
    from tracker.db import session_scope

    with session_scope(framework) as session:
        portfolio.build(session)
    viewer = browser_for("viewer")
    csv_text = viewer.get("/projects/export.csv?programme=FCAC").content.decode("utf-8-sig")
    assert [line.split(",")[0] for line in csv_text.strip().splitlines()] == ["code", "P4", "P6"]
    xml = viewer.get("/projects/export.xml?goal=GPG5&status=active")
    assert xml.headers["content-type"] == "application/xml"
    assert xml.text.count("<iati-activity ") == 3  # P2, P4, P6
    assert viewer.get("/projects/export.pdf").status_code == 404
