"""Importing from the administration page: upload, progress, the report, the commit."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from tests.conftest import csrf_of
from tests.files import BILLION_LAUGHS
from tests.files import spreadsheet_csv as _csv
from tests.files import zip_bomb as _zip_bomb
from tests.waiting import wait_until
from tracker.models import ImportJob, Project
from tracker.models.imports import ImportUpload
from tracker.services.exchange.spreadsheet.columns import COLUMNS, EXAMPLE


def _wait(client, location: str) -> BeautifulSoup:
    """The job's page once it no longer shows progress."""

    def finished():
        page = BeautifulSoup(client.get(location).text, "lxml")
        return page if page.find("progress") is None else None

    return wait_until(finished, interval=0.05, what=f"the import at {location} to finish")


def _upload(client, name: str, content: bytes, *, via: str = "form", hx: bool = False, **fields):
    """Upload as a browser does: the CSRF token in the form (without JavaScript), or in the
    X-CSRF-Token header (with HTMX), which lets the upload be checked as it arrives."""
    token = csrf_of(client, "/admin/imports")
    data = {"kind": "spreadsheet", **fields}
    headers = {}
    if via == "header":
        headers["X-CSRF-Token"] = token
    else:
        data["csrf_token"] = token
    if hx:
        headers["HX-Request"] = "true"
    if not name.isprintable():
        # Browsers escape control characters in file names; a hostile client need not.
        return client.post(
            "/admin/imports",
            content=_raw_multipart(data, name, content),
            headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            follow_redirects=False,
        )
    return client.post(
        "/admin/imports",
        data=data,
        files={"file": (name, content)},
        headers=headers,
        follow_redirects=False,
    )


BOUNDARY = "hostile-boundary"


def _raw_multipart(fields: dict, name: str, content: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _stored(engine) -> tuple[int, int]:
    """Import jobs, and bytes of uploaded files, in the database."""
    with Session(engine) as session:
        jobs = session.exec(select(func.count()).select_from(ImportJob)).one()
        size = session.exec(
            select(func.coalesce(func.sum(func.length(ImportUpload.content)), 0))
        ).one()
    return jobs, size


def test_upload_check_then_import(framework, browser_for):
    admin = browser_for("admin")
    page = BeautifulSoup(admin.get("/admin/imports").text, "lxml")
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
    page = BeautifulSoup(response.text, "lxml")
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
    # A filter that matches nothing exports nothing, in every format.
    nothing = viewer.get("/projects/export.xml?q=no-such-words-anywhere")
    assert nothing.status_code == 200 and "<iati-activity " not in nothing.text
    csv_text = viewer.get("/projects/export.csv?q=no-such-words-anywhere").content
    assert csv_text.decode("utf-8-sig").strip().splitlines() == [",".join(COLUMNS)]
    assert viewer.get("/projects/export.pdf").status_code == 404


CSV = _csv([EXAMPLE])
HOSTILE_UPLOADS = {
    "empty": ("projects.csv", b"", {}, 400, "file", "is empty (0 bytes)"),
    "pdf named csv": ("projects.csv", b"%PDF-1.7\n" + b"x" * 5_000, {}, 400, "file", "is a PDF"),
    "nul in the name": ("evil\x00name.csv", CSV, {}, 400, "file", "must not contain control"),
    "control in the name": ("bell\x07.csv", CSV, {}, 400, "file", "must not contain control"),
    "nul in a field": ("p\x00.csv", CSV, {"kind": "spread\x00sheet"}, 400, "kind", "control"),
    "unknown type": ("projects.ods", CSV, {}, 400, "file", "must be a CSV file (.csv)"),
    "not a workbook": ("projects.xlsx", CSV, {}, 400, "file", "is not an Excel workbook"),
    "utf-16": ("projects.csv", "code,title\n".encode("utf-16"), {}, 400, "file", "UTF-16 text"),
    "latin-1": (
        "p.csv",
        "code,title,programme\nX,Caf\xe9,CYB\n".encode("latin-1"),
        {},
        400,
        "file",
        "is not UTF-8 text (byte 0xe9 on line 2)",
    ),
    "zip bomb": ("bomb.xlsx", _zip_bomb(), {}, 400, "file", "refused as a zip bomb"),
    "wrong columns": ("p.csv", b"name,colour\nX,red\n", {}, 400, "file", "unknown column name"),
    "ten thousand columns": (
        "p.csv",
        ",".join(f"c{i}" for i in range(10_000)).encode() + b"\n",
        {},
        400,
        "file",
        "the header has more than 200 columns",
    ),
    "billion laughs": (
        "a.xml",
        BILLION_LAUGHS,
        {"kind": "iati", "programme": "CYB"},
        400,
        "file",
        "declares XML entities",
    ),
    "xml as a spreadsheet": ("a.xml", b"<iati-activities/>", {}, 400, "file", "choose a .csv"),
    "iati 1.05": (
        "old.xml",
        (Path(__file__).parents[1] / "data/iati/publishers/old-1.05.xml").read_bytes(),
        {"kind": "iati", "programme": "CYB"},
        400,
        "file",
        "the file is IATI version 1.05; the tracker reads versions 2.01 to 2.03",
    ),
    "60 MB": ("big.csv", CSV + b"X" * 60_000_000, {}, 413, None, "larger than"),
}


@pytest.mark.parametrize("via", ["header", "form"])
@pytest.mark.parametrize("case", list(HOSTILE_UPLOADS))
def test_hostile_uploads_are_refused_before_anything_is_stored(
    framework, browser_for, monkeypatch, tmp_path, case, via
):
    name, content, fields, status, field, message = HOSTILE_UPLOADS[case]
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    admin = browser_for("admin")
    response = _upload(admin, name, content, via=via, **fields)
    assert response.status_code == status, response.text[:500]
    text = BeautifulSoup(response.text, "lxml").get_text(" ", strip=True)
    assert message in text, text[:1000]
    if field is not None:
        page = BeautifulSoup(response.text, "lxml")
        assert message in page.find(id=f"{field}-error").get_text(" ", strip=True)
    assert _stored(framework) == (0, 0)
    assert list(temporary.iterdir()) == []


def test_a_refusal_comes_back_in_place_for_htmx_and_a_success_as_a_redirect(framework, browser_for):
    admin = browser_for("admin")
    refused = _upload(admin, "projects.csv", b"", via="header", hx=True)
    assert refused.status_code == 400 and refused.headers["vary"] == "HX-Request"
    fragment = BeautifulSoup(refused.text, "html.parser")
    assert fragment.find("html") is None and fragment.find(id="import-upload") is not None
    assert "is empty" in fragment.find(id="file-error").text
    accepted = _upload(admin, "projects.csv", CSV, via="header", hx=True)
    assert accepted.status_code == 200 and "location" not in accepted.headers
    assert accepted.headers["HX-Redirect"].endswith("/admin/imports/1")
    _wait(admin, accepted.headers["HX-Redirect"])
    assert _stored(framework)[0] == 1


def test_the_form_sends_the_file_with_the_csrf_header_when_htmx_runs(framework, browser_for):
    page = BeautifulSoup(browser_for("admin").get("/admin/imports").text, "lxml")
    form = page.select_one("#import-upload form")
    assert form["hx-post"] == form["action"] and form["hx-encoding"] == "multipart/form-data"
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"  # no JS too
    fields = [f["name"] for f in form.find_all(["input", "select"]) if f.get("name")]
    assert fields.index("kind") < fields.index("file")  # what it is arrives before the file


def test_a_long_file_name_is_kept_cut_to_size(framework, browser_for):
    admin = browser_for("admin")
    response = _upload(admin, "p" * 1_000 + ".csv", CSV, via="header")
    assert response.status_code == 303
    page = _wait(admin, response.headers["location"])
    title = page.find("h1").get_text(strip=True)
    assert len(title) == 255 and title.endswith("….csv")


def test_hostile_cells_are_listed_by_row_and_column_and_nothing_is_written(framework, browser_for):
    from tests.files import HOSTILE_ROW_PROBLEMS as EXPECTED
    from tests.files import hostile_rows as _hostile_rows

    admin = browser_for("admin")
    response = _upload(admin, "hostile.csv", _hostile_rows(), via="header")
    assert response.status_code == 303
    page = _wait(admin, response.headers["location"])
    assert f"{len(EXPECTED)} problems; nothing was written" in page.get_text(" ", strip=True)
    rows = {
        (int(cells[0]), cells[1]): cells[3]
        for cells in (
            [td.get_text(strip=True) for td in tr.find_all("td")] for tr in page.select("tbody tr")
        )
    }
    assert rows == EXPECTED
    assert page.find("form", attrs={"action": lambda a: a and a.endswith("/commit")}) is None
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0
    assert _stored(framework) == (1, 0)  # the job and its report; the file is gone


def test_an_interrupted_import_says_what_was_written_and_resumes(
    framework, browser_for, monkeypatch
):
    from tests import import_jobs
    from tracker.services.exchange import runner

    def crash(plans):
        raise RuntimeError("the server lost its power")

    import_jobs.batches_of(monkeypatch, 2)
    monkeypatch.setattr(runner, "_write_batch", import_jobs.before_batch(2, crash))
    admin = browser_for("admin")
    rows = [{**EXAMPLE, "code": f"CYB-{i}"} for i in range(5)]
    location = _upload(admin, "projects.csv", _csv(rows)).headers["location"]
    checked = _wait(admin, location)
    commit = checked.find("form", attrs={"action": lambda a: a and a.endswith("/commit")})
    token = commit.find("input", attrs={"name": "csrf_token"})["value"]
    assert admin.post(commit["action"], data={"csrf_token": token}).status_code == 200
    stopped = _wait(admin, location)
    text = stopped.get_text(" ", strip=True)
    assert "The import stopped after writing 2 of 5 rows" in text
    assert "The first 2 rows of the file are written; the others are not." in text
    assert "RuntimeError: the server lost its power" in text
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 2
    monkeypatch.setattr(runner, "_write_batch", import_jobs.before_batch(99, crash))
    resume = stopped.find("form", attrs={"action": lambda a: a and a.endswith("/commit")})
    assert resume.find("button").get_text(strip=True) == "Write the remaining 3 rows"
    admin.post(resume["action"], data={"csrf_token": token})
    done = _wait(admin, location)
    assert "Imported. 5 projects added and 0 updated." in done.get_text(" ", strip=True)
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 5
    assert _stored(framework) == (1, 0)
    # A click too many changes nothing; the page says where the import stands.
    again = admin.post(resume["action"], data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == location
    assert "Imported. 5 projects added" in _wait(admin, location).get_text(" ", strip=True)
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 5


@pytest.mark.parametrize(
    ("name", "first_bytes", "message"),
    [
        (b"projects.csv", b"%PDF-1.7\n" + b"\0" * 8_000, "is a PDF document"),
        (b"evil\x00.csv", b"code,title,programme\n", "must not contain control characters"),
    ],
    ids=["pdf", "nul-in-name"],
)
def test_a_live_server_refuses_an_upload_from_its_first_bytes(
    live_server, framework, accounts, name, first_bytes, message
):
    """The browser says 10 MB are coming and sends 8 KB: the answer comes anyway, from the
    first bytes, and nothing is kept."""
    import socket
    from urllib.parse import urlsplit

    from tests.web.live import form_of, signed_in

    admin = accounts["admin"]
    client = signed_in(live_server, admin.email, admin.password)
    token = form_of(client, "/admin/imports")["csrf_token"]
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    head = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nspreadsheet\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="'
        ).encode()
        + name
        + b'"\r\n\r\n'
        + first_bytes
    )
    address = urlsplit(live_server)
    request = (
        "POST /admin/imports HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {10_000_000}\r\n"
        f"X-CSRF-Token: {token}\r\n"
        f"Cookie: {cookies}\r\n\r\n"
    ).encode()
    began = time.monotonic()
    with socket.create_connection((address.hostname, address.port), timeout=15) as sock:
        sock.sendall(request + head)
        answer = b""
        while b"</html>" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert time.monotonic() - began < 10
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400", status_line
    text = BeautifulSoup(rest.partition(b"\r\n\r\n")[2], "lxml").get_text(" ", strip=True)
    assert message in text
    assert _stored(framework) == (0, 0)
