"""Who may do what, from the provider's groups: the rules written in the settings
(TRACKER_OIDC_GROUP_ROLES) and those set on the administration page (GroupMapping rows, each
change audited), and the role and programmes they give a person.

A person gets the highest role any of their groups gives (administrator, then manager, then
viewer); a manager, every programme their manager groups name. With no group that a rule
names, the default role (TRACKER_OIDC_DEFAULT_ROLE) applies: none (refused) or viewer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from tracker.config import ROLE_ORDER, Settings
from tracker.formats import Text
from tracker.locales import N_
from tracker.models import GroupMapping, Programme, Role, User
from tracker.services.audit.record import record
from tracker.services.errors import InputError, NotFound
from tracker.services.reference.lists import programme_names

log = logging.getLogger(__name__)

MAX_GROUPS = 1_000  # groups read from one token
MAX_GROUP_LENGTH = 255


@dataclass(frozen=True)
class Rule:
    """A rule as the administration page lists it: from the settings, or set there (with its
    id, to remove it)."""

    group: str
    role: str
    programmes: tuple[str, ...]
    mapping_id: int | None = None

    @property
    def from_settings(self) -> bool:
        return self.mapping_id is None


@dataclass(frozen=True)
class Grant:
    role: str
    programmes: tuple[str, ...] = ()
    default: bool = False  # given by TRACKER_OIDC_DEFAULT_ROLE, no group matched


def groups_in(claims: dict[str, Any], claim: str) -> list[str]:
    """The groups (or roles) the token names under `claim`, a dotted path such as
    realm_access.roles; a list of strings or one string with spaces or commas."""
    value: Any = claims
    for part in claim.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list):
        return []
    return [g for g in value[:MAX_GROUPS] if isinstance(g, str) and 0 < len(g) <= 255]


def rules(*, session: Session, settings: Settings) -> list[Rule]:
    """Every rule: those of the settings first, then those set on the administration page."""
    found = [Rule(r.group, r.role, r.programmes) for r in settings.oidc_rules]
    rows = session.exec(
        select(GroupMapping, Programme.code)
        .join(Programme, Programme.id == GroupMapping.programme_id, isouter=True)
        .order_by(GroupMapping.group_name, GroupMapping.role, Programme.code)
    ).all()
    for mapping, code in rows:
        found.append(Rule(mapping.group_name, mapping.role, (code,) if code else (), mapping.id))
    return found


def grant_for(*, session: Session, settings: Settings, groups: list[str]) -> Grant | None:
    """What the groups give, or None when nothing (and the default role is none)."""
    member = set(groups)
    known = set(session.exec(select(Programme.code)))
    best: str | None = None
    programmes: set[str] = set()
    for rule in rules(session=session, settings=settings):
        if rule.group not in member:
            continue
        if rule.role == Role.manager:
            codes = {c for c in rule.programmes if c in known}
            if unknown := set(rule.programmes) - known:
                log.warning("group rule %s names unknown programmes %s", rule.group, unknown)
            if not codes:
                continue
            programmes |= codes
        if best is None or ROLE_ORDER.index(rule.role) > ROLE_ORDER.index(best):
            best = rule.role
    if best is not None:
        return Grant(best, tuple(sorted(programmes)) if best == Role.manager else ())
    if settings.oidc_default_role == "viewer":
        return Grant(Role.viewer, default=True)
    return None


def add_mapping(
    *, session: Session, group: str, role: str, programme: str | None, actor: User
) -> GroupMapping:
    """A rule for the administration page's list, audited; the caller commits."""
    group = group.strip()
    errors: dict[str, str] = {}
    programme_id = None
    if role == Role.manager:
        if not programme:
            errors["programme"] = Text(N_("a manager rule names the programme its managers edit"))
        else:
            programme_id = session.exec(
                select(Programme.id).where(Programme.code == programme)
            ).first()
            if programme_id is None:
                errors["programme"] = Text(
                    N_("unknown programme %(value)s; allowed: %(allowed)s"),
                    value=programme,
                    allowed=programme_names(session=session),
                )
    elif programme:
        errors["programme"] = Text(N_("only a manager rule names a programme; leave it empty"))
    if (
        not errors
        and session.exec(
            select(GroupMapping.id).where(
                GroupMapping.group_name == group,
                GroupMapping.role == role,
                GroupMapping.programme_id == programme_id
                if programme_id is not None
                else GroupMapping.programme_id.is_(None),
            )
        ).first()
    ):
        errors["group"] = Text(N_("this rule is already in the list"))
    if errors:
        raise InputError(errors)
    mapping = GroupMapping(group_name=group, role=role, programme_id=programme_id)
    session.add(mapping)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="group_mapping",
        entity_key=group[:120],
        after={"group": group, "role": role, "programme": programme if programme_id else None},
    )
    return mapping


def remove_mapping(*, session: Session, mapping_id: int, actor: User) -> None:
    mapping = session.get(GroupMapping, mapping_id)
    if mapping is None:
        raise NotFound("group rule")
    code = (
        session.exec(select(Programme.code).where(Programme.id == mapping.programme_id)).first()
        if mapping.programme_id
        else None
    )
    session.delete(mapping)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type="group_mapping",
        entity_key=mapping.group_name[:120],
        before={"group": mapping.group_name, "role": mapping.role, "programme": code},
    )
