"""Every HTML page of the tracker, in every role, on a desktop (1366 px) and a phone (390 px):
axe-core finds no violation of any impact, and nothing makes the page wider than the window
(a wide table scrolls inside its own box, .table-scroll).

The pages come from the app's route table: every GET route that answers with HTML, a
parametrised one with an example (from `tests.pages.examples`), so a new page is swept as soon
as it is served. /docs has a sweep of its own (tests/browser/test_docs.py). One browser; one
context per role and width, each a test of its own so that xdist spreads them; the pages in
sequence.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from tests import factories
from tests.browser.axe import axe_script, describe, violations
from tests.browser.conftest import settled, sign_in
from tests.browser.layout import layout_problems
from tests.conftest import PASSWORD
from tests.import_jobs import checked_iati_job
from tests.pages import EXAMPLE_KEYS, ROLES, examples, html_pages, may_open, paths
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.demo import seed_demo_portfolio
from tracker.services.exchange.iati.read import import_iati

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)


OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  // Name what sticks out, outside the tables' own scroll boxes.
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  return [...document.body.querySelectorAll('*')]
    .filter((el) => !el.closest('.table-scroll') && el.getBoundingClientRect().right > width + 0.5)
    .slice(-5)
    .map((el) => `${name(el)} (to ${Math.round(el.getBoundingClientRect().right)} px)`);
}"""


# What folds away is checked unfolded (the heatmap's filters, an audit event's changes).
OPEN_DISCLOSURES = """() => {
  const closed = [...document.querySelectorAll('details:not([open])')];
  closed.forEach((details) => { details.open = true; });
  return closed.length;
}"""


def _check(page, width: int) -> list[str]:
    found = violations(page)
    problems = [describe(found)] if found else []
    if sticking_out := page.evaluate(OVERFLOW):
        problems.append(f"wider than the window at {width} px: {', '.join(sticking_out)}")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_accessible(role, width, framework, accounts, live_server, chromium):
    example = examples(framework, accounts, role)
    context = chromium.new_context(viewport={"width": width, "height": 900})
    # axe-core on every page before it loads: the pages are many, and this spares fetching it
    # into each one (Playwright's scripts run outside the pages' own script policy).
    context.add_init_script(path=str(axe_script()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if ROLES[role]:
        sign_in(page, live_server, accounts[ROLES[role]].email, PASSWORD)
    problems: dict[str, list[str]] = {}
    try:
        for template, path in paths(role, example):
            response = page.goto(f"{live_server}{path}")
            assert response is not None and response.status == 200, (path, response.status)
            # Checked once, with every disclosure open: what a closed one shows (its summary)
            # is there when it is open too, and what it hides is checked then.
            opened = page.evaluate(OPEN_DISCLOSURES)
            if found := _check(page, width):
                problems[f"{path} with its disclosures open" if opened else path] = found
            if template == "/heatmap":
                # A cell's projects, in the side panel.
                page.locator("table.heatmap td.cell a").first.click()
                settled(page)
                if found := _check(page, width):
                    problems[f"{path} with a cell's panel open"] = found
                page.keyboard.press("Escape")
    finally:
        context.close()
    report = "\n".join(f"{path}\n  " + "\n  ".join(found) for path, found in problems.items())
    assert not problems, f"{role} at {width} px:\n{report}"
    assert errors == [], errors


IATI_FILES = Path(__file__).parents[1] / "data" / "iati" / "publishers"


@pytest.mark.parametrize("width", WIDTHS)
def test_what_iati_files_bring_is_accessible(width, framework, accounts, live_server, chromium):
    """Projects imported from IATI (sectors, a publisher's hierarchy, a Spanish title) and IATI
    files checked (the report's groups with the choice to skip; a hierarchy's tree and its
    levels); apart from the sweep above, whose digests stay quiet without these imports."""
    with session_scope(framework) as session:
        for name in ("development-ministry-2.01-hierarchy", "ministry-2.03-spanish"):
            report = import_iati(
                session=session,
                content=(IATI_FILES / f"{name}.xml").read_bytes(),
                programme="FCAC",
                principal=factories.ADMIN,
                settings=Settings(env="test"),
                commit=True,
            )
            assert report.committed
    skipping = checked_iati_job(
        framework, accounts, (IATI_FILES / "foreign-ministry-2.01.xml").read_bytes()
    )
    tree = checked_iati_job(
        framework, accounts, (IATI_FILES / "development-ministry-2.01-hierarchy.xml").read_bytes()
    )
    context = chromium.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(path=str(axe_script()))
    page = context.new_page()
    sign_in(page, live_server, accounts["admin"].email, PASSWORD)
    problems = {}
    try:
        for path in (
            "/projects/XI-IATI-EXDEV-P100-C1",
            "/projects/XI-IATI-EXMIN-2024-001",
            f"/admin/imports/{skipping}",
            f"/admin/imports/{tree}",
        ):
            response = page.goto(f"{live_server}{path}")
            assert response is not None and response.status == 200, path
            if found := _check(page, width):
                problems[path] = found
    finally:
        context.close()
    assert not problems, problems


def test_every_page_has_an_example_and_someone_who_may_open_it():
    """A new page with a path parameter fails here until the sweep can fill it in."""
    pages = html_pages()
    assert {"/", "/heatmap", "/projects/{code}", "/admin/users/{user_id}"} <= set(pages)
    for template in pages:
        wanted = set(re.findall(r"\{(\w+)\}", template))
        assert wanted <= set(EXAMPLE_KEYS), f"{template}: tests.pages.examples has no {wanted}"
        assert any(may_open(role, template) for role in ROLES), template


STICKY = """() => {
  const box = document.querySelector('.table-scroll:has(> .heatmap)');
  const edge = box.getBoundingClientRect();
  const corner = box.querySelector('thead th.row-head');
  const rowHead = [...box.querySelectorAll('tbody th[scope=row]')]
    .find((th) => th.getBoundingClientRect().bottom > edge.top + corner.offsetHeight + 10);
  const columnHead = box.querySelectorAll('thead th')[1];
  const opaque = (el) => /^rgb\\(/.test(getComputedStyle(el).backgroundColor);
  return {
    scrolls: [box.scrollLeft > 0, box.scrollTop > 0],
    rowHeadAtStart: Math.round(rowHead.getBoundingClientRect().left - edge.left),
    columnHeadAtTop: Math.round(columnHead.getBoundingClientRect().top - edge.top),
    opaque: [corner, rowHead, columnHead].every(opaque),
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


def test_on_a_phone_the_heatmap_scrolls_in_its_box_with_its_headers_in_view(
    framework, accounts, live_server, chromium
):
    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=20, seed=2023, today=date(2026, 11, 2))
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, live_server, accounts["viewer"].email, PASSWORD)
    page.goto(f"{live_server}/heatmap?rows=objectives&cols=regions")
    box = page.locator(".table-scroll").filter(has=page.locator("table.heatmap"))
    sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth, b.scrollHeight, b.clientHeight]")
    assert sizes[0] > sizes[1] and sizes[2] > sizes[3], f"the box does not scroll: {sizes}"
    # A long column header wraps onto several lines instead of widening its column.
    header = page.locator("table.heatmap thead th", has_text="Middle East")
    lines = header.evaluate("th => th.clientHeight / parseFloat(getComputedStyle(th).lineHeight)")
    assert lines >= 2, lines

    box.evaluate("b => b.scrollBy(400, 500)")
    state = page.evaluate(STICKY)
    context.close()
    assert state["scrolls"] == [True, True], state
    assert abs(state["rowHeadAtStart"]) <= 2, state  # the first column stays at the start
    assert abs(state["columnHeadAtTop"]) <= 2, state  # and the header row at the top
    assert state["opaque"], state  # the cells pass beneath them, hidden
    assert state["pageWidth"] <= 390, state


LANGUAGE_PAGES = (
    "/",
    "/heatmap",
    "/heatmap?rows=objectives&cols=countries&region=AFR",
    "/gaps?region=AFR",
    "/trends",
)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_translated_pages_are_accessible_in_every_language(
    width, framework, accounts, live_server, chromium
):
    """The Overview, the heatmap, the gaps, the trends and a project's page with its tag
    editor in French, Spanish and Arabic (right to left): axe-core finds nothing, nothing is
    wider than the window, no text is drawn over other text or cut off by its box, and Arabic
    pages read from the right."""
    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=20, seed=2023, today=date(2026, 11, 2))
        project = session.exec(select(Project).order_by(Project.code)).first().code
    context = chromium.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(path=str(axe_script()))
    page = context.new_page()
    sign_in(page, live_server, accounts["manager_this"].email, PASSWORD)
    problems = {}
    try:
        for language in ("fr", "es", "ar"):
            for path in (*LANGUAGE_PAGES, f"/projects/{project}"):
                joiner = "&" if "?" in path else "?"
                response = page.goto(f"{live_server}{path}{joiner}lang={language}")
                assert response is not None and response.status == 200, path
                html = page.locator("html")
                assert html.get_attribute("lang") == language
                assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
                if language == "ar":
                    # Right to left: the page's heading starts at the right of the main column.
                    box = page.locator("main h1").bounding_box()
                    main = page.locator("main").bounding_box()
                    assert main["x"] + main["width"] - (box["x"] + box["width"]) < 40, path
                found = _check(page, width) + layout_problems(page)
                if found:
                    problems[f"{path} in {language}"] = found
    finally:
        context.close()
    assert not problems, problems


def test_the_layout_check_finds_text_over_text_and_text_cut_off(chromium):
    page = chromium.new_page()
    try:
        page.set_content(
            "<p>Objectifs spécifiques</p><p style='position:relative;top:-2em'>Lacunes</p>"
            "<div style='width:3em;overflow:hidden;white-space:nowrap'>Pays d'une région</div>"
            "<details><summary>Les chiffres</summary><p style='margin-top:-2em'>GPG1</p></details>"
            "<div style='height:2em;overflow:auto'><p>un</p><p>deux</p><p>trois</p></div>"
            "<p>quatre</p>"
        )
        problems = layout_problems(page)
    finally:
        page.close()
    assert problems == [
        "text drawn over other text: 'Objectifs spécifiques' (p) over 'Lacunes' (p)",
        "text cut off by its box: div",
    ]
