"""The framework page's languages: which translation each language has, and an administrator
loading one from a file."""

from __future__ import annotations

import pytest
import yaml
from bs4 import BeautifulSoup
from sqlmodel import select

from tests.conftest import GPG_FILE
from tracker.db import session_scope
from tracker.models import AuditEvent, Framework, Goal

FR_FILE = GPG_FILE.with_name("gpg-2023.fr.yaml")


def _page(client) -> BeautifulSoup:
    return BeautifulSoup(client.get("/framework").text, "lxml")


def _csrf(client) -> str:
    return _page(client).select_one(
        "form[action$='/framework/translations'] input[name=csrf_token]"
    )["value"]


def _french(engine) -> tuple[dict, str]:
    with session_scope(engine) as session:
        framework = session.exec(select(Framework)).one()
        goal = session.exec(select(Goal).where(Goal.code == "GPG4")).one()
        return framework.translations["fr"], goal.translations["fr"]["short_name"]


def test_the_page_says_which_text_is_official_and_which_is_a_working_translation(
    framework, browser_for
):
    page = _page(browser_for("viewer"))
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.select("#languages tbody tr")
    }
    assert list(rows) == ["English", "French", "Spanish", "Arabic"]
    assert rows["English"][0] == "Official text"
    for language in ("French", "Spanish", "Arabic"):
        assert rows[language][0] == "Unofficial working translation"
        assert rows[language][3] == "Complete"
    arabic = page.select("#languages tbody tr")[3].find_all("td")[1]
    assert arabic["lang"] == "ar" and arabic["dir"] == "rtl"
    # The form is an administrator's.
    assert page.select_one("form[action$='/framework/translations']") is None


def test_an_administrator_loads_an_official_translation(framework, browser_for, accounts):
    admin = browser_for("admin")
    data = yaml.safe_load(FR_FILE.read_text(encoding="utf-8"))
    data.update(official=True, source="INTERPOL, Objectifs mondiaux de police, 2024")
    data["goals"][3]["short_name"] = "Cybercriminalité"
    body = yaml.safe_dump(data, allow_unicode=True).encode()
    response = admin.post(
        "/framework/translations",
        data={"csrf_token": _csrf(admin)},
        files={"file": ("gpg-2023.fr.official.yaml", body, "application/yaml")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("?notice=translated#languages")
    provenance, short_name = _french(framework)
    assert provenance["official"] is True and short_name == "Cybercriminalité"
    page = BeautifulSoup(admin.get(response.headers["location"]).text, "lxml")
    assert page.select_one("#languages .notice").text == "The translation is loaded."
    french = page.select("#languages tbody tr")[1]
    assert french.find_all("td")[0].get_text(strip=True) == "Official translation"
    with session_scope(framework) as session:
        event = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "translate")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert (
            event.actor_id == accounts["admin"].id and event.after["translation"]["fr"]["official"]
        )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (None, "choose a translation file"),
        ({"file": ("fr.yaml", b"language: fr\ngoals: []\n", "application/yaml")}, "fr.yaml"),
        (
            {
                "file": (
                    "fr.yaml",
                    FR_FILE.read_bytes().replace(b'version: "2023"', b"version: '1'"),
                )
            },
            'version: translates version "1" of GPG-2023',
        ),
        ({"file": ("fr.yaml", b"\xff\xfe\x00bad")}, "not UTF-8 text"),
    ],
)
def test_a_bad_file_gets_400_naming_the_field_and_stores_nothing(
    framework, browser_for, files, expected
):
    admin = browser_for("admin")
    before = _french(framework)
    response = admin.post("/framework/translations", data={"csrf_token": _csrf(admin)}, files=files)
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    summary = page.select_one("#error-summary").get_text(" ", strip=True)
    assert "File:" in summary
    field = page.select_one("#file")
    assert field["aria-invalid"] == "true"
    shown = summary + " ".join(li.get_text() for li in page.select("ul.problems li"))
    assert expected in shown, shown
    assert _french(framework) == before


def test_a_long_list_of_problems_is_cut_short(framework, browser_for):
    admin = browser_for("admin")
    data = yaml.safe_load(FR_FILE.read_text(encoding="utf-8"))
    for goal in data["goals"]:
        for objective in goal["objectives"]:
            objective["statement"] = ""
    response = admin.post(
        "/framework/translations",
        data={"csrf_token": _csrf(admin)},
        files={"file": ("fr.yaml", yaml.safe_dump(data, allow_unicode=True).encode())},
    )
    assert response.status_code == 400
    problems = [
        li.get_text() for li in BeautifulSoup(response.text, "lxml").select("ul.problems li")
    ]
    assert len(problems) == 21 and problems[-1] == "and 18 more"


def test_a_viewer_may_not_load_a_translation(framework, browser_for):
    viewer = browser_for("viewer")
    token = BeautifulSoup(viewer.get("/account").text, "lxml").select_one("input[name=csrf_token]")[
        "value"
    ]
    before = _french(framework)
    response = viewer.post(
        "/framework/translations",
        data={"csrf_token": token},
        files={"file": ("fr.yaml", FR_FILE.read_bytes())},
    )
    assert response.status_code == 403
    assert _french(framework) == before
