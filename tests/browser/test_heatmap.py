"""The heatmap in a real browser: selectors, the URL, the back button, a cell's projects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settled, sign_in
from tests.conftest import PASSWORD
from tests.services.coverage import portfolio
from tracker.db import session_scope

pytestmark = pytest.mark.browser


def _caption(page):
    return page.locator("table.heatmap caption")


def open_filters(page) -> None:
    """Opens the heatmap's filters, folded away by default, once the view has settled."""
    settled(page)
    details = page.locator("details.heatmap-filters")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def test_selectors_url_back_button_and_a_cell(framework, accounts, live_server, page):
    with session_scope(framework) as session:
        portfolio.build(session)
    sign_in(page, live_server, accounts["viewer"].email, PASSWORD)
    page.goto(f"{live_server}/heatmap")
    expect(_caption(page)).to_contain_text("Projects by goals and regions")

    page.get_by_label("Rows").select_option("objectives")
    expect(page).to_have_url(re.compile(r"rows=objectives"))
    expect(_caption(page)).to_contain_text("by objectives and regions")
    expect(page.locator("table.heatmap tbody tr.row--objective")).to_have_count(38)

    page.get_by_label("Columns").select_option("programmes")
    expect(page).to_have_url(re.compile(r"cols=programmes"))
    expect(page.locator("table.heatmap thead th")).to_contain_text(
        ["Objective", "Counter-Terrorism"]
    )

    page.get_by_label("Show").select_option("budget")
    expect(page).to_have_url(re.compile(r"metric=budget"))
    expect(_caption(page)).to_contain_text("Attributed budget (EUR)")

    open_filters(page)
    page.get_by_label("Count tags").select_option("2")
    expect(page).to_have_url(re.compile(r"floor=2"))
    open_filters(page)
    page.get_by_label("Completed").check()
    expect(page).to_have_url(re.compile(r"status=completed"))
    open_filters(page)
    page.get_by_label("Cybercrime").check()
    expect(page).to_have_url(re.compile(r"programme=CYB"))
    expect(page.locator("table.heatmap thead th")).to_have_count(3)  # objective, Cybercrime, total

    # Countries without a region: the region is asked for in place, the table stays.
    page.get_by_label("Columns").select_option("countries")
    expect(page.locator(".region-prompt")).to_contain_text("Choose a region")
    expect(page.locator("table.heatmap")).to_be_visible()
    settled(page)
    page.get_by_label("Region whose countries to show").select_option("AFR")
    expect(page).to_have_url(re.compile(r"cols=countries.*region=AFR|region=AFR.*cols=countries"))
    expect(page.locator("table.heatmap thead th").nth(1)).to_have_text("Kenya")

    # Back: the previous view returns, selectors and table alike.
    page.go_back()
    expect(page).to_have_url(re.compile(r"cols=countries"))
    # Without a region in its address, the view of countries takes the region chosen last.
    expect(page.locator("table.heatmap thead th").nth(1)).to_have_text("Kenya")
    settled(page)
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"cols=countries"))
    expect(page).to_have_url(re.compile(r"programme=CYB"))
    expect(page.get_by_label("Columns")).to_have_value("programmes")
    expect(page.locator("table.heatmap thead th")).to_have_count(3)

    # A shared link opens the same view.
    page.goto(f"{live_server}/heatmap?rows=goals&cols=regions")
    cell = page.locator("table.heatmap tbody tr", has_text="GPG4").locator("td.cell").first
    expect(cell).to_contain_text("3")
    cell.locator("a").click()
    panel = page.locator("#cell-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".result-count")).to_contain_text("3 projects")
    expect(panel.locator(".panel-list li")).to_have_count(3)
    expect(panel).to_contain_text("P1")
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()


def test_without_javascript_the_form_and_links_still_work(
    framework, accounts, live_server, chromium
):
    with session_scope(framework) as session:
        portfolio.build(session)
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, accounts["viewer"].email, PASSWORD)
    page.goto(f"{live_server}/heatmap")
    page.get_by_label("Rows").select_option("themes")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"rows=themes"))
    expect(_caption(page)).to_contain_text("by themes and regions")
    page.locator("table.heatmap tbody tr", has_text="III").locator("td.cell a").first.click()
    expect(page).to_have_url(re.compile(r"/projects\?.*theme=III"))
    expect(page.locator(".result-count")).to_contain_text("1 project")
    context.close()
