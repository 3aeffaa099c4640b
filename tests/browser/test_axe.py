"""tests/browser/axe.py finds what axe-core finds, of any impact, and says it readably."""

from __future__ import annotations

import pytest

from tests.browser import axe

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="en"><head><title>Checked</title></head><body>
<main><h1>Checked</h1>
{}
</main></body></html>"""


def test_violations_of_every_impact_are_found_and_described(page):
    images = "".join(f'<img src="data:," id="picture-{n}">' for n in range(10))
    page.set_content(PAGE.format(images + '<h3>Skipped a level</h3><p style="color:#aaa">Pale</p>'))
    found = axe.violations(page)
    impacts = {violation["id"]: violation["impact"] for violation in found}
    assert impacts == {
        "image-alt": "critical",
        "color-contrast": "serious",
        "heading-order": "moderate",
    }
    described = axe.describe(found)
    assert described.startswith("3 accessibility violations:\n")
    assert "image-alt (critical): Images must have alternative text" in described
    assert "  - #picture-0  <img" in described
    assert "  ... and 2 more elements" in described
    # Run again on the same page: axe-core is injected once.
    assert axe.violations(page, rules={"image-alt": False, "heading-order": False}) == [
        v for v in found if v["id"] == "color-contrast"
    ]


def test_a_page_without_problems_has_none(page):
    page.set_content(PAGE.format("<p>Plain text.</p>"))
    assert axe.violations(page) == []
    assert axe.describe([]) == "no accessibility violations"


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_without_axe_core_a_test_fails_on_ci_and_is_skipped_elsewhere(
    monkeypatch, tmp_path, ci, outcome
):
    monkeypatch.setattr(axe, "AXE", tmp_path / "node_modules" / "axe-core" / "axe.min.js")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="make test"):
        axe.violations(page=None)
