"""A programme manager registers and tags a project in the browser; the gap closes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settled, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_register_tag_and_close_a_gap(framework, accounts, live_server, page, chromium):
    sign_in(page, live_server, accounts["manager_this"].email, PASSWORD)
    page.goto(f"{live_server}/gaps?kind=uncovered_objective")
    uncovered = page.locator("#gap-uncovered_objective ~ ul li strong")
    expect(uncovered.filter(has_text="4.4 Advocacy in cyber fora")).to_have_count(1)

    page.get_by_role("link", name="Projects", exact=True).click()
    page.get_by_role("link", name="Register a project").click()
    page.get_by_label("Code").fill("CYB-2026-0777")
    page.get_by_label("Title").fill("Cybercrime policy dialogue for West Africa")
    page.get_by_label("Programme").select_option("CYB")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Start date").fill("2026-01-01")
    page.get_by_label("End date").fill("2028-12-31")
    page.get_by_label("Budget", exact=True).fill("300000")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Place 1", exact=True).select_option("SN")
    page.get_by_label("Place 2", exact=True).select_option("GH")
    page.get_by_role("button", name="Register project").click()
    expect(page).to_have_url(re.compile(r"/projects/CYB-2026-0777\?notice=created"))

    page.get_by_label("Add an objective").select_option("4.4")
    page.locator("#add-objective-significance").select_option("principal")
    page.locator("#add-objective-rationale").fill("Advocacy in regional cyber fora is its purpose")
    page.get_by_role("button", name="Add").first.click()
    settled(page)
    expect(page.locator("#tag-objective-4-4 h4")).to_contain_text("4.4 Advocacy in cyber fora")
    expect(page.locator("#project-coverage")).to_contain_text("€300K")
    expect(page.locator("#project-sdgs")).to_contain_text("SDG 16")
    expect(page.locator("#announcer")).to_have_text("Saved objective 4.4.")
    expect(page.locator("#project-history")).to_contain_text(
        "tagged 4.4 Advocacy in cyber fora as principal"
    )

    page.goto(f"{live_server}/gaps?kind=uncovered_objective")
    expect(uncovered.filter(has_text="4.4 Advocacy in cyber fora")).to_have_count(0)
    expect(uncovered.filter(has_text="4.3 Cybercrime capabilities")).to_have_count(1)

    page.goto(f"{live_server}/heatmap?rows=objectives&cols=regions")
    row = page.locator("table.heatmap tbody tr.row--objective", has_text="4.4 ")
    africa = row.locator("td.cell").first
    expect(africa).to_contain_text("1")
    expect(africa).not_to_have_class(re.compile(r"cell--gap"))
    expect(row.locator("td.cell").nth(1)).to_have_class(re.compile(r"cell--gap"))

    # A viewer sees the project and its tag, and no control to change them.
    viewer = chromium.new_context().new_page()
    sign_in(viewer, live_server, accounts["viewer"].email, PASSWORD)
    viewer.goto(f"{live_server}/projects/CYB-2026-0777")
    expect(viewer.locator("#tag-editor")).to_contain_text("4.4")
    expect(viewer.locator("#tag-editor form")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Edit project details")).to_have_count(0)
    viewer.context.close()
