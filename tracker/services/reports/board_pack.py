"""The board pack: a PDF for a board, for any view of the heatmap.

A cover stating the day and the filters; the headline figures with their change since a month
before; coverage by goal; the goals-by-regions heatmap with its gaps marked; the top gaps with
their reasons; trends over the last twelve months; and a page of definitions. HTML and CSS
made into an A4 PDF with page numbers and selectable text by WeasyPrint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session, select

from tracker import charts, formats, locales, places
from tracker.config import PROJECT_ROOT, get_settings
from tracker.fields import read_params
from tracker.formats import Text, listed
from tracker.locales import N_
from tracker.models import Region
from tracker.models._base import utcnow
from tracker.said import Day
from tracker.services.coverage import compute_matrix, coverage_query
from tracker.services.coverage.gaps import find_gaps, gaps_by_cell, subject_in, view_gap_query
from tracker.services.coverage.params import STATUS_NAMES, CoverageParams
from tracker.services.dashboard import GAP_PRIORITY
from tracker.services.digests.content import Scope, headline
from tracker.services.framework.translations import framework_names
from tracker.services.history.compare import compare
from tracker.services.history.trends import TrendParams, build_trend

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)
_env = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "reports"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
formats.install(
    _env,
    locale_of=lambda context: context.get("locale") or formats.DEFAULT_LOCALE,
    currency_of=lambda context: context["currency"],
)


@dataclass
class BoardPack:
    html: str
    pdf: bytes


def _filters_in_words(session: Session, query, params: CoverageParams) -> list[Text]:
    statuses = [Text(STATUS_NAMES[s]) if s in STATUS_NAMES else s for s in query.statuses]
    words = [
        Text(N_("Statuses: %(statuses)s"), statuses=listed(statuses))
        if statuses
        else Text(N_("Statuses: any")),
        Text(N_("Programmes: %(codes)s"), codes=", ".join(query.programme_codes))
        if query.programme_codes
        else Text(N_("Programmes: all")),
        Text(N_("Region: %(region)s"), region=_region(session, query.region_code))
        if query.region_code
        else Text(N_("Region: all")),
        Text(N_("Tags counted: principal only"))
        if query.floor == 2
        else Text(N_("Tags counted: significant or principal")),
    ]
    if query.date_from or query.date_to:
        words.append(
            Text(
                N_("Projects running from %(start)s to %(end)s"),
                start=Day(query.date_from) if query.date_from else "…",
                end=Day(query.date_to) if query.date_to else "…",
            )
        )
    if query.as_of:
        words.append(Text(N_("As of %(day)s"), day=Day(query.as_of)))
    return words


def _region(session: Session, code: str) -> places.Place | str:
    region = session.exec(select(Region).where(Region.code == code)).first()
    return places.region(code, region.name) if region else code


def _month(day: date, locale: str) -> str:
    """A month under the trend chart: by name (Jan 2026), or in figures (1/2026) where the
    language is read from the right, as the PDF's SVG does not order such words."""
    if locales.direction(locale) == "rtl":
        return f"{day.month}/{day.year}"
    return formats.format_month(day, locale=locale)


def _priority(gap) -> int:
    return GAP_PRIORITY.index(gap.kind) if gap.kind in GAP_PRIORITY else len(GAP_PRIORITY)


def _money(value, currency: str) -> str:
    return formats.format_money(value, currency)


def _number(value) -> str:
    return formats.format_number(value)


def build_board_pack(
    *, session: Session, params: CoverageParams | None = None, locale: str = "en"
) -> BoardPack:
    """The board pack of a heatmap view (rows and columns are the pack's own: goals by
    regions), as HTML and as PDF, written in `locale` (en, fr, es, ar; Arabic right to left)."""
    locale = locales.known(locale) or locales.DEFAULT
    from weasyprint import HTML

    params = params or CoverageParams()
    chosen = params.model_dump(by_alias=True, exclude_none=True, mode="json")
    chosen.update(rows="goals", cols="regions", metric="projects", goal=None, compare=None)
    view = read_params(CoverageParams, {k: v for k, v in chosen.items() if v not in (None, [])})
    query = coverage_query(session=session, params=view)
    currency = get_settings().reporting_currency
    day = query.as_of or utcnow().date()
    since = day - timedelta(days=28)
    matrix = compute_matrix(session=session, query=query)
    gaps = find_gaps(session=session, query=view_gap_query(query), currency=currency)
    marks = gaps_by_cell(matrix, gaps)
    comparison = compare(session=session, query=query, since=since, matrix=matrix)
    scope = Scope(tuple(query.programme_codes), query.region_code)
    now = headline(session=session, scope=scope, currency=currency, as_of=query.as_of)
    then = headline(session=session, scope=scope, currency=currency, as_of=since)
    trend = build_trend(
        session=session,
        params=read_params(
            TrendParams,
            [("period", "month"), ("to", day.isoformat())]
            + [("programme", c) for c in query.programme_codes]
            + ([("region", query.region_code)] if query.region_code else []),
        ),
    )
    goals = [(r, matrix.row_total(r)) for r in matrix.rows]
    names = framework_names(session=session, locale=locale)

    def name(row) -> str:
        return names.get(row.level, row.code, row.label)

    def subject(gap) -> str:
        return subject_in(gap, locale, names.get)

    context = {
        "locale": locale,
        "direction": locales.direction(locale),
        "name": name,
        "subject": subject,
        "day": day,
        "since": since,
        "currency": currency,
        "filters": listed(_filters_in_words(session, query, view), clauses=True),
        "now": now,
        "then": then,
        "matrix": matrix,
        "marks": marks,
        "comparison": comparison,
        "top_gaps": sorted(
            gaps, key=lambda g: GAP_PRIORITY.index(g.kind) if g.kind in GAP_PRIORITY else 99
        )[:12],
        "gap_count": len(gaps),
        "projects_chart": charts.bar_chart(
            [
                (
                    f"{r.code} {name(r)}",
                    c.projects,
                    formats.format_number(c.projects, locale=locale),
                )
                for r, c in goals
            ]
        ),
        "budget_chart": charts.bar_chart(
            [
                (
                    f"{r.code} {name(r)}",
                    c.budget,
                    formats.format_money(c.budget, currency, locale=locale),
                )
                for r, c in goals
            ]
        ),
        "trend": trend,
        "trend_chart": charts.line_chart(
            [_month(d, locale) for d in trend.days],
            [(s.row.code, [p.projects for p in s.points]) for s in trend.series],
            every=2,
        ).in_direction(locales.direction(locale)),
        "generated": utcnow(),
    }
    html = _env.get_template("board_pack.html").render(**context)
    pdf = HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf()
    return BoardPack(html, pdf)


def board_pack_for_today(session: Session, *, locale: str = "en") -> bytes:
    """The whole portfolio's board pack, now, in `locale`: what subscribers receive."""
    return build_board_pack(session=session, locale=locale).pdf


__all__ = ["BoardPack", "board_pack_for_today", "build_board_pack", "date"]
