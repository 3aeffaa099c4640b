"""A digest as an email: subject, plain text and HTML (inline styles, no script).

A digest is written in its reader's language (`locale`): its words from the catalogues, the
framework's names from its translations (`names`, with the working-translation note where the
translation is not official), figures, money and dates by `tracker.formats` in that locale,
and money in the digest's reporting currency. In Arabic the HTML reads from the right.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tracker import formats, locales, said
from tracker.config import PROJECT_ROOT
from tracker.locales import N_
from tracker.services.coverage.gaps import subject_in
from tracker.services.digests.content import Digest, Figure, GapNews
from tracker.services.framework.translations import Names

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

# Inline styles the HTML part repeats (email clients ignore stylesheets).
FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
STYLES = {
    "font": FONT,
    "h2": "margin:24px 0 8px;font-size:17px;color:#1b1f24;" + FONT,
    "li": "margin:0 0 6px;font-size:15px;line-height:1.45;color:#1b1f24",
}

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
    level: str = "goal"


def trend_rows(digest: Digest) -> list[TrendRow]:
    top = max((n for _, counts in digest.trend for n in counts), default=0)
    return [
        TrendRow(
            row.code,
            row.label,
            [(n, round(n * BAR_HEIGHT / top) if top else 0) for n in counts],
            counts[-1] - counts[0] if counts else 0,
            getattr(row, "level", "goal"),
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
    if locales.direction(locale) == "rtl":
        # A left-to-right mark keeps the sign before its number in a line read from the right
        # (as CLDR writes Arabic's own signs), and the amount's leading right-to-left mark
        # would part them again.
        sign, amount = "\u200e" + sign, amount.lstrip("\u200f")
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
    "daily": N_("Daily portfolio digest, %(day)s: %(summary)s"),
    "weekly": N_("Weekly portfolio digest, %(day)s: %(summary)s"),
    "monthly": N_("Monthly portfolio digest, %(day)s: %(summary)s"),
}

# Gaps whose subject starts with the code of a row of the framework: "4.4 Advocacy in cyber
# fora", "GPG7 Counter-terrorism in Europe" (a goal in a region).
_GAP_LEVELS = {
    "uncovered_objective": "objective",
    "theme_without_project": "theme",
    "empty_goal_region": "goal",
}


def gap_subject(gap: GapNews, names: Names | None, locale: str) -> str:
    """What a gap opened or closed is about, the framework's name in the reader's language
    where the gap names a goal, objective or theme (its code, then its name)."""
    level = _GAP_LEVELS.get(gap.kind)
    if names is None or level is None or locale == locales.DEFAULT:
        return gap.subject
    code, _, rest = gap.subject.partition(" ")
    if level == "goal":
        label, _, place = rest.rpartition(" in ")
        if not label:
            return gap.subject
        goal = code + " " + names.get(level, code, label)
        return formats.gettext("%(goal)s in %(place)s", locale=locale, goal=goal, place=place)
    return f"{code} {names.get(level, code, rest)}"


def subscriber_language(user) -> str:
    """The language a person's digests are written in: the one chosen on their account, or
    English (a digest has no browser to ask)."""
    return locales.known(getattr(user, "language", None)) or locales.DEFAULT


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
    names: Names | None = None,
) -> RenderedDigest:
    """The digest in `locale` (by default the language of the page being written), with the
    framework's names from `names` (framework_names in that language; English without)."""
    locale = locale or formats.locale_for()
    rtl = locales.direction(locale) == "rtl"
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
        # The page it opens speaks the digest's language to a reader not signed in.
        "unsubscribe": unsubscribe_url
        + (f"?lang={locale}" if locale in locales.LANGUAGES and locale != locales.DEFAULT else ""),
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
        **STYLES,
        "dir": "rtl" if rtl else "ltr",
        # The sides text starts and ends on, for email clients that know no logical sides.
        "start": "right" if rtl else "left",
        "end": "left" if rtl else "right",
        "in_language": lambda level, code, english: (
            names.get(level, code, english) if names is not None else english
        ),
        "gap_subject": lambda gap: gap_subject(gap, names, locale),
        # A gap of the view (coverage at risk): its goal, objective or theme named as above.
        "gap_name": lambda gap: subject_in(
            gap, locale, names.get if names is not None else lambda _l, _c, english: english
        ),
        # Asked once the framework's names were written: a working translation says so.
        "translation_note": lambda: names.note if names is not None and names.shown else None,
    }
    # Subjects kept from the past (what changed: "tagged 4.2 …") named in the same language.
    named = (lambda _, level, code, english: names.get(level, code, english)) if names else None
    with said.naming(named):
        return RenderedDigest(
            subject=subject,
            text=_env.get_template("digest.txt").render(**context),
            html=_env.get_template("digest.html").render(**context),
        )
