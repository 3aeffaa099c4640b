"""The API reference (/docs) in Chromium: Swagger UI draws every operation of the JSON API and
nothing else, and axe-core finds no violation of any impact, on a desktop and on a phone, with
an operation opened, tried and answered, and with the Authorize dialog open."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests.browser import axe
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

COVERAGE = "#operations-coverage-coverage_api_v1_coverage_get"
CREATE_PROJECT = "#operations-projects-create_api_v1_projects_post"


def _open_docs_signed_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login?next=/docs")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/docs")
    expect(page.locator(".opblock").first).to_be_visible()


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("who", ["viewer", "manager_this", "admin"])
def test_the_reference_lists_the_json_api_alone_with_no_violation(
    framework, accounts, live_server, page, width, who
):
    page.set_viewport_size({"width": width, "height": 900})
    _open_docs_signed_in(page, live_server, accounts[who].email)

    document = httpx.get(f"{live_server}/openapi.json").json()
    described = sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    )
    shown = sorted(
        zip(
            page.locator(".opblock-summary-method").all_inner_texts(),
            page.locator(".opblock-summary-path").evaluate_all(
                "paths => paths.map(p => p.dataset.path)"
            ),
            strict=True,
        )
    )
    assert shown == described
    assert all(path.startswith("/api/v1/") for _, path in shown), shown
    expect(page.get_by_role("heading", level=1)).to_have_text("API reference")
    expect(page.get_by_role("link", name="Your API tokens")).to_be_visible()

    found = axe.violations(page)
    assert not found, axe.describe(found)
    # Nothing scrolls sideways but Swagger UI's own boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_operation_tried_and_the_authorize_dialog_have_no_violation(
    framework, accounts, live_server, page
):
    _open_docs_signed_in(page, live_server, accounts["admin"].email)
    coverage = page.locator(COVERAGE)
    coverage.locator(".opblock-summary-control").click()
    coverage.get_by_role("button", name="Try it out").click()
    expect(coverage.get_by_label("rows (query)")).to_have_value("goals")
    coverage.get_by_role("button", name="Execute").click()
    expect(
        coverage.locator(".live-responses-table td.response-col_status:not(.col_header)")
    ).to_have_text("200")

    create = page.locator(CREATE_PROJECT)
    create.locator(".opblock-summary-control").click()
    create.get_by_role("button", name="Try it out").click()
    expect(create.get_by_label("Request body")).to_be_visible()

    page.locator(".docs-authorize").get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Available authorizations")).to_be_visible()

    found = axe.violations(page)
    assert not found, axe.describe(found)
