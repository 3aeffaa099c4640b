"""Properties of coverage over random portfolios (Hypothesis).

Summed over all cells of a view, attributed budget equals the budget of the aligned projects
in the filter, to the cent; and no count exceeds the number of projects.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlmodel import Session, select

from tests import factories
from tracker.models import Country, Currency, Objective, Programme, Project, Region, Theme
from tracker.services.coverage import compute_matrix, cube, parse_coverage_query

COUNTRIES = ["KE", "NG", "FR", "DE", "BR", "JP", "EG"]
REGIONS = ["AFR", "EUR", "AME", "ASP", "MENA"]
OBJECTIVES = ["1.1", "1.2", "2.1", "4.1", "4.2", "5.3", "7.6"]
THEMES = ["I", "II", "V"]
STATUSES = ["active", "completed", "pipeline"]
CURRENCIES = ["EUR", "USD", "GBP", "JPY"]


def _shares(draw, n, total_max=100):
    """None for every item, or shares for some/all of them summing to at most 100."""
    mode = draw(st.sampled_from(["none", "some", "all"]))
    if mode == "none" or n == 0:
        return [None] * n
    shares: list[Decimal | None] = []
    left = total_max
    for _ in range(n):
        if mode == "some" and draw(st.booleans()):
            shares.append(None)
            continue
        value = draw(st.integers(min_value=0, max_value=left))
        shares.append(Decimal(value))
        left -= value
    return shares


@st.composite
def projects(draw):
    n_loc = draw(st.integers(0, 3))
    places = draw(
        st.lists(st.sampled_from(COUNTRIES + REGIONS), min_size=n_loc, max_size=n_loc, unique=True)
    )
    if places and draw(st.booleans()):
        cuts = sorted(
            draw(st.lists(st.integers(0, 100), min_size=len(places) - 1, max_size=len(places) - 1))
        )
        bounds = [0, *cuts, 100]
        percentages = [Decimal(bounds[i + 1] - bounds[i]) for i in range(len(places))]
    else:
        percentages = [None] * len(places)
    objectives = draw(st.lists(st.sampled_from(OBJECTIVES), max_size=4, unique=True))
    themes = draw(st.lists(st.sampled_from(THEMES), max_size=2, unique=True))
    start = draw(st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2027, 12, 31))))
    length = draw(st.integers(0, 1200))
    return {
        "budget": draw(st.one_of(st.none(), st.decimals(0, 10_000_000, places=2, allow_nan=False))),
        "currency": draw(st.sampled_from(CURRENCIES)),
        "status": draw(st.sampled_from(STATUSES)),
        "programme": draw(st.sampled_from(["CT", "CYB"])),
        "start": start,
        "end": start + timedelta(days=length) if start else None,
        "places": list(zip(places, percentages, strict=True)),
        "objectives": list(
            zip(
                objectives,
                [draw(st.sampled_from([1, 2])) for _ in objectives],
                _shares(draw, len(objectives)),
                strict=True,
            )
        ),
        "themes": list(
            zip(
                themes,
                [draw(st.sampled_from([1, 2])) for _ in themes],
                _shares(draw, len(themes)),
                strict=True,
            )
        ),
    }


views = st.fixed_dictionaries(
    {
        "rows": st.sampled_from(["goals", "objectives", "themes"]),
        "cols": st.sampled_from(["regions", "countries", "programmes", "themes", "years"]),
        "floor": st.sampled_from(["1", "2"]),
        "status": st.sampled_from([["active"], ["any"], ["active", "completed"]]),
        "region": st.sampled_from(["", "AFR", "EUR"]),
    }
)


def _store(session: Session, portfolio) -> None:
    session.exec(delete(Project))
    ids = {
        "country": dict(session.exec(select(Country.code, Country.id)).all()),
        "region": dict(session.exec(select(Region.code, Region.id)).all()),
        "programme": dict(session.exec(select(Programme.code, Programme.id)).all()),
        "objective": dict(session.exec(select(Objective.code, Objective.id)).all()),
        "theme": dict(session.exec(select(Theme.code, Theme.id)).all()),
    }
    for n, item in enumerate(portfolio):
        project = factories.project(
            session,
            code=f"H{n}",
            title="Generated",
            status=item["status"],
            start_date=item["start"],
            end_date=item["end"],
            budget_amount=item["budget"],
            budget_currency=item["currency"] if item["budget"] is not None else None,
            programme_id=ids["programme"][item["programme"]],
        )
        for place, pct in item["places"]:
            key = "country" if place in ids["country"] else "region"
            factories.location(session, project, percentage=pct, **{f"{key}_id": ids[key][place]})
        for code, significance, share in item["objectives"]:
            factories.objective_tag(
                session,
                project,
                significance=significance,
                budget_share=share,
                objective_id=ids["objective"][code],
            )
        for code, significance, share in item["themes"]:
            factories.theme_tag(
                session,
                project,
                significance=significance,
                budget_share=share,
                theme_id=ids["theme"][code],
            )
    session.commit()


def _region_of(session):
    countries = dict(session.exec(select(Country.code, Region.code).join(Region)).all())
    return lambda place: countries.get(place, place)


def _expected(session, portfolio, view):
    """Which projects are in the filter and aligned, and their budget, worked out in Python."""
    rates = {c.code: c.rate_to_reporting for c in session.exec(select(Currency))}
    region_of = _region_of(session)
    statuses = None if view["status"] == ["any"] else set(view["status"])
    floor = int(view["floor"])
    in_filter, budget = 0, Decimal(0)
    aligned = 0
    for item in portfolio:
        if statuses and item["status"] not in statuses:
            continue
        if view["region"] and view["region"] not in {region_of(p) for p, _ in item["places"]}:
            continue
        in_filter += 1
        tags = item["themes"] if view["rows"] == "themes" else item["objectives"]
        if any(sig >= floor for _, sig, _ in tags):
            aligned += 1
            if item["budget"] is not None:
                budget += item["budget"] * rates[item["currency"]]
    return in_filter, aligned, budget


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(portfolio=st.lists(projects(), min_size=0, max_size=12), view=views)
def test_budget_is_never_counted_twice_and_counts_stay_within_the_portfolio(
    framework, portfolio, view
):
    if view["rows"] == "themes" and view["cols"] == "themes":
        view = {**view, "cols": "regions"}
    if view["cols"] == "countries" and not view["region"]:
        view = {**view, "region": "AFR"}
    with Session(framework) as session:
        _store(session, portfolio)
        assert cube.differences(session) == []  # the cube followed the delete and inserts
        query = parse_coverage_query(session=session, params={k: v for k, v in view.items() if v})
        matrix = compute_matrix(session=session, query=query)
        in_filter, aligned, budget = _expected(session, portfolio, view)

    leaf = matrix.leaf_level
    leaf_rows = [r for r in matrix.rows if r.level == leaf]
    cells = [matrix.cell(r, c) for r in leaf_rows for c in matrix.columns]
    # Every cell the SQL produced is shown in some column.
    shown = {(r.key, c.key) for r in matrix.rows for c in matrix.columns}
    assert set(matrix.cells) <= shown

    assert abs(sum(c.budget for c in cells) - budget) < Decimal("0.01")
    assert abs(sum(matrix.row_total(r).budget for r in leaf_rows) - budget) < Decimal("0.01")
    assert abs(sum(matrix.column_total(c).budget for c in matrix.columns) - budget) < Decimal(
        "0.01"
    )
    assert abs(matrix.total.budget - budget) < Decimal("0.01")
    assert matrix.total.projects == aligned <= in_filter
    for row in matrix.rows:
        total = matrix.row_total(row)
        assert total.principal <= total.projects <= aligned
        for column in matrix.columns:
            cell = matrix.cell(row, column)
            assert cell.principal <= cell.projects <= total.projects
            assert cell.budget >= Decimal("-0.000001")
    for column in matrix.columns:
        assert matrix.column_total(column).projects <= aligned
