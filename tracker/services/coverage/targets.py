"""Targets: the minimum an administrator expects for a goal or objective, maybe per region."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from tracker import places
from tracker.fields import read_params
from tracker.formats import Text
from tracker.locales import N_
from tracker.models import Goal, Objective, Region, Target, User
from tracker.models._base import utcnow
from tracker.services.audit.record import record
from tracker.services.coverage.filters import active_framework_id
from tracker.services.coverage.params import TargetCreate
from tracker.services.errors import InputError, NotFound
from tracker.services.reference.lists import region_names


@dataclass(frozen=True)
class TargetView:
    id: int
    level: str  # goal or objective
    code: str
    name: str
    row_key: str  # as in the coverage matrix: "goal:3", "objective:17"
    region_id: int | None
    region_code: str | None
    region_name: str | None
    min_active_projects: int | None
    min_budget_eur: Decimal | None

    @property
    def scope(self) -> str:
        """What the target is of: "GPG7 Cyber in Europe" (a Text when it names a region)."""
        if not self.region_name:
            return f"{self.code} {self.name}"
        return Text(
            N_("%(subject)s in %(place)s"),
            subject=f"{self.code} {self.name}",
            place=places.region(self.region_code or "", self.region_name),
        )

    @property
    def wording(self) -> str:
        parts = []
        if self.min_active_projects is not None:
            n = self.min_active_projects
            parts.append(f"at least {n} active project{'s' if n != 1 else ''}")
        if self.min_budget_eur is not None:
            parts.append(f"at least €{self.min_budget_eur:,.0f} attributed")
        return " and ".join(parts)

    def public(self) -> dict:
        return {
            "id": self.id,
            "scope": self.level,
            "code": self.code,
            "region": self.region_code,
            "min_active_projects": self.min_active_projects,
            "min_budget_eur": str(self.min_budget_eur) if self.min_budget_eur is not None else None,
        }


def list_targets(*, session: Session) -> list[TargetView]:
    fid = active_framework_id(session)
    goals = {g.id: g for g in session.exec(select(Goal).where(Goal.framework_id == fid))}
    objectives = {
        o.id: o for o in session.exec(select(Objective).where(Objective.framework_id == fid))
    }
    regions = {r.id: r for r in session.exec(select(Region))}
    views = []
    for target in session.exec(select(Target).order_by(Target.id)):
        if target.goal_id in goals:
            item, level = goals[target.goal_id], "goal"
            name = item.short_name
        elif target.objective_id in objectives:
            item, level = objectives[target.objective_id], "objective"
            name = item.short_name or item.statement
        else:
            continue  # a target on another framework
        region = regions.get(target.region_id)
        views.append(
            TargetView(
                target.id,
                level,
                item.code,
                name,
                f"{level}:{item.id}",
                target.region_id,
                region.code if region else None,
                region.name if region else None,
                target.min_active_projects,
                target.min_budget_eur,
            )
        )
    return sorted(views, key=lambda v: (v.level != "goal", v.code, v.region_code or ""))


def save_target(*, session: Session, target: TargetCreate, actor: User | None) -> TargetView:
    """Add a target, or change the one that already exists for the same scope and region.
    The goal or objective and the region are checked against the database."""
    errors: dict[str, str] = {}
    fid = active_framework_id(session)
    code = target.code.strip()
    goal = session.exec(select(Goal).where(Goal.framework_id == fid, Goal.code == code)).first()
    objective = None
    if goal is None:
        objective = session.exec(
            select(Objective).where(Objective.framework_id == fid, Objective.code == code)
        ).first()
    if goal is None and objective is None:
        errors["code"] = f'unknown goal or objective "{code[:40]}"; use a code such as GPG1 or 4.2'
    region = None
    if target.region:
        region = session.exec(select(Region).where(Region.code == target.region)).first()
        if region is None:
            known = region_names(session=session)
            errors["region"] = f'unknown region "{target.region[:40]}"; allowed: {known}, or none'
    projects, budget = target.min_active_projects, target.min_budget_eur
    if projects is None and budget is None:
        errors["min_active_projects"] = (
            "give a minimum number of active projects, a minimum budget, or both"
        )
    if errors:
        raise InputError(errors)

    scope = Target.goal_id == goal.id if goal else Target.objective_id == objective.id
    place = Target.region_id == region.id if region else Target.region_id.is_(None)
    existing = session.exec(select(Target).where(scope, place)).first()
    before = None
    if existing:
        before = {
            "min_active_projects": existing.min_active_projects,
            "min_budget_eur": existing.min_budget_eur,
        }
        row = existing
    else:
        row = Target(
            goal_id=goal.id if goal else None,
            objective_id=objective.id if objective else None,
            region_id=region.id if region else None,
        )
    row.min_active_projects, row.min_budget_eur, row.updated_at = (
        projects,
        budget,
        utcnow(),
    )
    session.add(row)
    session.flush()
    key = code + (f" in {region.name}" if region else "")
    record(
        session=session,
        actor=actor,
        action="update" if existing else "create",
        entity_type="target",
        entity_key=key,
        before=before,
        after={"min_active_projects": projects, "min_budget_eur": budget},
    )
    return next(v for v in list_targets(session=session) if v.id == row.id)


def set_target(
    *,
    session: Session,
    code: str,
    region_code: str | None,
    min_active_projects: str | int | None,
    min_budget_eur: str | Decimal | None,
    actor: User | None,
) -> TargetView:
    """`save_target` for values given one by one, as text or numbers (the demo, tests): read
    through TargetCreate, as the targets page reads its form."""
    values = {
        "code": code,
        "region": region_code,
        "min_active_projects": min_active_projects,
        "min_budget_eur": min_budget_eur,
    }
    return save_target(session=session, target=read_params(TargetCreate, values), actor=actor)


def delete_target(*, session: Session, target_id: int, actor: User | None) -> None:
    view = next((v for v in list_targets(session=session) if v.id == target_id), None)
    if view is None:
        raise NotFound("target")
    session.delete(session.get(Target, target_id))
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type="target",
        entity_key=view.code + (f" in {view.region_name}" if view.region_name else ""),
        before={
            "min_active_projects": view.min_active_projects,
            "min_budget_eur": view.min_budget_eur,
        },
    )
