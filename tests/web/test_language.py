"""Choosing the language: the switcher on every page, the account, the browser, `?lang=`."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from tests.conftest import csrf_of
from tracker.models import User


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.text).group(0)


def _heading(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.text, re.S).group(1).strip()


def test_a_browser_that_asks_for_french_reads_french_and_arabic_reads_right_to_left(client):
    french = client.get("/login", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert _html_tag(french) == '<html lang="fr" dir="ltr">'
    assert "Aller au contenu" in french.text
    arabic = client.get("/login", headers={"Accept-Language": "ar"})
    assert _html_tag(arabic) == '<html lang="ar" dir="rtl">'
    unknown = client.get("/login", headers={"Accept-Language": "de, it;q=0.5"})
    assert _html_tag(unknown) == '<html lang="en" dir="ltr">'


def test_the_switcher_is_a_labelled_form_on_every_page(browser_for):
    viewer = browser_for("viewer")
    page = viewer.get("/").text
    assert '<label for="language-choice">Language</label>' in page
    options = re.findall(r'<option value="(\w+)" lang="\w+"[^>]*>([^<]+)</option>', page)
    assert options == [("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")]


def test_a_lang_link_works_and_the_browser_keeps_it(client):
    first = client.get("/login?lang=es")
    assert _html_tag(first) == '<html lang="es" dir="ltr">'
    assert "lang=es" in first.headers["set-cookie"]
    # The next page, with no ?lang=, goes on in Spanish; a browser asking for French does not
    # override the choice.
    assert _html_tag(client.get("/login", headers={"Accept-Language": "fr"})).startswith(
        '<html lang="es"'
    )
    # The switcher comes back to this page without ?lang=, so that the choice can change.
    assert 'name="back" value="/login"' in client.get("/login?lang=es").text


def test_a_signed_in_person_s_choice_is_kept_on_their_account(
    browser_for, accounts, engine, client_factory
):
    viewer = browser_for("viewer")
    response = viewer.post(
        "/language",
        data={"lang": "ar", "back": "/heatmap?rows=goals", "csrf_token": csrf_of(viewer, "/")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/heatmap?rows=goals"
    with Session(engine) as session:
        assert session.get(User, accounts["viewer"].id).language == "ar"
    # On another browser (no cookie), signed in as the same person: still Arabic.
    viewer.cookies.delete("lang")
    home = viewer.get("/")
    assert _html_tag(home) == '<html lang="ar" dir="rtl">'
    assert _heading(home) == "نظرة عامة"
    # ?lang= reads one page in another language without changing the account.
    assert _heading(viewer.get("/?lang=fr")) == "Vue d'ensemble"
    with Session(engine) as session:
        assert session.get(User, accounts["viewer"].id).language == "ar"


def test_an_anonymous_choice_is_kept_in_the_browser(client):
    response = client.post(
        "/language",
        data={"lang": "fr", "back": "/login", "csrf_token": csrf_of(client, "/login")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and "lang=fr" in response.headers["set-cookie"]
    assert _html_tag(client.get("/login")) == '<html lang="fr" dir="ltr">'


@pytest.mark.parametrize(
    ("lang", "next_page"),
    [
        ("de", "/"),
        ("", "/"),
        ("fr\x00", "/"),
        ("fr-CA", "/"),
        ("f" * 50, "/"),
    ],
)
def test_a_language_the_tracker_does_not_speak_is_refused_naming_the_field(
    browser_for, accounts, engine, lang, next_page
):
    viewer = browser_for("viewer")
    response = viewer.post(
        "/language",
        data={"lang": lang, "back": next_page, "csrf_token": csrf_of(viewer, "/")},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "<strong>Lang</strong>: must" in response.text
    assert "set-cookie" not in response.headers or "lang=" not in response.headers["set-cookie"]
    with Session(engine) as session:
        assert session.get(User, accounts["viewer"].id).language is None


def test_the_page_to_come_back_to_is_on_this_site(client):
    response = client.post(
        "/language",
        data={"lang": "es", "back": "https://evil.example/", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


@pytest.mark.parametrize(
    "path",
    [
        *("/", "/heatmap", "/heatmap?rows=objectives", "/projects", "/gaps", "/trends"),
        *("/framework", "/digests", "/account", "/admin", "/admin/audit", "/screening"),
    ],
)
def test_every_page_takes_lang_beside_its_own_parameters(browser_for, path):
    admin = browser_for("admin")
    joiner = "&" if "?" in path else "?"
    response = admin.get(f"{path}{joiner}lang=ar")
    assert response.status_code == 200, response.text[:300]
    assert _html_tag(response) == '<html lang="ar" dir="rtl">'
    assert "unknown parameter" not in response.text


def test_the_framework_reads_in_the_page_s_language_and_says_it_is_a_working_translation(
    browser_for,
):
    viewer = browser_for("viewer")
    french = viewer.get("/heatmap?rows=objectives&lang=fr").text
    english = viewer.get("/heatmap?rows=objectives&lang=en").text
    assert "Counter terrorism" in english and "Counter terrorism" not in french
    assert 'class="translation-note"' in french and 'class="translation-note"' not in english
    note = re.search(r'<p class="translation-note" lang="fr">([^<]+)</p>', french).group(1)
    assert "non officielle" in note or "travail" in note, note


def test_sdg_names_are_the_united_nations_own_in_each_language(browser_for, framework):
    from tests import factories
    from tracker.db import session_scope

    with session_scope(framework) as session:
        project = factories.project(session, code="CYB-SDG-1", title="Cyber")
        factories.objective_tag(session, project, "4.1", significance=2)
    viewer = browser_for("viewer")
    french = viewer.get("/projects/CYB-SDG-1?lang=fr").text
    spanish = viewer.get("/projects/CYB-SDG-1?lang=es").text
    assert "ODD 16 Paix, justice et institutions efficaces" in french, re.findall(
        r"ODD 16[^;<]*", french
    )
    assert "ODS 16 Paz, justicia e instituciones fuertes" in spanish, re.findall(
        r"ODS 16[^;<]*", spanish
    )


def test_statements_and_sdg_targets_read_in_the_page_s_language(browser_for, framework):
    from tests import factories
    from tracker.db import session_scope

    with session_scope(framework) as session:
        project = factories.project(session, code="FIN-SDG-1", title="Assets")
        factories.objective_tag(session, project, "5.1", significance=2)
    viewer = browser_for("viewer")
    english = viewer.get("/heatmap?rows=sdg_targets&metric=budget&lang=en").text
    french = viewer.get("/heatmap?rows=sdg_targets&metric=budget&lang=fr").text
    # 16.4's short title and its official text, the United Nations' own in French.
    assert "Significantly reduce illicit financial and arms flows" in english
    assert "Réduire nettement les flux financiers illicites et le trafic d’armes" in french
    assert "Significantly reduce illicit financial" not in french
    # An objective's statement (the row's title) in the working translation.
    objectives = viewer.get("/heatmap?rows=objectives&lang=es").text
    row = r'<th scope="row" title="([^"]+)">\s*<bdi><span class="code">1.1<'
    statement = re.search(row, objectives)
    assert statement and "terroris" in statement.group(1) and " the " not in statement.group(1)


def test_place_lists_name_and_sort_countries_as_the_page_s_language_does(browser_for):
    from bs4 import BeautifulSoup

    from tracker import formats

    manager = browser_for("admin")
    for path, language in (("/projects", "fr"), ("/projects/new", "es")):
        page = BeautifulSoup(manager.get(f"{path}?lang={language}").text, "lxml")
        africa = next(g for g in page.select("optgroup") if g.select("option[value=TD]"))
        names = [o.get_text(strip=True) for o in africa.select("option") if len(o["value"]) == 2]
        assert names == formats.sort_names(names, locale=language)
        assert ("Tchad" if language == "fr" else "Chad") in names
        assert "Afrique du Sud" in names or "Sudáfrica" in names
