"""A programme manager screens a project from the queue by keyboard alone; the heatmap and the
gaps change with it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import settled, sign_in
from tests.conftest import PASSWORD
from tracker.db import session_scope
from tracker.services.suggestions import store

pytestmark = pytest.mark.browser


def test_screen_a_project_by_keyboard(framework, accounts, live_server, page):
    with session_scope(framework) as session:
        project = factories.project(
            session,
            code="CYB-2026-0900",
            title="Law enforcement voice in regional cyber fora",
            summary="Advocates the interests and needs of the law enforcement community in "
            "international and regional cyber fora and cybercrime policy dialogues.",
        )
        factories.location(session, project, "GH")
    store.train_and_store(framework)
    sign_in(page, live_server, accounts["manager_this"].email, PASSWORD)

    page.goto(f"{live_server}/gaps?rows=objectives")
    gaps = page.locator(".gap-list > li strong")
    expect(gaps.filter(has_text="4.4 Advocacy in cyber fora")).to_have_count(1)
    expect(gaps.filter(has_text="1 active project")).to_have_count(1)  # unscreened
    page.goto(f"{live_server}/heatmap?rows=goals&cols=regions")
    cyber = page.locator("table.heatmap tbody tr", has_text="GPG4 ")
    africa = cyber.locator("td.cell").first
    expect(africa).to_have_class(re.compile(r"cell--gap"))

    page.get_by_role("link", name="Screening", exact=True).click()
    expect(page).to_have_url(re.compile(r"/screening$"))
    expect(page.locator("#screening-title")).to_contain_text("CYB-2026-0900")
    expect(page.locator(".screening-progress")).to_contain_text("0 of 1")
    first = page.locator("#screening-card [data-suggestion]").first
    expect(first).to_have_id("suggest-objective-4-4")

    # J moves to the suggestion, P adds it as principal: no mouse.
    page.keyboard.press("j")
    expect(page.locator("#suggest-objective-4-4-add")).to_be_focused()
    page.keyboard.press("p")
    settled(page)
    expect(page.locator("#announcer")).to_have_text("Added objective 4.4 as principal.")
    expect(page.locator("#screening-card .tag-summary")).to_contain_text("4.4 Advocacy")
    expect(page.locator("#suggest-objective-4-4")).to_have_count(0)
    # Focus went on to the next suggestion, where the keys go on working.
    expect(page.locator("#screening-card [data-suggestion] button[id$=-add]").first).to_be_focused()

    page.keyboard.press("s")
    settled(page)
    expect(page.locator("#announcer")).to_have_text("Marked CYB-2026-0900 as screened.")
    expect(page.locator("#screening-done")).to_be_visible()
    expect(page.locator("#screening-done")).to_be_focused()
    expect(page.locator(".screening-progress")).to_contain_text("1 of 1")

    page.goto(f"{live_server}/gaps?rows=objectives")
    expect(gaps.filter(has_text="4.4 Advocacy in cyber fora")).to_have_count(0)
    expect(gaps.filter(has_text="active project")).to_have_count(0)
    page.goto(f"{live_server}/heatmap?rows=goals&cols=regions")
    expect(africa).to_contain_text("1")
    expect(africa).not_to_have_class(re.compile(r"cell--gap"))
    page.goto(f"{live_server}/projects/CYB-2026-0900")
    expect(page.locator("#project-history")).to_contain_text(
        "accepted the suggestion 4.4 Advocacy in cyber fora as principal"
    )
    expect(page.locator("#project-history")).to_contain_text("marked project CYB-2026-0900")
