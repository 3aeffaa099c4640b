"""Coverage by SDG and SDG target: a hand-computed portfolio, every figure checked to the cent,
on both databases; the SDG views add up to the aligned budget; the gaps of SDG targets; the
projects behind a row; and the IATI export's SDG tags and percentages.

The framework's proposed links (seeds/frameworks/gpg-2023.yaml) that matter here:
GPG5 -> 16.4, 16.5; objective 5.5 -> 16.4 (its own); GPG7 -> 15.7, 15.2, 14.4, 16.4;
objective 7.6 -> 3.9 (its own); GPG6 -> 16.4, 3.5; GPG4's links are removed for the test.

Projects (active, EUR):
- P1 1,000, 5.1 principal, in Africa: 16.4 500, 16.5 500.
- P2   900, 5.5 principal and 7.1 significant, in Europe: the principal tag takes the budget:
  16.4 900; 7.1's SDGs (15.7, 15.2, 14.4, 16.4) count P2 with 0.
- P3   600, 7.6 and 7.1 significant, half Africa half Europe: 300 each; 7.6 -> 3.9 300;
  7.1 -> 15.7, 15.2, 14.4, 16.4 at 75 each.
- P4   400, 3.1 principal, no place, IATI tags of its own, targets 16.5 and 5.2: 200 each.
- P7   100, 4.1 principal, in Africa: GPG4 links to nothing: "No SDG link" 100.
- P6 (pipeline) 5,000, 5.1 principal: not in the view.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlmodel import Session, select

from tests import factories
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Goal, ProjectSDGTag, SDGLink
from tracker.services.coverage import parse_coverage_query
from tracker.services.coverage.gaps import find_gaps, parse_gap_query
from tracker.services.coverage.matrix import compute_from_tables
from tracker.services.coverage.sdgs import percentages
from tracker.services.exchange.iati.write import export_iati
from tracker.services.projects.listing import list_projects, parse_project_list_query

D = Decimal
SCHEMA = etree.XMLSchema(
    etree.parse(str(Path(__file__).parents[2] / "data" / "iati" / "iati-activities-schema.xsd"))
)


@pytest.fixture
def sdg_portfolio(framework) -> dict[str, str]:
    with session_scope(framework) as session:
        gpg4 = session.exec(select(Goal).where(Goal.code == "GPG4")).one()
        for link in session.exec(select(SDGLink).where(SDGLink.goal_id == gpg4.id)):
            session.delete(link)
        codes = {}

        def project(name, budget, tags, places, **values):
            p = factories.project(session, budget_amount=D(budget), **values)
            for objective, significance in tags:
                factories.objective_tag(session, p, objective, significance=significance)
            for place, percentage in places:
                factories.location(session, p, region=place, percentage=percentage)
            codes[name] = p.code
            return p

        project("P1", 1000, [("5.1", 2)], [("AFR", None)])
        project("P2", 900, [("5.5", 2), ("7.1", 1)], [("EUR", None)])
        project("P3", 600, [("7.6", 1), ("7.1", 1)], [("AFR", 50), ("EUR", 50)])
        p4 = project("P4", 400, [("3.1", 2)], [])
        for code in ("16.5", "5.2"):
            session.add(ProjectSDGTag(project_id=p4.id, vocabulary=3, code=code))
        project("P7", 100, [("4.1", 2)], [("AFR", None)])
        project("P6", 5000, [("5.1", 2)], [("AFR", None)], status="pipeline")
    return codes


def _matrix(session, **params):
    query = parse_coverage_query(session=session, params={"metric": "budget", **params})
    return compute_from_tables(session, query)


def _totals(matrix) -> dict[str, tuple[int, int, Decimal]]:
    return {
        row.code: (
            matrix.row_total(row).projects,
            matrix.row_total(row).principal,
            matrix.row_total(row).budget.quantize(D("0.01")),
        )
        for row in matrix.rows
    }


def test_every_sdg_figure_equals_the_hand_computation(framework, sdg_portfolio):
    with Session(framework) as session:
        by_sdg = _matrix(session, rows="sdgs")
        by_target = _matrix(session, rows="sdg_targets")
        by_goal = _matrix(session, rows="goals")

    assert _totals(by_sdg) == {
        "3": (1, 0, D("300.00")),  # 3.9 through 7.6; 3.5 (GPG6) reached by nobody
        "5": (1, 1, D("200.00")),  # P4's own tag
        "8": (0, 0, D("0.00")),  # 8.7, linked from GPG3
        "10": (0, 0, D("0.00")),  # 10.7, linked from GPG2; SDG 9 (GPG4's) is gone with its link
        "14": (2, 0, D("75.00")),
        "15": (2, 0, D("150.00")),
        "16": (4, 3, D("2175.00")),
        "none": (1, 1, D("100.00")),
    }
    targets = _totals(by_target)
    assert {
        k: targets[k] for k in ("16.4", "16.5", "15.7", "15.2", "14.4", "3.9", "5.2", "3.5")
    } == {
        "16.4": (3, 2, D("1475.00")),
        "16.5": (2, 2, D("700.00")),
        "15.7": (2, 0, D("75.00")),
        "15.2": (2, 0, D("75.00")),
        "14.4": (2, 0, D("75.00")),
        "3.9": (1, 0, D("300.00")),
        "5.2": (1, 1, D("200.00")),
        "3.5": (0, 0, D("0.00")),
    }
    # Places: P3 is half in Africa, half in Europe; P4 has none (Global).
    columns = {c.code: c for c in by_target.columns}
    row = {r.code: r for r in by_target.rows}
    cell = lambda r, c: by_target.cell(row[r], columns[c]).budget.quantize(D("0.01"))  # noqa: E731
    assert (cell("16.4", "AFR"), cell("16.4", "EUR"), cell("16.4", "global")) == (
        D("537.50"),
        D("937.50"),
        D("0.00"),
    )
    assert (cell("16.5", "AFR"), cell("16.5", "global")) == (D("500.00"), D("200.00"))
    assert cell("none", "AFR") == D("100.00")
    # No euro twice: every view adds up to the aligned budget, 3,000.
    for matrix in (by_sdg, by_target, by_goal):
        assert matrix.total.budget.quantize(D("0.01")) == D("3000.00")
        assert matrix.total.projects == 5
        leaves = [r for r in matrix.rows if r.level == matrix.leaf_level]
        assert sum(matrix.row_total(r).budget for r in leaves).quantize(D("0.01")) == D("3000.00")
        cells = sum(
            c.budget for (k, _), c in matrix.cells.items() if k.startswith(f"{matrix.leaf_level}:")
        )
        assert cells.quantize(D("0.01")) == D("3000.00")


def test_a_weighted_link_takes_its_share(framework, sdg_portfolio):
    with session_scope(framework) as session:
        gpg5 = session.exec(select(Goal).where(Goal.code == "GPG5")).one()
        link = session.exec(
            select(SDGLink).where(SDGLink.goal_id == gpg5.id, SDGLink.target_code == "16.5")
        ).one()
        link.weight = D("80")  # 16.4 takes the rest, 20%
    with Session(framework) as session:
        targets = _totals(_matrix(session, rows="sdg_targets"))
    # P1: 16.4 200, 16.5 800; the rest as before.
    assert targets["16.4"][2] == D("1175.00") and targets["16.5"][2] == D("1000.00")


def test_targets_nothing_reaches_are_gaps_and_rows_list_their_projects(framework, sdg_portfolio):
    with Session(framework) as session:
        gaps = find_gaps(session=session, query=parse_gap_query(session=session, params={}))
        unreached = {g.subject.split(" ")[0]: g for g in gaps if g.kind == "unreached_sdg_target"}
        listed = list_projects(
            session=session,
            query=parse_project_list_query(
                session=session, params=[("status", "active"), ("sdg_target", "16.5")]
            ),
        )
        none = list_projects(
            session=session,
            query=parse_project_list_query(
                session=session, params=[("status", "active"), ("sdg", "none")]
            ),
        )
    assert {"3.5", "8.7", "16.2", "16.1", "16.a"} <= set(unreached)
    assert not {"16.4", "16.5", "3.9", "5.2"} & set(unreached)
    assert "no active project reaches it" in unreached["3.5"].reason
    assert sorted(p.code for p in listed.rows) == sorted([sdg_portfolio["P1"], sdg_portfolio["P4"]])
    assert [p.code for p in none.rows] == [sdg_portfolio["P7"]]


def test_iati_export_tags_sdgs_and_weighs_them_per_vocabulary(framework, sdg_portfolio):
    with Session(framework) as session:
        xml = export_iati(session=session, settings=Settings(env="test"))
    document = etree.fromstring(xml)
    assert SCHEMA.validate(document), SCHEMA.error_log.last_error
    activities = {a.findtext("iati-identifier"): a for a in document.findall("iati-activity")}
    p1 = next(a for i, a in activities.items() if i.endswith(sdg_portfolio["P1"]))
    p3 = next(a for i, a in activities.items() if i.endswith(sdg_portfolio["P3"]))
    tags = {(t.get("vocabulary"), t.get("code")) for t in p1.findall("tag")}
    assert {("2", "16"), ("3", "16.4"), ("3", "16.5")} <= tags
    sectors = {
        (s.get("vocabulary"), s.get("code")): s.get("percentage") for s in p3.findall("sector")
    }
    # P3: 300 to 3.9; 75 each to 15.7, 15.2, 14.4 and 16.4.
    assert sectors == {
        ("7", "3"): "50.00",
        ("7", "15"): "25.00",
        ("7", "14"): "12.50",
        ("7", "16"): "12.50",
        ("8", "3.9"): "50.00",
        ("8", "15.7"): "12.50",
        ("8", "15.2"): "12.50",
        ("8", "14.4"): "12.50",
        ("8", "16.4"): "12.50",
    }
    for activity in document.findall("iati-activity"):
        for vocabulary in ("7", "8"):
            shares = [
                D(s.get("percentage"))
                for s in activity.findall(f"sector[@vocabulary='{vocabulary}']")
            ]
            assert not shares or sum(shares) == 100


def test_percentages_add_up_to_exactly_one_hundred():
    assert percentages({"a": 1, "b": 1, "c": 1}) == {"a": "33.34", "b": "33.33", "c": "33.33"}
    assert sum(D(v) for v in percentages({"x": 0.7, "y": 0.2, "z": 0.1}).values()) == 100
    assert percentages({}) == {}
