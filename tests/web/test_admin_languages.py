"""The administration, account, sign-in, imports, screening, framework and project form pages
in French, Spanish and Arabic: their own words, the refusals services write in Python (what is
wrong and what is allowed, naming the field), the audit trail's sentences and the error pages,
each in the page's language; the JSON API keeps its English messages."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests import factories
from tests.conftest import csrf_of
from tracker.db import session_scope
from tracker.services.accounts import users
from tracker.services.accounts.tokens import create_api_token

PROJECT = {
    "code": "CYB-2026-0300",
    "title": "Cyber investigation training in Kenya",
    "kind": "capacity_building",
    "status": "active",
    "programme": "CYB",
    "start_date": "2026-06-01",
    "end_date": "2026-01-01",
    "budget_amount": "250000",
    "budget_currency": "",
    "place": ["KE", "UG", ""],
    "percentage": ["60", "30", ""],
}


def _post(client, path, data, page):
    return client.post(
        path, data={**data, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


def _page(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_the_project_form_refuses_in_spanish_naming_the_field_and_what_is_allowed(
    framework, browser_for
):
    manager = browser_for("manager_this")
    page = "/projects/new?lang=es"
    response = _post(manager, "/projects/new?lang=es", PROJECT, page)
    assert response.status_code == 400
    html = _page(response)
    assert html.html["lang"] == "es"
    summary = _text(html.select_one(".error-summary"))
    assert "Hay un problema" in summary
    # The field by its name in Spanish, then what is wrong and what is allowed, in Spanish.
    assert "Fecha de finalización: no debe ser anterior a la fecha de inicio" in summary
    assert "Moneda del presupuesto: elija la moneda del presupuesto" in summary
    assert "los porcentajes deben sumar 100; suman 90" in summary
    # Beside each field too, and the form's own words are Spanish.
    assert "elija la moneda del presupuesto" in _text(html.select_one("#budget_currency-error"))
    assert html.select_one("label[for=title]").get_text(strip=True) == "Título"
    assert "must" not in summary and "choose" not in summary


def test_an_unknown_programme_is_refused_in_french_with_the_programmes_allowed(
    framework, browser_for
):
    manager = browser_for("manager_this")
    data = {**PROJECT, "end_date": "2027-01-01", "budget_currency": "EUR", "programme": "ZZZ"}
    data["percentage"] = ["60", "40", ""]
    response = _post(manager, "/projects/new?lang=fr", data, "/projects/new?lang=fr")
    assert response.status_code == 400
    summary = _text(_page(response).select_one(".error-summary"))
    assert "Programme : programme inconnu : « ZZZ » ; programmes autorisés :" in summary
    assert "Cybercrime (CYB)" in summary


def test_the_api_keeps_its_refusals_in_english(framework, accounts, client_factory):
    with session_scope(framework) as session:
        user = users.get_user(session=session, user_id=accounts["manager_this"].id)
        token = create_api_token(session=session, user=user, name="t")[1]
    client = client_factory()
    client.headers["Authorization"] = f"Bearer {token}"
    client.headers["Accept-Language"] = "fr"
    body = {
        "code": "CYB-2026-0301",
        "title": "Cyber training",
        "programme": "CYB",
        "budget_amount": "1000",
        "start_date": "2026-06-01",
        "end_date": "2026-01-01",
    }
    response = client.post("/api/v1/projects?lang=fr", json=body)
    assert response.status_code == 422
    messages = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert "must not be before the start date" in messages["end_date"]
    assert messages["budget_currency"] == "choose the currency of the budget"
    missing = client.get("/api/v1/projects/NO-SUCH-0001?lang=ar")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("There is no project NO-SUCH-0001 here.")


def test_the_audit_trail_reads_in_french(framework, browser_for):
    manager = browser_for("manager_this")
    data = {**PROJECT, "end_date": "2027-01-01", "budget_currency": "EUR"}
    data["percentage"] = ["60", "40", ""]
    assert _post(manager, "/projects/new", data, "/projects/new").status_code == 303
    admin = browser_for("admin")
    response = admin.get("/admin/audit?lang=fr")
    assert response.status_code == 200
    html = _page(response)
    assert html.html["lang"] == "fr"
    assert html.h1.get_text(strip=True) == "Journal d'audit"
    rows = [_text(th) for th in html.select(".audit-table tbody th[scope=row]")]
    assert any(
        "a enregistré le projet CYB-2026-0300 Cyber investigation training in Kenya" in row
        for row in rows
    ), rows
    assert any("s'est connecté avec un mot de passe" in row for row in rows), rows
    options = [o.get_text(strip=True) for o in html.select("#entity option")]
    assert "Étiquettes d'objectifs spécifiques" in options and "Projets" in options
    # The same events in English, as they were.
    english = _page(admin.get("/admin/audit?lang=en"))
    rows = [_text(th) for th in english.select(".audit-table tbody th[scope=row]")]
    assert any("registered project CYB-2026-0300 Cyber investigation" in row for row in rows)


def test_an_error_page_in_arabic_reads_from_the_right(framework, browser_for):
    viewer = browser_for("viewer")
    response = viewer.get("/projects/NO-SUCH-0001?lang=ar")
    assert response.status_code == 404
    html = _page(response)
    assert (html.html["lang"], html.html["dir"]) == ("ar", "rtl")
    assert html.h1.get_text(strip=True) == "غير موجود"
    assert "لا يوجد هنا: مشروع NO-SUCH-0001" in _text(html.select_one(".lede"))
    assert html.select("main a")[-1].get_text(strip=True) == "الانتقال إلى النظرة العامة"
    nowhere = viewer.get("/no/such/page?lang=ar")
    assert nowhere.status_code == 404
    assert _page(nowhere).h1.get_text(strip=True) == "الصفحة غير موجودة"


def test_the_sign_in_refusal_in_spanish(framework, accounts, client_factory):
    client = client_factory()
    response = client.post(
        "/login?lang=es",
        data={
            "email": accounts["viewer"].email,
            "password": "not the password at all",
            "csrf_token": csrf_of(client, "/login?lang=es"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 401
    html = _page(response)
    assert "La dirección de correo electrónico o la contraseña no son correctas" in _text(
        html.select_one(".error-summary")
    )
    assert html.h1.get_text(strip=True) == "Iniciar sesión"


@pytest.mark.parametrize(
    ("language", "path", "words"),
    [
        ("fr", "/admin", "Personnes et rôles"),
        ("es", "/admin/users", "Invitar a alguien"),
        ("ar", "/admin/targets", "تحديد غاية"),
        ("fr", "/admin/sign-in", "Ajouter une règle"),
        ("es", "/admin/outbox", "Bandeja de salida de los resúmenes"),
        ("ar", "/admin/imports", "استيراد المشاريع"),
        ("fr", "/account", "Jetons d'API personnels"),
        ("es", "/framework", "Vínculos con los Objetivos de Desarrollo Sostenible"),
        ("ar", "/projects", "البحث في الرمز أو العنوان أو الملخص أو الجهة المانحة"),
        ("fr", "/projects/new", "Où il intervient"),
        ("es", "/screening", "Teclas"),
        ("fr", "/docs", "Référence de l'API"),
    ],
)
def test_each_page_speaks_the_language_asked_for(framework, browser_for, language, path, words):
    admin = browser_for("admin")
    response = admin.get(f"{path}?lang={language}")
    assert response.status_code == 200
    html = _page(response)
    assert html.html["lang"] == language
    assert words in _text(html.body)


def test_a_user_form_refusal_in_arabic(framework, browser_for):
    admin = browser_for("admin")
    data = {"full_name": "", "email": "not-an-address", "role": "manager"}
    response = _post(admin, "/admin/users?lang=ar", data, "/admin/users?lang=ar")
    assert response.status_code == 400
    summary = _text(_page(response).select_one(".error-summary"))
    assert "توجد مشكلة" in summary
    assert "الاسم الكامل: مطلوب" in summary
    assert "البريد الإلكتروني: يجب أن يكون عنوان بريد إلكتروني مثل ana.costa@example.org" in summary


def test_a_target_refused_in_french(framework, browser_for):
    admin = browser_for("admin")
    data = {"code": "4.2", "region": "", "min_active_projects": "", "min_budget_eur": ""}
    response = _post(admin, "/admin/targets?lang=fr", data, "/admin/targets?lang=fr")
    assert response.status_code == 400
    summary = _text(_page(response).select_one(".error-summary"))
    assert "indiquez un nombre minimum de projets actifs, un budget minimum, ou les deux" in summary


def test_an_imports_row_problems_in_spanish(framework, browser_for):
    from tests.files import spreadsheet_csv
    from tests.waiting import wait_until
    from tracker.services.exchange.spreadsheet.columns import EXAMPLE

    admin = browser_for("admin")
    content = spreadsheet_csv([{**EXAMPLE, "budget_amount": "lots"}])
    response = admin.post(
        "/admin/imports",
        data={"kind": "spreadsheet", "csrf_token": csrf_of(admin, "/admin/imports")},
        files={"file": ("projects.csv", content)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]

    def finished():
        page = _page(admin.get(f"{location}?lang=es"))
        return page if page.find("progress") is None else None

    page = wait_until(finished, interval=0.05, what="the import to finish")
    text = _text(page.body)
    assert "1 problema; no se escribió nada" in text
    cells = [_text(td) for td in page.select("tbody tr")[0].find_all("td")]
    assert cells[:3] == ["2", "budget_amount", "lots"]
    assert cells[3] == "«lots» no es un número; use cifras, por ejemplo 250000.50"
    # The same report in English, as it was written.
    english = _page(admin.get(f"{location}?lang=en"))
    cells = [_text(td) for td in english.select("tbody tr")[0].find_all("td")]
    assert cells[3] == '"lots" is not a number; use digits, such as 250000.50'


FRENCH_UPLOAD_REFUSALS = {
    "a PDF": (
        "projects.csv",
        b"%PDF-1.7\n" + b"x" * 5_000,
        "« projects.csv » est un document PDF ; l'outil importe un fichier CSV (.csv), un "
        "classeur Excel (.xlsx) ou un fichier XML IATI (.xml)",
    ),
    "UTF-16": ("p.csv", "code,title\n".encode("utf-16"), "est un texte UTF-16 ; enregistrez-le"),
    "Latin-1": (
        "p.csv",
        "code,title\nX,Caf\xe9\n".encode("latin-1"),
        "« p.csv » n'est pas du texte UTF-8 (octet 0xe9 à la ligne 2)",
    ),
    "empty": ("p.csv", b"", "« p.csv » est vide (0 octet)"),
}


@pytest.mark.parametrize("case", list(FRENCH_UPLOAD_REFUSALS))
def test_an_upload_is_refused_in_french_beside_the_file_field(framework, browser_for, case):
    from tests.web.test_imports import _upload

    name, content, message = FRENCH_UPLOAD_REFUSALS[case]
    admin = browser_for("admin")
    assert admin.get("/admin/imports?lang=fr").status_code == 200
    response = _upload(admin, name, content)
    assert response.status_code == 400
    page = _page(response)
    assert page.html["lang"] == "fr"
    assert message in _text(page.find(id="file-error"))


def test_a_tag_in_the_audit_trail_is_named_as_the_framework_is_in_french(framework, browser_for):
    with session_scope(framework) as session:
        project = factories.project(session, code="CYB-2026-0301")
        after = {"code": "4.2", "name": "Cooperation against cybercrime", "significance": 2}
        factories.audit_event(
            session,
            project,
            action="tag",
            entity_type="objective_tag",
            entity_key="CYB-2026-0301 4.2",
            actor_label="Ana Costa",
            after=after,
        )
    admin = browser_for("admin")
    french = [_text(th) for th in _page(admin.get("/admin/audit?lang=fr")).select("tbody th")]
    assert any("4.2 Coopération contre la cybercriminalité" in row for row in french), french
    # The project's history says it so too, and English keeps the name the tag had.
    history = _text(_page(admin.get("/projects/CYB-2026-0301?lang=fr")).find("main"))
    assert "4.2 Coopération contre la cybercriminalité" in history
    english = [_text(th) for th in _page(admin.get("/admin/audit?lang=en")).select("tbody th")]
    assert any("tagged 4.2 Cooperation against cybercrime as" in row for row in english), english
