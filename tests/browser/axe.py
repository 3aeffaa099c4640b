"""axe-core in Chromium: the accessibility problems of the page a test has open.

    from tests.browser import axe

    page.goto(...)                        # and wait until the page shows what it should
    found = axe.violations(page)
    assert not found, axe.describe(found)

`violations` runs every axe-core rule that is not experimental (WCAG A and AA, and axe's best
practices), of any impact, on the whole document as it is at that moment. axe-core is the
exact version in package-lock.json, installed into node_modules/ by `make test` (`npm ci`).
Without it the test is skipped, except on CI, where it fails, as the Chromium fixture does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# How much a description shows: elements of one rule, and characters of each one's HTML.
_NODES_SHOWN = 8
_HTML_CHARACTERS = 160

_RUN = """async (options) => {
  const results = await window.axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    tags: v.tags,
    nodes: v.nodes.map((n) => ({
      target: n.target,
      html: n.html,
      impact: n.impact,
      failureSummary: n.failureSummary,
    })),
  }));
}"""


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require_axe() -> Path:
    if not AXE.exists():
        message = f"No axe-core at {AXE}; `make test` installs it (npm ci)"
        if _on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE


def axe_script() -> Path:
    """axe-core's script, for a context that adds it to every page (`add_init_script`)."""
    return _require_axe()


def violations(page, *, rules: dict[str, bool] | None = None) -> list[dict[str, Any]]:
    """The axe-core violations of any impact on `page`, as axe reports them (id, impact, help,
    helpUrl, tags, and nodes with target, html, impact and failureSummary).

    `rules` turns single rules on or off ({"region": False}); say why wherever you use it."""
    _inject(page, _require_axe())
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["rules"] = {rule: {"enabled": on} for rule, on in rules.items()}
    return page.evaluate(_RUN, options)


def _inject(page, path: Path) -> None:
    """Adds axe-core to the page as a script of its own origin.

    The tracker's pages allow scripts from their own origin alone (script-src 'self'), so the
    inline script that `add_script_tag(path=...)` writes would be refused. The script is asked
    for at an address of the page's origin that the browser never sends to the server: Playwright
    answers it with the file from node_modules/."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    origin = page.evaluate("() => window.location.origin")
    if origin == "null":  # about:blank or set_content(): no policy, and no origin to ask
        page.add_script_tag(path=str(path))
        return
    url = f"{origin}/__axe-core__/axe.min.js"

    def serve(route) -> None:
        route.fulfill(path=str(path), content_type="text/javascript; charset=utf-8")

    page.route(url, serve)
    try:
        page.add_script_tag(url=url)
    finally:
        page.unroute(url, serve)


def describe(found: list[dict[str, Any]]) -> str:
    """The violations in words, one block per rule, each element by its selector (the first
    few of each rule, and how many more):

    1 accessibility violation:
    color-contrast (serious): Elements must meet minimum color contrast ratio thresholds
      https://dequeuniversity.com/rules/axe/4.14/color-contrast?application=axeAPI
      - .opblock-summary-method  <span class="opblock-summary-method">GET</span>
          Fix any of the following:
            Element has insufficient color contrast of 2.9 (foreground color: #ffffff, ...
    """
    if not found:
        return "no accessibility violations"
    lines = [f"{len(found)} accessibility violation{'s' if len(found) != 1 else ''}:"]
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        nodes = violation["nodes"]
        for node in nodes[:_NODES_SHOWN]:
            target = " ".join(_selector(part) for part in node["target"])
            lines.append(f"  - {target}  {_short(node['html'])}")
            for line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"      {line.rstrip()}")
        if len(nodes) > _NODES_SHOWN:
            lines.append(f"  ... and {len(nodes) - _NODES_SHOWN} more elements")
    return "\n".join(lines)


def assert_no_violations(page, **options: Any) -> None:
    """Fails the test with every violation on `page`, described."""
    found = violations(page, **options)
    assert not found, f"{page.url}: {describe(found)}"


def _selector(part: Any) -> str:
    # A target inside a shadow root or a frame is a list of selectors, outermost first.
    return " >> ".join(part) if isinstance(part, list) else str(part)


def _short(html: str) -> str:
    html = " ".join(html.split())
    return html if len(html) <= _HTML_CHARACTERS else html[: _HTML_CHARACTERS - 1] + "…"
