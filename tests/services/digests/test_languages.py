"""Digests in their subscriber's language, as they arrive at the SMTP server: the subject, the
HTML and the text parts; figures, money and dates as the language writes them; the
framework's names in its translation, with the note a working translation needs; Arabic read
from the right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from tests import factories
from tests.factories import NOW
from tracker.db import session_scope
from tracker.services.digests import outbox
from tracker.services.digests.content import Scope, take_snapshot


def _arrived(framework, smtp_server, language: str | None):
    """The digest a subscriber in `language` (None: never chose one) receives for a week in
    which a project was registered and tagged: (subject, text, html page)."""
    with session_scope(framework) as session:
        reader = factories.user(
            session, email="reader@example.org", full_name="Dana Director", language=language
        )
        factories.subscription(
            session,
            reader,
            created_at=datetime(2026, 9, 1, tzinfo=UTC),
            last_period_end=NOW - timedelta(days=10),
        )
        take_snapshot(session=session, scope=Scope(), week=(NOW - timedelta(days=9)).date())
    with session_scope(framework) as session:
        from tracker.models import CoverageSnapshot

        for row in session.exec(select(CoverageSnapshot)):
            row.taken_at = NOW - timedelta(days=10, hours=1)
        when = NOW - timedelta(days=3)
        project = factories.project(
            session,
            code="CYB-2026-0500",
            title="Cyber fora advocacy",
            budget_amount=Decimal(1_250_000),
            start_date=when.date(),
        )
        factories.objective_tag(session, project, "4.4", significance=2)
        factories.audit_event(session, project, action="create", occurred_at=when)
    settings = factories.digest_settings(framework, smtp_server)
    assert outbox.enqueue_due(engine=framework, settings=settings, now=NOW) == 1
    assert outbox.send_due(engine=framework, settings=settings, now=NOW).sent == 1
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message["Subject"], text, BeautifulSoup(html, "lxml")


def _plain(text: str) -> str:
    """Babel's no-break spaces (in "1,2 M €", "100 %") as spaces, to compare."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_french_subscriber_reads_it_in_french(framework, smtp_server, client_factory):
    subject, text, page = _arrived(framework, smtp_server, "fr")
    assert subject.startswith("Synthèse hebdomadaire du portefeuille, 2 nov. 2026 : ")
    assert subject.endswith(", 1 projet actif")
    text = _plain(text)
    assert "Bonjour Dana Director," in text
    assert "Voici votre synthèse pour l'ensemble du portefeuille, sur la période 25 oct." in text
    assert "- Projets actifs : 1 (+1 depuis le 26 oct.)" in text
    assert "- Budget des projets actifs : 1,2 M € (+1,2 M € depuis le 26 oct.)" in text
    assert "NOUVEAUX PROJETS\n- CYB-2026-0500 Cyber fora advocacy" in text.replace("\r", "")
    # The framework's names in its working translation, which the digest says it is.
    assert "Lacune comblée : 4.4 Plaidoyer dans les enceintes consacrées au cyberespace" in text
    assert "Traduction de travail non officielle" in text
    assert "Hello" not in text and "Weekly" not in text
    html = page.html
    assert (html["lang"], html["dir"]) == ("fr", "ltr")
    assert page.h1.get_text(strip=True) == "Votre synthèse pour l'ensemble du portefeuille"
    words = _plain(page.get_text(" ", strip=True))
    assert "Nouveaux projets (1)" in words and "1,2 M €" in words
    assert "Traduction de travail non officielle" in words
    heatmap = page.select_one("table.digest-heatmap")
    header = [th.get_text(strip=True) for th in heatmap.tr.find_all("th")]
    assert header[0] == "Objectif" and header[-1] == "Total" and "Mondial" in header
    assert any("Plaidoyer" in th.get_text() or "GPG4" in th.get_text() for th in heatmap("th"))
    for english in ("Hello", "New projects", "Active projects", "Open the tracker"):
        assert english not in words, english
    # The unsubscribe link of the body opens a page in French to a reader not signed in.
    link = next(a["href"] for a in page("a") if "/digests/unsubscribe/" in a["href"])
    assert link.endswith("?lang=fr")
    response = client_factory().get(link.replace("http://tracker.example.org", ""))
    assert "Arrêter cette synthèse ?" in response.text


def test_an_arabic_subscriber_reads_it_from_the_right(framework, smtp_server):
    subject, text, page = _arrived(framework, smtp_server, "ar")
    assert subject.startswith("الملخص الأسبوعي للحافظة، ")
    assert "مرحبًا Dana Director،" in text
    assert "المشاريع الجديدة" in text and "Hello" not in text
    html = page.html
    assert (html["lang"], html["dir"]) == ("ar", "rtl")
    # Email clients that drop the html element's attributes still read the tables from the
    # right: every table says so, and text starts on the right.
    for table in page.select("body > table, table.digest-heatmap, table.digest-trend"):
        assert table["dir"] == "rtl"
    heatmap = page.select_one("table.digest-heatmap")
    assert "text-align:right" in heatmap.th["style"]
    assert heatmap.th.get_text(strip=True) == "الهدف"
    assert "padding-right:20px" in page.ul["style"]
    # The trend's bars are drawn as they are in English: the latest week's is the tallest.
    trend = page.select_one("table.digest-trend")
    gpg4 = next(r for r in trend("tr") if r.th and r.th.get_text(strip=True).startswith("GPG4"))
    bars = gpg4.select("td.digest-bar")
    assert bars[-1].find("td", attrs={"bgcolor": "#0b5cad"})["height"] == "36"
    assert gpg4("td")[-1].span["dir"] == "ltr"  # +1 stays +1, not 1+
    words = page.get_text(" ", strip=True)
    for english in ("Hello", "New projects", "Active projects", "Goal", "Unsubscribe"):
        assert english not in words, english


def test_a_spanish_subscriber_reads_spanish_figures(framework, smtp_server):
    subject, text, page = _arrived(framework, smtp_server, "es")
    assert subject.startswith("Resumen semanal de la cartera, 2 nov 2026: ")
    text = _plain(text)
    assert "Hola, Dana Director:" in text
    assert "- Presupuesto de los proyectos activos: 1,2 M € (+1,2 M € desde el 26 oct)" in text
    assert "- Revisados: 100 %" in text
    assert "625 mil €" in text
    assert page.html["lang"] == "es"
    assert page.h1.get_text(strip=True) == "Su resumen de toda la cartera"


@pytest.mark.parametrize("language", [None, "en"])
def test_an_english_subscriber_reads_it_as_before(framework, smtp_server, language):
    subject, text, page = _arrived(framework, smtp_server, language)
    assert subject.startswith("Weekly portfolio digest, Nov 2, 2026: ")
    assert subject.endswith(", 1 active project")
    assert "Hello Dana Director," in text
    assert "- Budget of active projects: €1.2M (+€1.2M since Oct 26)" in text
    assert "Gap closed: 4.4 Advocacy in cyber fora" in text
    assert "SDG 9 Industry, innovation and infrastructure: 1 project, €625K" in text
    assert "working translation" not in text.lower()
    assert (page.html["lang"], page.html["dir"]) == ("en", "ltr")
    assert page.h1.get_text(strip=True) == "Your digest for the whole portfolio"
    assert "Change your digests or unsubscribe." in page.get_text(" ", strip=True).replace(
        " .", "."
    )
    link = next(a["href"] for a in page("a") if "/digests/unsubscribe/" in a["href"])
    assert "?lang=" not in link


def test_coverage_at_risk_names_the_objective_in_the_subscribers_language(framework, smtp_server):
    with session_scope(framework) as session:
        ending = factories.project(
            session, code="CYB-2026-0501", end_date=(NOW + timedelta(days=30)).date()
        )
        factories.location(session, ending, "KE")
        factories.objective_tag(session, ending, "4.2")
    _, text, page = _arrived(framework, smtp_server, "fr")
    text = _plain(text).replace("\r", "")
    at_risk = text.split("COUVERTURE MENACÉE\n", 1)[1].split("\n\n", 1)[0]
    assert "4.2 Coopération contre la cybercriminalité – Afrique" in at_risk, at_risk
    assert "Cooperation against cybercrime" not in text
