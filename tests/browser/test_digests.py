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


@pytest.mark.parametrize("width", (1366, 390))
def test_the_digests_pages_in_every_language(width, framework, accounts, live_server, chromium):
    """The Digests page, the preview of a digest and the unsubscribe page in French, Spanish
    and Arabic: axe-core finds nothing, nothing is wider than the window (the email keeps its
    own width), and in Arabic the digest reads from the right."""
    from datetime import date

    from tests import factories
    from tests.browser.axe import axe_script, describe, violations
    from tests.browser.conftest import sign_in
    from tracker.config import Settings
    from tracker.db import session_scope
    from tracker.models import User
    from tracker.services.demo import seed_demo_portfolio
    from tracker.services.digests.subscriptions import unsubscribe_token

    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=20, seed=2023, today=date(2026, 11, 2))
        me = session.get(User, accounts["viewer"].id)
        subscription = factories.subscription(session, me, board_pack=True).id
    token = unsubscribe_token(Settings(env="test"), subscription)
    context = chromium.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(path=str(axe_script()))
    page = context.new_page()
    sign_in(page, live_server, accounts["viewer"].email, PASSWORD)
    problems = {}
    try:
        for language in ("fr", "es", "ar"):
            for path in (
                "/digests",
                f"/digests/{subscription}/preview",
                f"/digests/unsubscribe/{token}",
            ):
                response = page.goto(f"{live_server}{path}?lang={language}")
                assert response is not None and response.status == 200, path
                html = page.locator("html")
                assert html.get_attribute("lang") == language, path
                assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), path
                found = violations(page)
                if found:
                    problems[f"{path} in {language}"] = describe(found)
                wide = page.evaluate("document.documentElement.scrollWidth")
                if path != f"/digests/{subscription}/preview" and wide > width:
                    problems[f"{path} in {language}"] = f"{wide} px wide"
            if language == "ar":
                page.goto(f"{live_server}/digests/{subscription}/preview?lang=ar")
                # The email's heading starts at the right of its column.
                heading = page.locator("main h1").bounding_box()
                column = page.locator("main h1").locator("xpath=..").bounding_box()
                right = column["x"] + column["width"]
                assert right - (heading["x"] + heading["width"]) < 40
    finally:
        context.close()
    assert not problems, problems
