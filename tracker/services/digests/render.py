"""A digest as an email: subject, plain text and HTML (inline styles, no script).

Figures, money and dates are written by `tracker.formats` in the reader's locale, and money in
the digest's reporting currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tracker import formats
from tracker.config import PROJECT_ROOT
from tracker.services.digests.content import Digest, Figure

_env = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
formats.install(
    _env,
    locale_of=lambda context: context["locale"],
    currency_of=lambda context: context["d"].currency,
)

# The heatmap's cividis steps, as inline styles (email clients ignore stylesheets).
CELL_STYLES = (
    "background:#ffffff;color:#1b1f24",
    "background:#fee838;color:#1b1f24",
    "background:#c8b866;color:#1b1f24",
    "background:#948e77;color:#1b1f24",
    "background:#6a6c71;color:#ffffff",
    "background:#3b496c;color:#ffffff",
    "background:#00224e;color:#ffffff",
)


@dataclass(frozen=True)
class ShownFigure:
    label: str
    value: str
    change: str | None  # "+3 since Oct 26", None without an earlier figure


BAR_HEIGHT = 36  # pixels of the tallest bar of a digest's trend


@dataclass(frozen=True)
class TrendRow:
    """A goal's row of the digest's trend: its counts, each with the height of its bar (in
    pixels, as table cells: email clients drop SVG), and the change over the weeks."""

    code: str
    label: str
    bars: list[tuple[int, int]]  # (active projects, bar height)
    change: int


def trend_rows(digest: Digest) -> list[TrendRow]:
    top = max((n for _, counts in digest.trend for n in counts), default=0)
    return [
        TrendRow(
            row.code,
            row.label,
            [(n, round(n * BAR_HEIGHT / top) if top else 0) for n in counts],
            counts[-1] - counts[0] if counts else 0,
        )
        for row, counts in digest.trend
    ]


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def _step(value: int, top: int) -> int:
    if value <= 0 or top <= 0:
        return 0
    return max(1, min(6, -(-value * 6 // top)))


def _amount(figure: Figure, value, currency: str, locale: str) -> str:
    if figure.kind == "money":
        return formats.format_money(value, currency, locale=locale)
    if figure.kind == "share":
        return formats.format_percent(value, locale=locale)
    return formats.format_number(value, locale=locale)


def _change(figure: Figure, since: str, currency: str, locale: str) -> str | None:
    if figure.value is None or figure.previous is None:
        return None
    delta = figure.value - figure.previous
    if figure.kind == "share":
        points = round(abs(delta) * 100)
        if not points:
            return formats.gettext("no change since %(since)s", locale=locale, since=since)
        amount = formats.ngettext("%(num)s point", "%(num)s points", points, locale=locale)
    else:
        if abs(delta) < 0.5:
            return formats.gettext("no change since %(since)s", locale=locale, since=since)
        amount = _amount(figure, abs(delta), currency, locale)
    sign = "+" if delta > 0 else "\u2212"
    return formats.gettext(
        "%(sign)s%(amount)s since %(since)s", locale=locale, sign=sign, amount=amount, since=since
    )


def shown_figures(digest: Digest, *, locale: str) -> list[ShownFigure]:
    """The headline figures as the reader sees them, with their change since the snapshot."""
    since = formats.format_day_month(digest.compared_with, locale=locale)
    return [
        ShownFigure(
            formats.gettext(f.label, locale=locale),
            _amount(f, f.value, digest.currency, locale),
            _change(f, since, digest.currency, locale),
        )
        for f in digest.figures
    ]


SUBJECTS = {
    "daily": "Daily portfolio digest, %(day)s: %(summary)s",
    "weekly": "Weekly portfolio digest, %(day)s: %(summary)s",
    "monthly": "Monthly portfolio digest, %(day)s: %(summary)s",
}


def _subject(digest: Digest, frequency: str, locale: str) -> str:
    if digest.quiet:
        summary = formats.gettext("no changes", locale=locale)
    else:
        active, gaps = digest.figures[0].value, digest.figures[3].value
        summary = formats.gettext(
            "%(gaps)s, %(active)s",
            locale=locale,
            gaps=formats.ngettext("%(num)s gap", "%(num)s gaps", gaps, locale=locale),
            active=formats.ngettext(
                "%(num)s active project", "%(num)s active projects", active, locale=locale
            ),
        )
    return formats.gettext(
        SUBJECTS[frequency],
        locale=locale,
        day=formats.format_date(digest.period_end, locale=locale),
        summary=summary,
    )


def render_digest(
    *,
    digest: Digest,
    recipient_name: str,
    base_url: str,
    unsubscribe_url: str,
    frequency: str,
    locale: str | None = None,
) -> RenderedDigest:
    locale = locale or formats.locale_for()
    base = base_url.rstrip("/")
    scope_query = urlencode(
        [("programme", p) for p in digest.scope.programmes]
        + ([("region", digest.scope.region)] if digest.scope.region else []),
    )
    links = {
        "app": f"{base}/",
        "heatmap": f"{base}/heatmap" + (f"?{scope_query}" if scope_query else ""),
        "gaps": f"{base}/gaps" + (f"?{scope_query}" if scope_query else ""),
        "trends": f"{base}/trends" + (f"?{scope_query}" if scope_query else ""),
        "projects": f"{base}/projects",
        "digests": f"{base}/digests",
        "unsubscribe": unsubscribe_url,
    }
    matrix = digest.heatmap
    top = (
        max((matrix.cell(r, c).projects for r in matrix.rows for c in matrix.columns), default=0)
        if matrix
        else 0
    )
    subject = _subject(digest, frequency, locale)
    context = {
        "d": digest,
        "locale": locale,
        "figures": shown_figures(digest, locale=locale),
        "name": recipient_name,
        "period": formats.format_period(digest.period_start, digest.period_end, locale=locale),
        "links": links,
        "matrix": matrix,
        "gap_of": lambda row, column: digest.heatmap_gaps.get((row.key, column.key)),
        "cell_style": lambda value: CELL_STYLES[_step(value, top)],
        "subject": subject,
        "trend_rows": trend_rows(digest),
        "bar_height": BAR_HEIGHT,
    }
    return RenderedDigest(
        subject=subject,
        text=_env.get_template("digest.txt").render(**context),
        html=_env.get_template("digest.html").render(**context),
    )
