"""The gaps, the trends, the heatmap's places and the board pack in French, Spanish and Arabic:
gap kinds and reasons said in the page's language (amounts and places too), the API's reasons
kept in English, and the board pack's PDF written in the language asked for."""

from __future__ import annotations

import pickle
import shutil
import subprocess
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from tests import factories
from tests.services.coverage import portfolio
from tests.services.history import portfolio as history
from tracker import places
from tracker.cli import app
from tracker.config import get_settings
from tracker.db import session_scope
from tracker.formats import Text
from tracker.said import Money


@pytest.fixture
def example(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
        # Short in Africa: a goal's target there, with an amount the reason names.
        # Work in Chad, so that a view of Africa's countries has a column whose name French
        # writes otherwise (Tchad).
        chad = factories.project(session, code="TD1", title="Chad project")
        factories.location(session, chad, "TD")
        factories.objective_tag(session, chad, "4.1", significance=2)
        factories.target(
            session,
            goal="GPG4",
            region="AFR",
            min_active_projects=5,
            min_budget_eur=Decimal("2000000"),
        )
    return framework


def _page(client, path, **params) -> BeautifulSoup:
    response = client.get(path, params=params) if params else client.get(path)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "lxml")


def _groups(page) -> dict[str, list[str]]:
    """Each group's heading (without its count), and its gaps' subjects and reasons."""
    return {
        s.h2.contents[0].strip(): [
            li.get_text(" ", strip=True) for li in s.select("ul.gap-list > li")
        ]
        for s in page.select("section.gap-group")
    }


def test_gaps_page_in_spanish_says_kinds_reasons_amounts_and_regions(example, browser_for):
    groups = _groups(_page(browser_for("viewer"), "/gaps", lang="es"))
    assert "Por debajo de la meta" in groups and "Objetivos sin proyecto en una región" in groups
    below = " ".join(groups["Por debajo de la meta"])
    # The amount as Spanish writes it, the region's Spanish name, the sentence in Spanish.
    assert "GPG4" in below and "en África" in below
    assert "Meta: al menos 5 proyectos activos y al menos 2.000.000,00\xa0€ atribuidos" in below
    empty = " ".join(groups["Objetivos sin proyecto en una región"])
    assert (
        "Ningún proyecto activo en Oriente Medio y Norte de África sirve a este objetivo." in empty
    )
    assert "Proyectos aún no revisados" in groups
    assert groups["Proyectos aún no revisados"][0].startswith("1 proyecto activo")


def test_gaps_page_in_french_and_arabic(example, browser_for):
    viewer = browser_for("viewer")
    french = _page(viewer, "/gaps", lang="fr", region="AFR")
    groups = _groups(french)
    assert "Objectifs spécifiques qu'aucun projet ne sert" in groups
    assert any(
        "Aucun projet actif ne sert cet objectif spécifique (région : Afrique)." in g
        for g in groups["Objectifs spécifiques qu'aucun projet ne sert"]
    )
    assert french.h1.text == "Lacunes"
    assert [o.text for o in french.select("#region option")][1] == "Afrique"
    arabic = _page(viewer, "/gaps", lang="ar", region="AFR")
    groups = _groups(arabic)
    assert "أهداف فرعية لا يخدمها أي مشروع" in groups
    assert any(
        "لا يخدم أي مشروع نشط في أفريقيا هذا الهدف الفرعي." in g
        for g in groups["أهداف فرعية لا يخدمها أي مشروع"]
    )
    assert arabic.html["dir"] == "rtl"


def test_a_gaps_page_in_french_names_its_place_and_leads(example, browser_for):
    viewer = browser_for("viewer")
    listed = _page(viewer, "/gaps", kind="empty_goal_region")
    about = listed.select_one("section.gap-group li > a[href*='/gaps/about']")["href"]
    page = _page(viewer, about + "&lang=fr")
    title = page.select_one("h1.gap-title").get_text(" ", strip=True)
    # The goal by its French name (the framework's translation), the region by the catalogue.
    assert title == (
        "Objectifs sans projet dans une région "
        "GPG1 Lutte contre le terrorisme – Asie et Pacifique Sud"
    )
    assert "Aucun projet actif ne sert cet objectif (lieu :" in page.select_one("p.lede").text
    headings = [s.find(["h2"]).get_text(" ", strip=True) for s in page.select("section")]
    assert "Ce que vous pouvez faire" in headings


def test_the_apis_gap_reasons_stay_english(example, browser_for):
    viewer = browser_for("viewer")
    for lang in ("fr", "es", "ar"):
        gaps = viewer.get("/api/v1/gaps", headers={"Accept-Language": lang})
        reasons = [g["reason"] for g in gaps.json()["gaps"]]
        subjects = [g["subject"] for g in gaps.json()["gaps"]]
        assert "Target: at least 5 active projects and at least €2,000,000.00 attributed; has " in (
            " ".join(reasons)
        )
        assert any(
            r.startswith("No active project in Middle East and North Africa") for r in reasons
        )
        assert any(s.endswith(" in Africa") for s in subjects)
        assert not any("Afri" in r and "África" in r for r in reasons)


def test_heatmap_names_countries_and_regions_in_french(example, browser_for):
    viewer = browser_for("viewer")
    page = _page(viewer, "/heatmap", lang="fr", cols="countries", region="AFR")
    heads = [th.get_text(strip=True) for th in page.select("table.heatmap thead th")]
    assert "Tchad" in heads and "Kenya" in heads and "Chad" not in heads
    assert "Toute la région" in heads
    regions = _page(viewer, "/heatmap", lang="es")
    heads = [th.get_text(strip=True) for th in regions.select("table.heatmap thead th")]
    assert "África" in heads and "Oriente Medio y Norte de África" in heads
    hidden = regions.select_one("table.heatmap td.cell a .visually-hidden").get_text()
    assert " en África" in hidden


def test_places_are_said_in_each_language_and_pickle():
    assert places.place_name("country", "TD", "Chad", locale="fr") == "Tchad"
    assert places.place_name("country", "TD", "Chad", locale="ar") == "تشاد"
    assert places.place_name("country", "TD", "Chad") == "Chad"
    assert places.place_name("region", "AME", "Americas", locale="es") == "Américas"
    sentence = Text(
        "%(subject)s in %(place)s", subject="GPG1", place=places.country("ZA", "South Africa")
    )
    again = pickle.loads(pickle.dumps(sentence))
    assert again == "GPG1 in South Africa" and again.in_locale("es") == "GPG1 en Sudáfrica"
    amount = pickle.loads(pickle.dumps(Money(Decimal("1234.5"), "EUR")))
    assert amount == "€1,234.50" and amount.in_locale("fr") == "1\u202f234,50\u00a0€"


@pytest.fixture
def history_viewer(framework, browser_for):
    history.build(framework)
    return browser_for("viewer")


@pytest.mark.parametrize(
    ("lang", "title", "period", "gaps"),
    [
        ("fr", "Projets actifs par mois", "nov. 2025", "Lacunes ouvertes et comblées"),
        ("es", "Proyectos activos por mes", "nov 2025", "Brechas abiertas y cerradas"),
        ("ar", "المشاريع النشطة لكل شهر", "نوفمبر 2025", "الفجوات التي فُتحت والتي سُدّت"),
    ],
)
def test_trends_page_in_three_languages(history_viewer, lang, title, period, gaps):
    page = _page(history_viewer, "/trends", lang=lang, to="2026-11-15")
    chart = page.select_one("#trend-projects")
    assert chart.svg.title.text == title
    assert period in [t.text for t in chart.select("text.chart__tick")]
    assert gaps in [h.get_text(strip=True) for h in page.select("h2")]
    assert "GPG" in chart.figcaption.text


def _pdf_text(content: bytes, tmp_path) -> str:
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is missing")
def test_board_pack_in_french_and_arabic(history_viewer, tmp_path):
    french = history_viewer.get("/reports/board-pack.pdf", params={"lang": "fr", "region": "AFR"})
    assert french.status_code == 200 and french.headers["content-type"] == "application/pdf"
    text = _pdf_text(french.content, tmp_path)
    for heading in ("Dossier du conseil", "Chiffres clés", "Objectifs par région", "Définitions"):
        assert heading in text
    assert "Région : Afrique" in text and "Page 2 sur" in text
    arabic = history_viewer.get("/reports/board-pack.pdf", params={"region": "AFR", "lang": "ar"})
    text = _pdf_text(arabic.content, tmp_path)
    # pdftotext writes lam-alef as it is drawn (لا as ال); these headings have none.
    for heading in ("ملف المجلس", "التغطية حسب الهدف", "أبرز الفجوات", "التعاريف", "أفريقيا"):
        assert heading in text, heading


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is missing")
def test_board_pack_from_the_command_line_in_spanish(
    framework, database_url, monkeypatch, tmp_path
):
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        done = runner.invoke(
            app, ["report", "board-pack", str(tmp_path / "es.pdf"), "--lang", "es"]
        )
        assert done.exit_code == 0, done.output
        refused = runner.invoke(
            app, ["report", "board-pack", str(tmp_path / "x.pdf"), "--lang", "de"]
        )
        assert refused.exit_code == 1 and "--lang: must be one of en, fr, es, ar." in refused.output
    finally:
        get_settings.cache_clear()
    text = _pdf_text((tmp_path / "es.pdf").read_bytes(), tmp_path)
    assert "Dosier para el consejo" in text and "Cifras clave" in text and "Definiciones" in text
