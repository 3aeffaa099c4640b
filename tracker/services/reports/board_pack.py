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
from sqlmodel import Session

from tracker import charts, formats
from tracker.config import PROJECT_ROOT, get_settings
from tracker.fields import read_params
from tracker.models._base import utcnow
from tracker.services.coverage import compute_matrix, coverage_query
from tracker.services.coverage.gaps import find_gaps, gaps_by_cell, view_gap_query
from tracker.services.coverage.params import CoverageParams
from tracker.services.dashboard import GAP_PRIORITY
from tracker.services.digests.content import Scope, headline
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
    locale_of=lambda context: formats.locale_for(),
    currency_of=lambda context: context["currency"],
)


@dataclass
class BoardPack:
    html: str
    pdf: bytes


def _filters_in_words(query, params: CoverageParams) -> list[str]:
    words = [
        "Statuses: " + (", ".join(query.statuses) if query.statuses else "any"),
        "Programmes: " + (", ".join(query.programme_codes) or "all"),
        "Region: " + (query.region_code or "all"),
        "Tags counted: " + ("principal only" if query.floor == 2 else "significant or principal"),
    ]
    if query.date_from or query.date_to:
        words.append(f"Projects running from {query.date_from or '…'} to {query.date_to or '…'}")
    if query.as_of:
        words.append(f"As of {formats.format_date(query.as_of)}")
    return words


def _priority(gap) -> int:
    return GAP_PRIORITY.index(gap.kind) if gap.kind in GAP_PRIORITY else len(GAP_PRIORITY)


def _money(value, currency: str) -> str:
    return formats.format_money(value, currency)


def _number(value) -> str:
    return formats.format_number(value)


def build_board_pack(*, session: Session, params: CoverageParams | None = None) -> BoardPack:
    """The board pack of a heatmap view (rows and columns are the pack's own: goals by
    regions), as HTML and as PDF."""
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
    context = {
        "day": day,
        "since": since,
        "currency": currency,
        "filters": _filters_in_words(query, view),
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
                (f"{r.code} {r.label}", c.projects, formats.format_number(c.projects))
                for r, c in goals
            ]
        ),
        "budget_chart": charts.bar_chart(
            [
                (f"{r.code} {r.label}", c.budget, formats.format_money(c.budget, currency))
                for r, c in goals
            ]
        ),
        "trend": trend,
        "trend_chart": charts.line_chart(
            [formats.format_month(d) for d in trend.days],
            [(s.row.code, [p.projects for p in s.points]) for s in trend.series],
            every=2,
        ),
        "generated": utcnow(),
    }
    html = _env.get_template("board_pack.html").render(**context)
    pdf = HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf()
    return BoardPack(html, pdf)


def board_pack_for_today(session: Session) -> bytes:
    """The whole portfolio's board pack, now: what subscribers receive."""
    return build_board_pack(session=session).pdf


__all__ = ["BoardPack", "board_pack_for_today", "build_board_pack", "date"]
