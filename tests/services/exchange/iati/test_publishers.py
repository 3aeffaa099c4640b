"""IATI files in the shape real publishers write them (tests/data/iati/publishers/): budgets
with revised and negative lines, commitments without budgets, a two-level hierarchy, narratives
in Spanish or Dutch only, region 998, a version 1.05 file. Each imports as its report says, and
coverage never counts a hierarchy's work or money twice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests import factories
from tests.factories import ADMIN
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Currency, Project, ProjectLocation
from tracker.services.coverage import compute_matrix, parse_coverage_query
from tracker.services.exchange.iati.read import check_file, import_iati
from tracker.services.projects.detail import project_detail
from tracker.services.projects.sectors import project_hierarchy, sector_codes

PUBLISHERS = Path(__file__).parents[3] / "data" / "iati" / "publishers"
FOREIGN = (PUBLISHERS / "foreign-ministry-2.01.xml").read_bytes()
HIERARCHY = (PUBLISHERS / "development-ministry-2.01-hierarchy.xml").read_bytes()
SPANISH = (PUBLISHERS / "ministry-2.03-spanish.xml").read_bytes()
OLD = (PUBLISHERS / "old-1.05.xml").read_bytes()
SETTINGS = Settings(env="test")
MFA, DEV, MIN = "XI-IATI-EXMFA-", "XI-IATI-EXDEV-", "XI-IATI-EXMIN-"
CHILDREN = [f"{DEV}P100-C1", f"{DEV}P100-C2", f"{DEV}P200-C1", f"{DEV}P200-C2", f"{DEV}P300-C1"]
PARENTS = [f"{DEV}P100", f"{DEV}P200", f"{DEV}P300"]
# The children's budgets: 500,000 + 250,000 + 1,000,000 + 400,000 (revised) + 300,000.
HIERARCHY_BUDGET = Decimal("2450000.00")


def _import(engine, content, *, commit=True, **options):
    with session_scope(engine) as session:
        return import_iati(
            session=session,
            content=content,
            programme="FCAC",
            principal=ADMIN,
            settings=SETTINGS,
            commit=commit,
            **options,
        )


def _projects(engine) -> dict[str, Project]:
    with Session(engine) as session:
        return {p.code: p for p in session.exec(select(Project))}


def _notes(report, code: str) -> list[str]:
    return [n["note"] for n in report.notes if n["activity"] == code]


def test_budgets_as_a_foreign_ministry_publishes_them_and_a_choice_to_skip(framework):
    report = _import(framework, FOREIGN)
    # All or none by default: two activities cannot be imported, so nothing is.
    assert not report.committed and _projects(framework) == {}
    assert {u["activity"]: u["reason"] for u in report.unmapped} == {
        f"{MFA}4000005": 'budget value "1.250.000,00" (for 2025-01-01 to 2025-12-31) is not a '
        "number written with the digits 0 to 9 and a point, such as 250000.50",
        f"{MFA}4000006": "the budget for 2025-01-01 to 2025-12-31 has no currency and the "
        "activity no default-currency",
    }
    assert report.creates == [f"{MFA}400000{n}" for n in (1, 2, 3, 4, 7)]
    assert _notes(report, f"{MFA}4000002")[0] == (
        "its budget lines add up to -280,662.76 EUR; imported without a budget"
    )
    assert _notes(report, f"{MFA}4000003")[0] == (
        "its budget lines add up to 0.00 EUR; imported without a budget"
    )

    report = _import(framework, FOREIGN, skip_invalid=True)
    assert report.committed and report.skipped == 2
    projects = _projects(framework)
    assert sorted(projects) == report.creates
    budgets = {code: (p.budget_amount, p.budget_currency) for code, p in projects.items()}
    # Revised replaces original for 2025; the negative 2026 line reduces the total.
    assert budgets[f"{MFA}4000001"] == (Decimal("900000.00"), "EUR")
    assert budgets[f"{MFA}4000002"] == (None, None)
    assert budgets[f"{MFA}4000003"] == (None, None)
    # No budget: the commitments (not the disbursement) give it.
    assert budgets[f"{MFA}4000004"] == (Decimal("300000.00"), "EUR")
    assert (
        "its commitments (transaction type 2) add up to 300,000.00 EUR, which is kept as its "
        "budget" in _notes(report, f"{MFA}4000004")
    )
    # Two currencies in one period: both kept, converted to EUR.
    with Session(framework) as session:
        usd = session.get(Currency, "USD").rate_to_reporting
    assert budgets[f"{MFA}4000007"] == (
        (Decimal(180000) + 50000 * usd).quantize(Decimal("0.01")),
        "EUR",
    )

    mali = projects[f"{MFA}4000001"]
    assert (mali.title, mali.title_language, mali.summary_language) == (
        "Versterking van de rechtsstaat in Mali",
        "nl",
        "nl",
    )
    assert "its title has no English text; the one in Dutch is kept" in _notes(report, mali.code)
    balkans = projects[f"{MFA}4000007"]
    assert (balkans.title, balkans.title_language) == (
        "Police cooperation in the Western Balkans",
        "en",
    )
    with Session(framework) as session:
        assert sector_codes(session=session, project_id=mali.id) == ["15130", "15210"]
        drugs = projects[f"{MFA}4000004"]
        assert sector_codes(session=session, project_id=drugs.id) == ["16063"]
        # Region 998 alone: Global, a project without places.
        assert (
            session.exec(
                select(ProjectLocation).where(ProjectLocation.project_id == drugs.id)
            ).all()
            == []
        )
    assert (
        "recipient-region 998 (developing countries, unspecified) names no place: it counts as "
        "Global" in _notes(report, drugs.code)
    )
    assert "sector 151 (vocabulary 2) is not a DAC purpose code of five digits; left out" in (
        _notes(report, mali.code)
    )


def test_spanish_narratives_budget_not_provided_and_sectors(framework):
    report = _import(framework, SPANISH)
    assert report.committed and report.version == "2.03" and not report.unmapped
    projects = _projects(framework)
    police = projects[f"{MIN}2024-001"]
    assert police.title == "Fortalecimiento de la policía judicial en Colombia y Perú"
    assert police.summary.startswith("Formación de unidades")  # the general description
    assert (police.title_language, police.summary_language) == ("es", "es")
    assert (police.budget_amount, police.budget_currency) == (Decimal("600000.00"), "EUR")
    fund = projects[f"{MIN}2024-002"]
    assert fund.budget_amount is None  # budget-not-provided: not even from its commitments
    assert (
        "the publisher gives no budget (budget-not-provided 1: commercial restrictions); its "
        "commitments (1) are not taken for one"
    ) in _notes(report, fund.code)
    # The activity says English, its title only Spanish: the Spanish title, the English summary.
    amazon = projects[f"{MIN}2024-003"]
    assert (amazon.title, amazon.title_language) == ("Delitos ambientales en la Amazonía", "es")
    assert (amazon.summary_language, amazon.status) == ("en", "pipeline")
    with Session(framework) as session:
        detail = project_detail(session=session, code=amazon.code)
        assert [(loc.code, loc.kind) for loc in detail.locations] == [("AME", "region")]
        assert [(s.code, s.name, s.percentage) for s in detail.sectors] == [
            ("41030", "Biodiversity", Decimal("100.00"))
        ]
        assert detail.title_language == "Spanish" and detail.summary_language is None
        honduras = project_detail(session=session, code=f"{MIN}2024-004")
        assert [s.label for s in honduras.sectors] == [
            "15113 Anti-corruption organisations and institutions"
        ]
    assert "sector 1511 is not a DAC code of five digits; left out" in _notes(
        report, f"{MIN}2024-004"
    )


def test_a_version_1_file_is_refused_naming_its_version(framework):
    with session_scope(framework) as session:
        report, plans, _ = check_file(
            session=session, content=OLD, programme="FCAC", principal=ADMIN, settings=SETTINGS
        )
    assert plans == []
    assert report.refused.startswith(
        "the file is IATI version 1.05; the tracker reads versions 2.01 to 2.03"
    )
    for version in ("2.01", "2.02"):
        same = SPANISH.replace(b'version="2.03"', f'version="{version}"'.encode())
        assert _import(framework, same, commit=False).refused is None


def test_a_two_level_hierarchy_imports_its_children_linked_to_their_parents(framework):
    report = _import(framework, HIERARCHY)
    assert report.committed and report.creates == CHILDREN
    assert report.hierarchy["levels"] == [1, 2] and report.hierarchy["level"] == 2
    tree = report.hierarchy["tree"]
    assert [(n["activity"], n["outcome"]) for n in tree] == [(p, "represented") for p in PARENTS]
    assert [(c["activity"], c["outcome"]) for c in tree[0]["children"]] == [
        (CHILDREN[0], "imported"),
        (CHILDREN[1], "imported"),
    ]
    assert {g["activity"] for g in report.grouped} == set(PARENTS)
    projects = _projects(framework)
    assert sorted(projects) == CHILDREN
    with Session(framework) as session:
        hierarchy = project_hierarchy(session=session, project=projects[CHILDREN[0]])
        assert hierarchy.level == 2
        assert [(p.ref, p.title, p.code) for p in hierarchy.parents] == [
            (PARENTS[0], "Countering organised crime in East Africa", None)
        ]
        assert hierarchy.siblings == [(CHILDREN[1], "Prosecutors' training in Tanzania")]
        # The third programme names no child: its child's link alone makes the tree.
        last = project_hierarchy(session=session, project=projects[CHILDREN[4]])
        assert [p.ref for p in last.parents] == [PARENTS[2]]


def _coverage(engine) -> tuple[int, Decimal]:
    """Projects and budget of the heatmap's goals-by-regions view, over every status."""
    with Session(engine) as session:
        query = parse_coverage_query(
            session=session, params={"rows": "goals", "cols": "regions", "status": "any"}
        )
        matrix = compute_matrix(session=session, query=query)
    return matrix.total.projects, matrix.total.budget


@pytest.mark.parametrize(
    ("level", "projects", "other"), [(2, CHILDREN, 1), (1, PARENTS, 2)], ids=["children", "parents"]
)
def test_the_heatmap_never_counts_a_hierarchy_twice(framework, level, projects, other):
    report = _import(framework, HIERARCHY, level=level)
    assert report.committed and report.creates == projects
    with session_scope(framework) as session:
        for project in session.exec(select(Project)):
            factories.objective_tag(session, project, "4.2")
    assert _coverage(framework) == (len(projects), HIERARCHY_BUDGET)

    # The same file at the other level: every activity is already counted, by a project of
    # this level; nothing can be imported, even skipping, and coverage stays as it was.
    again = _import(framework, HIERARCHY, level=other, skip_invalid=True)
    assert not again.committed and not again.creates
    assert len(again.unmapped) == len(PARENTS if other == 1 else CHILDREN)
    reason = again.unmapped[0]["reason"]
    assert "is a project already" in reason or "is counted in project" in reason
    assert sorted(_projects(framework)) == projects
    assert _coverage(framework) == (len(projects), HIERARCHY_BUDGET)


def test_parents_take_their_childrens_money_places_and_sectors(framework):
    report = _import(framework, HIERARCHY, level=1)
    assert (
        "it has no budget of its own; the 2 activities counted in it add up to 1,400,000.00 "
        "EUR, which is kept as its budget" in _notes(report, PARENTS[1])
    )
    with Session(framework) as session:
        west = project_detail(session=session, code=PARENTS[1])
        assert west.project.budget_amount == Decimal("1400000.00")
        assert sorted(loc.code for loc in west.locations) == ["AFR", "GH", "NG"]
        assert [s.code for s in west.sectors] == ["15210"]  # its own
        assert [c.ref for c in west.hierarchy.children] == [f"{PARENTS[1]}-C1", f"{PARENTS[1]}-C2"]
        fund = project_detail(session=session, code=PARENTS[2])
        assert fund.locations == []  # 998: Global
        assert [s.code for s in fund.sectors] == ["41030"]  # its child's


def test_a_title_typed_anew_is_no_longer_in_the_files_language(framework):
    from tracker.services.projects.detail import get_project
    from tracker.services.projects.edit import form_input, update_project

    assert _import(framework, SPANISH).committed
    with session_scope(framework) as session:
        project = get_project(session=session, code=f"{MIN}2024-001")
        data = form_input(project, session)
        data.title = "Strengthening the judicial police in Colombia and Peru"
        update_project(
            session=session,
            project=project,
            data=data,
            expected_version=project.version,
            principal=ADMIN,
        )
    project = _projects(framework)[f"{MIN}2024-001"]
    assert (project.title_language, project.summary_language) == (None, "es")


def test_sdgs_given_as_sectors_are_read_as_sdg_tags(framework):
    from tracker.models import ProjectSDGTag

    sdg_sectors = (
        b'<sector vocabulary="7" code="16" percentage="100"/>'
        b'<sector vocabulary="8" code="16.5" percentage="100"/>'
    )
    content = SPANISH.replace(b'<tag vocabulary="2" code="16"/>', sdg_sectors, 1)
    report = _import(framework, content)
    code = f"{MIN}2024-001"
    assert not any("vocabulary 7" in n or "vocabulary 8" in n for n in _notes(report, code))
    with Session(framework) as session:
        project = session.exec(select(Project).where(Project.code == code)).one()
        tags = session.exec(select(ProjectSDGTag).where(ProjectSDGTag.project_id == project.id))
        assert sorted((t.vocabulary, t.code) for t in tags) == [(2, "16"), (3, "16.5")]
        assert sector_codes(session=session, project_id=project.id) == ["15130", "15210"]
