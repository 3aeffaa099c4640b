"""Coverage by Sustainable Development Goal: the rows of the SDG views (`rows=sdgs`, by SDG,
and `rows=sdg_targets`, targets under their SDG) and how a project's budget reaches them.

A project reaches SDGs through its objective tags: each tag's part of the budget (the split
the heatmap makes) goes to the objective's SDG links, or its goal's where the objective has
none, split by the links' weights (equally where none is given). A project that carries SDG
tags of its own (from an IATI file) reaches those instead: the publisher said so for this
project, and that wins over the framework's general links. It reaches its targets (vocabulary
3) where it has any, else its SDGs (vocabulary 2), in equal parts. Budget an objective without
any link carries goes to a row of its own, "No SDG link", so that the SDG views, like every
other, add up to the aligned budget and never count a euro twice.

In the view of targets, a link to a whole SDG (no target named) is a row of its own under
that SDG, coded with the SDG's number.
"""

from __future__ import annotations

from sqlalchemy import (
    Integer,
    Numeric,
    String,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import CTE

from tracker.formats import Text
from tracker.locales import N_
from tracker.models import SDG, Objective, ProjectSDGTag, SDGLink, SDGTarget
from tracker.services.coverage import sql
from tracker.services.coverage.filters import CoverageQuery

NO_SDG = -6  # the SDG row of budget whose objectives link to no SDG
NO_TARGET = "none"  # the same, in the view of targets
SDG_ROWS = ("sdgs", "sdg_targets")


def _sdg_of_target(dialect: sql.Dialect, code) -> ColumnElement:
    """The SDG number of a target code ("16.4" -> 16)."""
    if dialect.sqlite:
        return cast(func.substr(code, 1, func.instr(code, ".") - 1), Integer)
    return cast(func.split_part(code, ".", 1), Integer)


def objective_links(query: CoverageQuery) -> CTE:
    """(objective_id, sdg_number, target, weight): each objective's SDG links, its own or else
    its goal's, with weights that sum to 1 per objective."""
    own = aliased(SDGLink)
    goal_link = aliased(SDGLink)
    mine = select(
        own.objective_id.label("objective_id"),
        own.sdg_number.label("sdg_number"),
        own.target_code.label("target"),
        own.weight.label("share"),
    ).where(own.objective_id.is_not(None), own.framework_id == query.framework_id)
    has_own = exists(select(literal(1)).where(SDGLink.objective_id == Objective.id))
    inherited = (
        select(
            Objective.id.label("objective_id"),
            goal_link.sdg_number.label("sdg_number"),
            goal_link.target_code.label("target"),
            goal_link.weight.label("share"),
        )
        .join(goal_link, goal_link.goal_id == Objective.goal_id)
        .where(Objective.framework_id == query.framework_id, ~has_own)
    )
    links = union_all(mine, inherited).subquery("sdg_links_all")
    window = {"partition_by": links.c.objective_id}
    base = select(
        links.c.objective_id,
        links.c.sdg_number,
        links.c.target,
        links.c.share,
        func.sum(links.c.share).over(**window).label("sum_given"),
        func.count(links.c.share).over(**window).label("n_given"),
        func.count().over(**window).label("n_items"),
    ).subquery("sdg_links_base")
    return select(
        base.c.objective_id,
        base.c.sdg_number,
        base.c.target,
        sql._split(base, "share", principal_aware=False).label("weight"),
    ).cte("objective_sdg_links")


def sdg_pairs(fp: CTE, query: CoverageQuery, dialect: sql.Dialect) -> CTE:
    """(project_id, sdg_number, target, significance, weight): where each project's budget
    reaches the SDGs; a project's weights sum to 1. `target` is the target's code, the SDG's
    number for a link to a whole SDG, or NO_TARGET."""
    tags = sql.tag_weights(fp, query, themes=False, name="sdg_tags")
    links = objective_links(query)
    own_tags = exists(select(literal(1)).where(ProjectSDGTag.project_id == tags.c.project_id))
    through_links = (
        select(
            tags.c.project_id,
            func.coalesce(links.c.sdg_number, NO_SDG).label("sdg_number"),
            func.coalesce(
                links.c.target, cast(links.c.sdg_number, String), literal(NO_TARGET)
            ).label("target"),
            tags.c.significance,
            (tags.c.weight * func.coalesce(links.c.weight, sql.ONE)).label("weight"),
        )
        .outerjoin(links, links.c.objective_id == tags.c.item_id)
        .where(~own_tags)
    )
    # Projects with SDG tags of their own: their targets where they have any, else their SDGs.
    aligned = (
        select(tags.c.project_id, func.max(tags.c.significance).label("significance"))
        .group_by(tags.c.project_id)
        .subquery("sdg_aligned")
    )
    window = {"partition_by": ProjectSDGTag.project_id}
    tagged = (
        select(
            ProjectSDGTag.project_id.label("project_id"),
            ProjectSDGTag.vocabulary.label("vocabulary"),
            ProjectSDGTag.code.label("code"),
            func.max(ProjectSDGTag.vocabulary).over(**window).label("finest"),
        )
        .join(aligned, aligned.c.project_id == ProjectSDGTag.project_id)
        .subquery("sdg_own_tags")
    )
    chosen = (
        select(
            tagged.c.project_id,
            tagged.c.vocabulary,
            tagged.c.code,
            func.count().over(partition_by=tagged.c.project_id).label("n"),
        )
        .where(tagged.c.vocabulary == tagged.c.finest)
        .subquery("sdg_own_chosen")
    )
    is_target = chosen.c.vocabulary == 3
    through_own = select(
        chosen.c.project_id,
        case(
            (is_target, _sdg_of_target(dialect, chosen.c.code)),
            else_=cast(chosen.c.code, Integer),
        ).label("sdg_number"),
        chosen.c.code.label("target"),
        aligned.c.significance,
        (sql.ONE / chosen.c.n).label("weight"),
    ).join(aligned, aligned.c.project_id == chosen.c.project_id)
    both = union_all(through_links, through_own).subquery("sdg_pairs_all")
    return (
        select(
            both.c.project_id,
            both.c.sdg_number,
            both.c.target,
            func.max(both.c.significance).label("significance"),
            func.sum(both.c.weight).label("weight"),
        )
        .group_by(both.c.project_id, both.c.sdg_number, both.c.target)
        .cte("sdg_pairs")
    )


def row_pairs(fp: CTE, query: CoverageQuery, dialect: sql.Dialect, *, level: str) -> CTE:
    """(project_id, row_id, significance, weight) for rows of SDGs (level "sdg") or of targets
    (level "sdg_target")."""
    pairs = sdg_pairs(fp, query, dialect)
    row = pairs.c.sdg_number if level == "sdg" else pairs.c.target
    return (
        select(
            pairs.c.project_id,
            row.label("row_id"),
            func.max(pairs.c.significance).label("significance"),
            func.sum(pairs.c.weight).label("weight"),
        )
        .group_by(pairs.c.project_id, row)
        .cte(f"rows_{level}")
    )


def linked(session, framework_id: int | None) -> tuple[set[int], set[str]]:
    """The SDGs and the rows of targets (target codes, or an SDG's number for a link to the
    whole SDG) that the framework's goals and objectives link to."""
    numbers: set[int] = set()
    targets: set[str] = set()
    for number, target in session.execute(
        select(SDGLink.sdg_number, SDGLink.target_code).where(SDGLink.framework_id == framework_id)
    ):
        numbers.add(number)
        targets.add(target or str(number))
    return numbers, targets


def rows(session, query: CoverageQuery, present: set[str]) -> list:
    """The rows of an SDG view: every SDG (and target) the framework links to, and any other
    that the figures reach (through projects' own SDG tags), in the UN's order; "No SDG link"
    last when budget goes there, as `Row(key, code, label, statement, level, goal_code)`
    arguments (the matrix makes them rows). `present` holds the row keys that have figures."""
    numbers, targets = linked(session, query.framework_id)
    numbers |= {int(k.split(":", 1)[1]) for k in present if k.startswith("sdg:")}
    targets |= {k.split(":", 1)[1] for k in present if k.startswith("sdg_target:")}
    numbers.discard(NO_SDG)
    targets.discard(NO_TARGET)
    numbers |= {_number(t) for t in targets}
    goals = {
        s.number: s for s in session.execute(select(SDG).where(SDG.number.in_(numbers))).scalars()
    }
    known = {
        t.code: t
        for t in session.execute(select(SDGTarget).where(SDGTarget.code.in_(targets))).scalars()
    }
    out: list[tuple] = []
    for number in sorted(numbers):
        goal = goals.get(number)
        label = goal.name if goal else f"SDG {number}"
        out.append(
            (f"sdg:{number}", str(number), label, goal.title if goal else label, "sdg", None)
        )
        if query.rows != "sdg_targets":
            continue
        for code in sorted((t for t in targets if _number(t) == number), key=_order):
            if code == str(number):
                out.append(
                    (
                        f"sdg_target:{code}",
                        str(number),
                        Text(N_("The SDG as a whole (no target named)")),
                        Text(N_("Links to the whole SDG, without a target")),
                        "sdg_target",
                        str(number),
                    )
                )
                continue
            target = known.get(code)
            out.append(
                (
                    f"sdg_target:{code}",
                    code,
                    (
                        target.short_title
                        if target
                        else Text(N_("Not a target of the reference list"))
                    ),
                    target.title if target else code,
                    "sdg_target",
                    str(number),
                )
            )
    level, none = ("sdg", str(NO_SDG)) if query.rows == "sdgs" else ("sdg_target", NO_TARGET)
    if f"{level}:{none}" in present or f"sdg:{NO_SDG}" in present:
        if query.rows == "sdg_targets":
            out.append(
                (
                    f"sdg:{NO_SDG}",
                    "none",
                    Text(N_("No SDG link")),
                    Text(N_("Objectives linked to no SDG")),
                    "sdg",
                    None,
                )
            )
        out.append(
            (
                f"{level}:{none}",
                "none",
                Text(N_("No SDG link")),
                Text(N_("Budget of objectives that neither they nor their goal link to an SDG")),
                level,
                None,
            )
        )
    return out


def _number(row_id: str) -> int:
    return int(row_id.split(".")[0])


def _order(code: str) -> tuple[int, int, str]:
    part = code.split(".")[1] if "." in code else ""
    if not part:
        return (0, 0, "")
    return (1, int(part), "") if part.isdigit() else (2, 0, part)


__all__ = ["NO_SDG", "NO_TARGET", "SDG_ROWS", "linked", "row_pairs", "rows", "sdg_pairs"]


def contributions(session, project_ids: list[int], framework_id: int | None) -> dict:
    """Where each project's budget reaches the SDGs, whatever its status, in one query: by
    project, (SDG number, target code or None for the whole SDG, share of the budget from 0 to
    1), largest first. Budget that reaches no SDG is left out."""
    from tracker.models import Project

    query = CoverageQuery(statuses=(), framework_id=framework_id)
    dialect = sql.Dialect(session.get_bind().dialect.name)
    fp = sql.filtered_projects(query, extra=[Project.id.in_(project_ids)], name="fp_sdg")
    pairs = sdg_pairs(fp, query, dialect)
    out: dict[int, list] = {}
    # Read with enough places: the column types alone would round each share to the cent.
    share = type_coerce(pairs.c.weight, Numeric(38, 12))
    for project_id, number, target, weight in session.execute(
        select(pairs.c.project_id, pairs.c.sdg_number, pairs.c.target, share)
    ):
        if number == NO_SDG:
            continue
        target = target if "." in str(target) else None
        out.setdefault(project_id, []).append((int(number), target, float(weight)))
    for items in out.values():
        items.sort(key=lambda item: (-item[2], item[0], item[1] or ""))
    return out


def project_contributions(session, project_id: int, framework_id: int | None) -> list:
    """`contributions` of one project."""
    return contributions(session, [project_id], framework_id).get(project_id, [])


def percentages(shares: dict[str, float]) -> dict[str, str]:
    """Shares as percentages with two decimals that add up to exactly 100 (the largest
    remainders take the last cents), for IATI, which asks them to add up per vocabulary."""
    total = sum(shares.values())
    if not shares or total <= 0:
        return {}
    exact = {k: v * 10000 / total for k, v in shares.items()}
    floors = {k: int(v) for k, v in exact.items()}
    left = 10000 - sum(floors.values())
    for key in sorted(exact, key=lambda k: floors[k] - exact[k])[:left]:
        floors[key] += 1
    return {k: f"{v // 100}.{v % 100:02d}" for k, v in floors.items()}
