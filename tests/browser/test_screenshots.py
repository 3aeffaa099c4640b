"""Screenshots of the main pages over the demo portfolio, for people to look at.

They are taken by `make screenshots`, which writes docs/screenshots (the README shows them);
the default test run leaves them out unless TRACKER_SCREENSHOTS_DIR names a folder.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, settled, sign_in
from tests.conftest import PASSWORD
from tracker.db import session_scope
from tracker.services.demo import seed_demo_portfolio
from tracker.services.history import replay

pytestmark = [pytest.mark.browser, pytest.mark.screenshots]

PAGES = {
    "dashboard": "/",
    "heatmap": "/heatmap?rows=goals&cols=regions&metric=projects",
    "gaps": "/gaps",
    "projects": "/projects?status=active&sort=-budget",
    "heatmap-sdg": "/heatmap?rows=sdg_targets&cols=regions&metric=budget",
    "trends": "/trends",
    "heatmap-compare": "/heatmap?compare=2026-01-01",
}


def test_screenshots(framework, accounts, live_server, page, request):
    if request.node.callspec.params.get("database_url") == "postgresql":
        pytest.skip("screenshots come from one backend")
    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=300, seed=2023, today=date(2026, 11, 2))
    replay.rebuild(framework)  # as `tracker setup` does: the demo's two years of history
    folder = Path(os.environ.get("TRACKER_SCREENSHOTS_DIR") or ARTIFACTS / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, accounts["manager_this"].email, PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    for name, path in PAGES.items():
        page.goto(f"{live_server}{path}")
        page.screenshot(
            path=str(folder / f"{name}.png"), full_page=name != "heatmap-objectives-budget"
        )
        assert (folder / f"{name}.png").stat().st_size > 10_000
    page.goto(f"{live_server}/")
    charts = page.locator("section[aria-labelledby=by-goal]")
    charts.screenshot(path=str(folder / "overview-charts.png"))
    assert (folder / "overview-charts.png").stat().st_size > 50_000
    page.goto(f"{live_server}/projects?programme=CYB&status=active")
    page.locator("table.project-table tbody tr a").first.click()
    page.screenshot(path=str(folder / "project.png"), full_page=True)
    page.locator("#tag-editor").screenshot(path=str(folder / "tag-editor.png"))
    page.goto(f"{live_server}/heatmap")
    page.locator("table.heatmap tbody tr", has_text="GPG4").locator("td.cell a").first.click()
    settled(page)
    page.screenshot(path=str(folder / "heatmap-cell.png"))
    # A gap, drilled into from its hatched cell: what can be done about it.
    page.goto(f"{live_server}/heatmap?rows=objectives")
    hatched = page.locator("table.heatmap td.cell--gap a").first
    hatched.focus()
    page.screenshot(path=str(folder / "heatmap-gap-reason.png"))
    hatched.press("Enter")
    settled(page)
    page.screenshot(path=str(folder / "gap.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/heatmap")
    page.screenshot(path=str(folder / "heatmap-phone.png"))
    # The Overview, the heatmap and a project page with its tag editor in the other languages;
    # Arabic reads from the right.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/projects?programme=CYB&status=active")
    project = urlsplit(page.locator("table.project-table tbody tr a").first.get_attribute("href"))
    project = project.path
    for language in ("fr", "es", "ar"):
        for name, path in (
            ("dashboard", "/"),
            ("heatmap", "/heatmap?rows=goals&cols=regions&metric=projects"),
            ("project", project),
        ):
            page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            shot = folder / f"{name}-{language}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
