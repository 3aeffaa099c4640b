"""The framework's links to the Sustainable Development Goals: reading them with the SDG
reference list, and an administrator's changes (add, confirm, remove), each audited.

A goal or objective links to SDG targets or to whole SDGs (see tracker.models.SDGLink); an
objective without links of its own takes its goal's. How budget reaches SDGs through the links
is the coverage service's (tracker.services.coverage.sdgs).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from tracker.formats import Text
from tracker.locales import N_
from tracker.models import SDG, Framework, Goal, Objective, SDGLink, SDGTarget, User
from tracker.services.audit.record import record
from tracker.services.errors import InputError, NotFound
from tracker.services.framework.loader import link_summary


@dataclass(frozen=True)
class LinkView:
    id: int
    sdg_number: int
    target: str | None
    label: str  # "16.4 Significantly reduce illicit financial and arms flows", "SDG 14 ..."
    weight: Decimal | None
    note: str | None
    proposed: bool


@dataclass(frozen=True)
class SDGReference:
    number: int
    name: str
    title: str
    targets: list[SDGTarget]


def reference(*, session: Session) -> list[SDGReference]:
    """The 17 SDGs with their targets, in the UN's order."""
    targets: dict[int, list[SDGTarget]] = {}
    for target in session.exec(select(SDGTarget).order_by(SDGTarget.position)):
        targets.setdefault(target.sdg_number, []).append(target)
    return [
        SDGReference(s.number, s.name, s.title, targets.get(s.number, []))
        for s in session.exec(select(SDG).order_by(SDG.number))
    ]


def links_by_owner(*, session: Session, framework_id: int) -> dict[str, list[LinkView]]:
    """The active framework's links by owner key ("goal:3", "objective:17")."""
    names = {s.number: s.name for s in session.exec(select(SDG))}
    short = dict(session.exec(select(SDGTarget.code, SDGTarget.short_title)).all())
    out: dict[str, list[LinkView]] = {}
    for link in session.exec(
        select(SDGLink)
        .where(SDGLink.framework_id == framework_id)
        .order_by(SDGLink.sdg_number, SDGLink.target_code, SDGLink.id)
    ):
        owner = f"goal:{link.goal_id}" if link.goal_id else f"objective:{link.objective_id}"
        label = (
            f"{link.target_code} {short.get(link.target_code, '')}".strip()
            if link.target_code
            else f"SDG {link.sdg_number} {names.get(link.sdg_number, '')} (as a whole)"
        )
        out.setdefault(owner, []).append(
            LinkView(
                link.id,
                link.sdg_number,
                link.target_code,
                label,
                link.weight,
                link.note,
                link.proposed,
            )
        )
    return out


def _owner(session: Session, code: str):
    """The active framework's goal or objective with this code."""
    framework = session.exec(select(Framework).where(Framework.active)).first()
    if framework is None:
        raise InputError({"owner": Text(N_("no framework is loaded"))})
    goal = session.exec(
        select(Goal).where(Goal.framework_id == framework.id, Goal.code == code)
    ).first()
    if goal is not None:
        return framework, "goal", goal
    objective = session.exec(
        select(Objective).where(Objective.framework_id == framework.id, Objective.code == code)
    ).first()
    if objective is not None:
        return framework, "objective", objective
    raise InputError(
        {
            "owner": Text(
                N_('unknown goal or objective "%(value)s"; such as GPG5 or 5.5'), value=code[:20]
            )
        }
    )


def _audit(session, actor, owner_kind, owner, before, after) -> None:
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type=owner_kind,
        entity_key=owner.code,
        before={"sdg_links": before},
        after={"sdg_links": after},
    )


def _summaries(session: Session, owner_kind: str, owner) -> list[str]:
    column = SDGLink.goal_id if owner_kind == "goal" else SDGLink.objective_id
    return [
        link_summary(link)
        for link in session.exec(
            select(SDGLink).where(column == owner.id).order_by(SDGLink.sdg_number, SDGLink.id)
        )
    ]


def add_link(
    *,
    session: Session,
    actor: User | None,
    owner_code: str,
    target: str,
    weight: Decimal | None = None,
    note: str | None = None,
) -> SDGLink:
    """Links a goal or objective to an SDG target ("16.4") or a whole SDG ("14"); audited."""
    framework, kind, owner = _owner(session, owner_code)
    target = target.strip()
    if "." in target:
        found = session.get(SDGTarget, target)
        if found is None:
            raise InputError(
                {
                    "target": Text(
                        N_('unknown SDG target "%(value)s"; such as 16.4'), value=target[:8]
                    )
                }
            )
        number, code = found.sdg_number, found.code
    elif target.isdigit() and target.isascii() and 1 <= int(target) <= 17:
        number, code = int(target), None
    else:
        raise InputError(
            {
                "target": Text(
                    N_("must be an SDG target such as 16.4, or an SDG number from 1 to 17")
                )
            }
        )
    column = SDGLink.goal_id if kind == "goal" else SDGLink.objective_id
    stored = list(session.exec(select(SDGLink).where(column == owner.id)))
    if any((link.sdg_number, link.target_code) == (number, code) for link in stored):
        linked = code or Text(N_("SDG %(number)s"), number=str(number))
        raise InputError(
            {
                "target": Text(
                    N_("%(owner)s already links to %(target)s"), owner=owner.code, target=linked
                )
            }
        )
    given = sum((link.weight or Decimal(0) for link in stored), Decimal(0))
    if weight is not None and given + weight > 100:
        raise InputError(
            {
                "weight": Text(
                    N_("%(owner)s's links already weigh %(given)s%%; at most %(left)s"),
                    owner=owner.code,
                    given=f"{given:g}",
                    left=f"{100 - given:g}",
                )
            }
        )
    before = _summaries(session, kind, owner)
    link = SDGLink(
        framework_id=framework.id,
        goal_id=owner.id if kind == "goal" else None,
        objective_id=owner.id if kind == "objective" else None,
        sdg_number=number,
        target_code=code,
        weight=weight,
        note=note or None,
        proposed=False,
    )
    session.add(link)
    session.flush()
    _audit(session, actor, kind, owner, before, _summaries(session, kind, owner))
    return link


def _stored_link(session: Session, link_id: int) -> tuple[SDGLink, str, object]:
    link = session.get(SDGLink, link_id)
    if link is None:
        raise NotFound(f"No SDG link {link_id}")
    if link.goal_id:
        return link, "goal", session.get(Goal, link.goal_id)
    return link, "objective", session.get(Objective, link.objective_id)


def confirm_link(*, session: Session, actor: User | None, link_id: int) -> None:
    """An administrator confirms a link the tracker proposed; audited."""
    link, kind, owner = _stored_link(session, link_id)
    if not link.proposed:
        return
    link.proposed = False
    session.add(link)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type=kind,
        entity_key=owner.code,
        before={"sdg_link": link_summary(link), "proposed": True},
        after={"sdg_link": link_summary(link), "proposed": False},
    )


def remove_link(*, session: Session, actor: User | None, link_id: int) -> None:
    """Removes a link; audited."""
    link, kind, owner = _stored_link(session, link_id)
    before = _summaries(session, kind, owner)
    session.delete(link)
    session.flush()
    _audit(session, actor, kind, owner, before, _summaries(session, kind, owner))
