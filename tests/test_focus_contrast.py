"""The focus indicator stands out by 3:1 or more against everything it can sit on.

It has two tones (a dark outline and a white ring, swapped on the dark header): against any
background one of them reaches 3:1, and each is at least 2 px wide. The colours are read from
static/css/app.css, so that changing a colour there is checked here: the page, the header, the
grey of filters and totals, every step of the heatmap's scale and each of them under the gap
hatching.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.web.scale import STEPS

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "app.css").read_text()
WIDE_ENOUGH_PX = 2


def _without_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def rules(css: str = CSS) -> list[tuple[str, str]]:
    """(selector, declarations) of every rule, at the top level or inside @media."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", _without_comments(css)):
        found.append((" ".join(selector.split()), body))
    return found


def declarations(body: str) -> dict[str, str]:
    pairs = (part.split(":", 1) for part in body.split(";") if ":" in part)
    return {name.strip(): " ".join(value.split()) for name, value in pairs}


def custom_properties(css: str = CSS) -> dict[str, str]:
    root = [body for selector, body in rules(css) if selector == ":root"]
    assert len(root) == 1, "one :root block holds the custom properties"
    return {k: v for k, v in declarations(root[0]).items() if k.startswith("--")}


PROPERTIES = custom_properties()


def resolve(value: str) -> str:
    """A colour, with var(--name) replaced by its value."""
    while (match := re.search(r"var\((--[\w-]+)\)", value)) is not None:
        value = value.replace(match.group(0), PROPERTIES[match.group(1)])
    return value


def rgba(colour: str) -> tuple[float, float, float, float]:
    colour = resolve(colour).strip()
    if match := re.fullmatch(r"#([0-9a-fA-F]{6})", colour):
        digits = match.group(1)
        return (*(int(digits[i : i + 2], 16) for i in (0, 2, 4)), 1.0)
    if match := re.fullmatch(r"rgba?\(([^)]*)\)", colour):
        parts = [float(p) for p in re.split(r"[,\s/]+", match.group(1).strip()) if p]
        return (parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else 1.0)
    raise ValueError(f"not a colour this test reads: {colour}")


def over(top: str, bottom: str) -> tuple[float, float, float]:
    """`top` painted over the opaque `bottom`, as browsers blend (in sRGB)."""
    *front, alpha = rgba(top)
    *back, _ = rgba(bottom)
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(front, back, strict=True))


def luminance(rgb) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _focus_rules() -> dict[str, dict[str, str]]:
    return {
        selector: declarations(body) for selector, body in rules() if ":focus-visible" in selector
    }


def _tones(rule: dict[str, str]) -> list[tuple[str, float]]:
    """The colours a focus rule paints, each with its width in px: the outline, and a ring of
    box-shadow (spread only, no blur)."""
    tones = []
    if "outline" in rule:
        width, _style, colour = rule["outline"].split(" ", 2)
        tones.append((colour, float(width.removesuffix("px"))))
    for layer in filter(None, rule.get("box-shadow", "").split(",")):
        *lengths, colour = layer.replace("inset", "").split()
        x, y, blur, spread = (float(n.removesuffix("px")) for n in lengths)
        assert (x, y, blur) == (0, 0, 0), f"a focus ring is a spread ring, not a shadow: {layer}"
        tones.append((colour, spread))
    return tones


def _indicator() -> tuple[tuple, tuple]:
    """The two tones of the focus indicator everywhere but the header, and on the header."""
    rules_ = _focus_rules()
    base = _tones(rules_[":focus-visible"])
    header = rules_[".site-header :focus-visible"]
    swapped = [(resolve(header["outline-color"]), base[0][1]), *_tones(header)]
    return tuple(base), tuple(swapped)


BACKGROUNDS = {
    "the page": "var(--white)",
    "filters and totals": "var(--grey-100)",
    **{
        f"heatmap step {name[7:]}": f"var({name})"
        for name in PROPERTIES
        if name.startswith("--step-")
    },
}


def _cell_colours() -> dict[str, tuple[float, float, float]]:
    colours = {name: over(value, value) for name, value in BACKGROUNDS.items()}
    for name, value in BACKGROUNDS.items():
        if name.startswith("heatmap"):
            colours[f"{name} under the gap hatching"] = over("var(--gap-hatch)", value)
    return colours


def test_the_heatmap_steps_in_the_stylesheet_are_the_scale_the_heatmap_uses():
    steps = {int(k[7:]): v.lower() for k, v in PROPERTIES.items() if k.startswith("--step-")}
    assert steps[0] == "#ffffff"
    assert tuple(steps[i] for i in range(1, len(STEPS) + 1)) == STEPS
    assert len(steps) == len(STEPS) + 1
    for step in steps:
        rule = [d for s, d in rules() if s == f".step-{step}"]
        assert rule and declarations(rule[0])["background"] == f"var(--step-{step})"


def test_every_focus_rule_paints_with_the_two_tones_only():
    allowed = {"var(--focus-ring)", "var(--focus-halo)"}
    rules_ = _focus_rules()
    assert ":focus-visible" in rules_ and ".site-header :focus-visible" in rules_
    for selector, rule in rules_.items():
        colours = {c for c, _ in _tones(rule)} | (
            {rule["outline-color"]} if "outline-color" in rule else set()
        )
        assert colours <= allowed, f"{selector} paints focus with {colours - allowed}"


@pytest.mark.parametrize("where", ["anywhere", "on the header"])
def test_the_two_tones_differ_by_3_to_1_and_are_wide_enough(where):
    tones = _indicator()[where == "on the header"]
    (first, first_width), (second, second_width) = tones
    assert contrast(rgba(first), rgba(second)) >= 3
    assert min(first_width, second_width) >= WIDE_ENOUGH_PX


@pytest.mark.parametrize("background", sorted(_cell_colours()))
def test_one_tone_stands_out_by_3_to_1_on(background):
    colour = _cell_colours()[background]
    tones = _indicator()[0]
    ratios = {tone: round(contrast(rgba(tone), colour), 2) for tone, _ in tones}
    assert max(ratios.values()) >= 3, f"{background}: {ratios}"


def test_on_the_header_the_wider_tone_is_the_light_one():
    header = rgba("var(--grey-900)")
    assert "site-header" in CSS and "background: var(--grey-900)" in CSS
    (outline, width), (ring, _) = _indicator()[1]
    assert contrast(rgba(outline), header) >= 3 and width >= WIDE_ENOUGH_PX
    assert contrast(rgba(ring), header) < 3  # the dark ring only separates it from the link


def test_the_checks_can_fail():
    """The arithmetic is WCAG's, and it finds what a one-tone ring misses: the yellow ring the
    tracker had before could not be seen on the lightest step of the heatmap."""
    assert round(contrast(rgba("#ffffff"), rgba("#000000")), 1) == 21.0
    assert round(contrast(rgba("#767676"), rgba("#ffffff")), 2) == 4.54
    assert contrast(rgba("#ffbf47"), rgba("var(--step-1)")) < 1.5
