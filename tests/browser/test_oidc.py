"""Signing in with the organisation's provider in Chromium: the sign-in button, the provider's
own page (oidc-provider-mock's), and back in the tracker as the role the person's groups give;
signing out goes by the provider's end-session page. The pages of the tracker on the way, and
a refusal, are checked with axe-core."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.browser import axe
from tests.conftest import PASSWORD, serving
from tests.oidc import LABEL, oidc_settings
from tracker.db import session_scope
from tracker.services.accounts import users

pytestmark = pytest.mark.browser

RULES = "tracker-admins=admin; tracker-cyb-managers=manager:CYB"
SHOTS = os.environ.get("TRACKER_OIDC_SHOTS")  # a folder: screenshots of the pages, to look at


def _local_only(page) -> None:
    """The provider's pages link a stylesheet on a CDN: answered here with nothing, so that
    the browser never goes beyond this machine."""

    def handle(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost")):
            route.continue_()
        else:
            route.fulfill(status=200, content_type="text/css", body="")

    page.context.route("**/*", handle)


def _accessible(page, name: str) -> None:
    found = axe.violations(page)
    assert not found, f"{name}: {axe.describe(found)}"
    if SHOTS:
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1400, "height": 1000})


def test_sign_in_with_the_provider_lands_in_the_tracker_as_the_mapped_role(
    framework, oidc_provider, page
):
    sub = f"person-{uuid.uuid4().hex[:8]}"
    oidc_provider.set_user(
        sub, email=f"{sub}@example.org", name="Ana Costa", groups=["tracker-cyb-managers"]
    )
    stranger = f"person-{uuid.uuid4().hex[:8]}"
    oidc_provider.set_user(stranger, email=f"{stranger}@example.org", groups=["sales"])
    _local_only(page)
    settings = oidc_settings(oidc_provider.issuer, base_url="", oidc_group_roles=RULES)
    with serving(framework, **settings) as base:
        page.goto(f"{base}/login?next=/heatmap")
        _accessible(page, "login-with-provider")
        page.get_by_role("link", name=f"Sign in with {LABEL}").click()

        # The provider's own page.
        page.wait_for_url(f"{oidc_provider.issuer}/oauth2/authorize?**")
        page.get_by_role("heading", name="Authorize Client").wait_for()
        page.get_by_placeholder("sub").fill(sub)
        page.get_by_role("button", name="Authorize").click()

        # Back in the tracker, where the person was going, as a manager.
        page.wait_for_url(f"{base}/heatmap")
        header = page.locator("header .account-menu")
        assert header.get_by_role("link").inner_text() == "Ana Costa"
        assert header.locator(".role-label").inner_text() == "Manager"
        page.goto(f"{base}/account")
        assert "Manager: you can change projects of CYB." in page.locator("main").inner_text()

        # Signing out ends the provider's session too.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{oidc_provider.issuer}/oauth2/end_session?**")
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{base}/login?signed_out=1")
        assert page.locator("main p.notice").inner_text() == "You have signed out."

        # Someone in no tracker group is refused, with a page that says why.
        page.get_by_role("link", name=f"Sign in with {LABEL}").click()
        page.get_by_placeholder("sub").fill(stranger)
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{base}/login/oidc/callback?**")
        assert page.get_by_role("heading", level=1).inner_text() == "You could not be signed in"
        _accessible(page, "refused")


def test_with_passwords_off_the_break_glass_administrator_signs_in(framework, oidc_provider, page):
    with session_scope(framework) as session:
        users.create_user(
            session=session,
            email="break.glass@example.org",
            full_name="Break Glass",
            role="admin",
            programmes=[],
            actor=None,
            password=PASSWORD,
            break_glass=True,
        )
    _local_only(page)
    settings = oidc_settings(
        oidc_provider.issuer, base_url="", local_passwords=False, oidc_group_roles=RULES
    )
    with serving(framework, **settings) as base:
        page.goto(f"{base}/login")
        page.get_by_text("Emergency sign-in for the break-glass administrator").click()
        page.get_by_label("Email address").fill("break.glass@example.org")
        _accessible(page, "login-passwords-off")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in with a password").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/admin/sign-in")
        assert "Off, but for break-glass administrators" in page.locator("dl").inner_text()
        _accessible(page, "admin-sign-in")
