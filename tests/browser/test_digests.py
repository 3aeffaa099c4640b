"""A new digest subscription starts in the browser's own time zone (static/js/timezone.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_new_subscription_starts_in_the_browsers_time_zone(
    framework, accounts, live_server, chromium
):
    context = chromium.new_context(
        timezone_id="Europe/Paris", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server}/login?next=/digests")
        page.get_by_label("Email address").fill(accounts["viewer"].email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server}/digests")
        zone = page.locator("#timezone")
        expect(zone).to_have_value("Europe/Paris")
        expect(zone.locator("option:checked")).to_have_text("Paris — France Time")

        # Subscribed in that zone, the change form shows the zone stored, not a guess.
        page.get_by_role("button", name="Subscribe").click()
        expect(page.locator(".notice")).to_contain_text("Subscribed")
        expect(page.locator(".subscription p").first).to_contain_text("08:00 Europe/Paris")
        page.get_by_text("Change", exact=True).click()
        expect(page.locator("select[id$='-timezone']").first).to_have_value("Europe/Paris")
    finally:
        context.close()
    assert errors == []
