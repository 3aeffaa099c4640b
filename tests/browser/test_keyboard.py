"""The heatmap's panel and the tag editor, by keyboard alone.

Focus never falls to <body>: the heatmap's panel gives it back to the very cell that opened it,
and the tag editor keeps it on the control that acted (or the next one, or the field in error).
What changed is announced once, by the page's one polite status region.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import settled, sign_in
from tests.conftest import PASSWORD
from tests.services.coverage import portfolio
from tracker.db import session_scope

pytestmark = pytest.mark.browser

CODE = "CYB-2026-0500"


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press(key)
    pytest.fail(f"{selector} was not reached with {key} in {limit} presses")


def focused(page) -> str:
    """The focused element, as a short description for messages."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? `${e.tagName.toLowerCase()}#${e.id}` : 'nothing'; }"
    )


# Heatmap


def test_escape_and_close_give_focus_back_to_the_cell_that_opened_the_panel(
    framework, accounts, live_server, page
):
    with session_scope(framework) as session:
        portfolio.build(session)
    sign_in(page, live_server, accounts["viewer"].email, PASSWORD)
    page.goto(f"{live_server}/heatmap?rows=goals&cols=regions")
    row = page.locator("table.heatmap tbody tr", has_text="GPG4")
    first, second = row.locator("td.cell a").nth(0), row.locator("td.cell a").nth(1)
    first.evaluate("a => a.id = 'first-cell'")
    second.evaluate("a => a.id = 'second-cell'")
    panel = page.locator("#cell-panel")

    tab_to(page, "#first-cell")
    # The focus ring: the dark outline and the white ring inside it.
    ring = first.evaluate(
        "a => { const s = getComputedStyle(a);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]; }"
    )
    assert ring[:3] == ["solid", "3px", "rgb(11, 12, 12)"], ring
    assert "rgb(255, 255, 255)" in ring[3], ring

    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(panel.locator(".result-count")).to_contain_text("3 projects")
    expect(panel).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(first).to_be_focused()

    # Another cell: focus goes back to that one, not the first.
    page.keyboard.press("Tab")
    expect(second).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_be_focused()
    page.keyboard.press("Escape")
    expect(second).to_be_focused()

    # The panel's Close button, by keyboard, does the same.
    page.keyboard.press("Enter")
    expect(panel).to_be_focused()
    page.keyboard.press("Tab")
    close = panel.get_by_role("button", name="Close")
    expect(close).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()
    expect(second).to_be_focused()
    assert page.evaluate("() => document.activeElement.id") == "second-cell"


# Tag editor


def _tagged_project(engine) -> None:
    with session_scope(engine) as session:
        project = factories.project(session, code=CODE, title="Cyber fora")
        factories.location(session, project, "KE")
        factories.objective_tag(session, project, "4.1", significance=2)
        factories.objective_tag(session, project, "4.2", significance=1)


LISTEN = """() => {
  const region = document.getElementById('announcer');
  window.announced = [];
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text) window.announced.push(text);
  }).observe(region, {childList: true, subtree: true, characterData: true});
}"""


def announced(page) -> list[str]:
    """What the status region said since the last call."""
    said = page.evaluate("() => window.announced.splice(0)")
    return [text for n, text in enumerate(said) if n == 0 or said[n - 1] != text]


def test_tag_editor_by_keyboard_keeps_focus_and_announces_each_change_once(
    framework, accounts, live_server, page
):
    _tagged_project(framework)
    sign_in(page, live_server, accounts["manager_this"].email, PASSWORD)
    page.goto(f"{live_server}/projects/{CODE}")
    editor = page.locator("#tag-editor")
    items = editor.locator(".tag-item")
    expect(items).to_have_count(2)
    # One status region, outside the editor; nothing in the editor is live.
    status = page.locator('[role="status"][aria-live="polite"]')
    expect(status).to_have_count(1)
    expect(status).to_have_id("announcer")
    assert editor.evaluate("e => e.closest('[aria-live], [role=status], [role=alert]')") is None
    page.evaluate(LISTEN)

    # Add 4.4 as significant: choose it by typing, then the significance with the arrows.
    tab_to(page, "#add-objective-code")
    page.keyboard.type("4.4")
    expect(page.locator("#add-objective-code")).to_have_value("4.4")
    page.keyboard.press("Tab")
    expect(page.locator("#add-objective-significance")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#add-objective-significance")).to_have_value("significant")
    tab_to(page, "#add-objective-rationale")
    page.keyboard.type("Advocacy in regional cyber fora")
    page.keyboard.press("Tab")
    expect(page.locator("#add-objective-submit")).to_be_focused()
    page.keyboard.press("Enter")
    settled(page)
    expect(items).to_have_count(3)
    expect(page.locator("#tag-objective-4-4 h4")).to_contain_text("Significant")
    expect(page.locator("#add-objective-submit")).to_be_focused()
    assert announced(page) == ["Saved objective 4.4."]

    # Refused: a share that is not a number. Focus goes to the field, which says why.
    tab_to(page, "#tag-objective-4-4-share")
    page.keyboard.type("abc")
    page.keyboard.press("Enter")
    settled(page)
    share = page.locator("#tag-objective-4-4-share")
    expect(share).to_be_focused()
    expect(share).to_have_attribute("aria-invalid", "true")
    expect(share).to_have_accessible_description(re.compile("is not a number"))
    assert announced(page) == [
        'Not saved. Budget share: "abc" is not a number; use digits, such as 40.'
    ]

    # Change its significance to principal, with a share, and save with Space.
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#tag-objective-4-4-significance")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#tag-objective-4-4-significance")).to_have_value("principal")
    tab_to(page, "#tag-objective-4-4-save")
    page.keyboard.press("Space")
    settled(page)
    expect(page.locator("#tag-objective-4-4 h4")).to_contain_text("Principal")
    expect(page.locator("#tag-objective-4-4-share")).to_have_value("30.00")
    expect(page.locator("#tag-objective-4-4-save")).to_be_focused()
    assert announced(page) == ["Saved objective 4.4."]

    # Remove 4.2: focus goes on to the next tag's Remove.
    tab_to(page, "#tag-objective-4-2-remove", backwards=True)
    page.keyboard.press("Enter")
    settled(page)
    expect(page.locator("#tag-objective-4-2")).to_have_count(0)
    expect(page.locator("#tag-objective-4-4-remove")).to_be_focused()
    assert announced(page) == ["Removed objective 4.2."]

    # Remove the last tag: focus goes to the control that adds one.
    page.keyboard.press("Enter")
    settled(page)
    expect(page.locator("#tag-objective-4-4")).to_have_count(0)
    expect(page.locator("#add-objective-code")).to_be_focused()
    assert announced(page) == ["Removed objective 4.4."]
    assert focused(page) == "select#add-objective-code"

    # Mark as screened: focus stays on the button.
    tab_to(page, "#screen-project")
    page.keyboard.press("Enter")
    settled(page)
    expect(page.locator("#screen-project")).to_have_text("Mark as screened again today")
    expect(page.locator("#screen-project")).to_be_focused()
    assert announced(page) == ["Marked as screened."]
    assert editor.evaluate("e => e.closest('[aria-live], [role=status], [role=alert]')") is None
    expect(editor.locator("[aria-live], [role=status], [role=alert]")).to_have_count(0)


def test_tag_editor_without_javascript(framework, accounts, live_server, chromium):
    _tagged_project(framework)
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, accounts["manager_this"].email, PASSWORD)
    page.goto(f"{live_server}/projects/{CODE}")

    page.locator("#add-objective-code").select_option("4.4")
    page.locator("#add-objective-submit").click()
    expect(page).to_have_url(re.compile(rf"/projects/{CODE}\?notice=saved#tags$"))
    expect(page.locator("#tag-objective-4-4")).to_have_count(1)

    # Refused: the page comes back with the field in error focused, by autofocus.
    page.locator("#tag-objective-4-4-share").fill("abc")
    page.locator("#tag-objective-4-4-save").click()
    share = page.locator("#tag-objective-4-4-share")
    expect(share).to_have_attribute("aria-invalid", "true")
    expect(share).to_be_focused()

    page.locator("#tag-objective-4-1-remove").click()
    expect(page).to_have_url(re.compile(r"notice=saved#tags$"))
    expect(page.locator("#tag-objective-4-1")).to_have_count(0)
    context.close()


def test_a_search_says_how_many_projects_match_once(framework, accounts, live_server, page):
    _tagged_project(framework)
    with session_scope(framework) as session:
        factories.project(session, code="CYB-2026-0501", title="Another project")
    sign_in(page, live_server, accounts["viewer"].email, PASSWORD)
    page.goto(f"{live_server}/projects")
    results = page.locator("#project-results")
    count = results.locator(".result-count")
    expect(count).to_contain_text("2 projects")
    assert results.evaluate("e => e.closest('[aria-live], [role=status]')") is None
    page.evaluate(LISTEN)
    tab_to(page, "#q")
    page.keyboard.type("Cyber fora")
    expect(count).to_contain_text("1 project:")
    expect(page.locator("#announcer")).to_have_text(count.inner_text())
    expect(page.locator("#q")).to_be_focused()
    assert announced(page) == [count.inner_text()]
