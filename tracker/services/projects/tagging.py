"""Tagging a project against objectives and themes, and marking it screened.

Each change checks the project's version (compare-and-set), keeps the budget shares of one
project at 100 or less, and writes an audit event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from tracker.formats import Text
from tracker.locales import N_
from tracker.models import Objective, ObjectiveTag, Project, Significance, Theme, ThemeTag
from tracker.models._base import utcnow
from tracker.services.accounts.permissions import Principal
from tracker.services.audit.record import record_project, record_tag, tag_state
from tracker.services.coverage.filters import active_framework_id
from tracker.services.errors import InputError, NotAllowed, NotFound
from tracker.services.projects.edit import _decimal, bump_version, plain

SIGNIFICANCE = {"principal": Significance.principal, "significant": Significance.significant}
MAX_RATIONALE = 2000


@dataclass(frozen=True)
class TagChange:
    kind: str  # "objective" or "theme"
    code: str
    significance: str | int = "principal"
    budget_share: str | Decimal | None = None
    rationale: str = ""


def _model(kind: str):
    return (
        (ObjectiveTag, Objective, ObjectiveTag.objective_id)
        if kind == "objective"
        else (
            ThemeTag,
            Theme,
            ThemeTag.theme_id,
        )
    )


def _item(session: Session, kind: str, code: str):
    _, item_model, _ = _model(kind)
    item = session.exec(
        select(item_model).where(
            item_model.framework_id == active_framework_id(session), item_model.code == code
        )
    ).first()
    return item


def item_name(item) -> str:
    """An objective's short name (or its statement), a theme's name: as tag events show it."""
    return getattr(item, "short_name", None) or getattr(item, "name", None) or item.statement


def _tag_payload(item, tag) -> dict[str, Any]:
    return tag_state(
        code=item.code,
        name=item_name(item),
        significance=tag.significance,
        budget_share=tag.budget_share,
        rationale=tag.rationale,
    )


def _check_editor(principal: Principal, project: Project) -> None:
    if not principal.can_edit_project(project):
        raise NotAllowed(
            Text(
                N_("You cannot change the tags of %(code)s: it is not in your programmes."),
                code=project.code,
            )
        )


def validate_tag(
    session: Session, project: Project, change: TagChange, *, against_stored: bool = True
) -> tuple[Any, int, Decimal | None, str]:
    """Check one tag; with against_stored, its share plus the project's other stored shares."""
    errors: dict[str, str] = {}
    if change.kind not in ("objective", "theme"):
        raise InputError({"kind": Text(N_("must be objective or theme"))})
    item = _item(session, change.kind, (change.code or "").strip())
    if item is None:
        example = "4.2" if change.kind == "objective" else "III"
        objective = change.kind == "objective"
        if change.code:
            message = (
                N_('unknown objective "%(value)s"; use a code of the framework such as %(example)s')
                if objective
                else N_(
                    'unknown theme "%(value)s"; use a code of the framework such as %(example)s'
                )
            )
            errors[change.kind] = Text(message, value=str(change.code)[:20], example=example)
        else:
            errors[change.kind] = Text(
                N_("choose the objective") if objective else N_("choose the theme")
            )
    significance = change.significance
    if isinstance(significance, str):
        significance = SIGNIFICANCE.get(significance.strip().lower(), significance)
        if isinstance(significance, str) and significance.isdigit():
            significance = int(significance)
    if significance not in (1, 2):
        errors["significance"] = Text(N_("must be principal or significant"))
    share = _decimal(change.budget_share, "budget_share", errors, limit=Decimal(100), what="40")
    rationale = (change.rationale or "").strip()
    if len(rationale) > MAX_RATIONALE:
        errors["rationale"] = Text(
            N_("must be at most %(most)s characters (it has %(length)s)"),
            most=MAX_RATIONALE,
            length=len(rationale),
        )
    if against_stored and item is not None and share is not None and "budget_share" not in errors:
        tag_model, _, item_column = _model(change.kind)
        others = sum(
            (
                t.budget_share or 0
                for t in session.exec(
                    select(tag_model).where(
                        tag_model.project_id == project.id, item_column != item.id
                    )
                )
            ),
            Decimal(0),
        )
        if others + share > 100:
            message = (
                N_(
                    "the objective shares of this project would add up to %(total)s%%; "
                    "at most %(left)s%% is left"
                )
                if change.kind == "objective"
                else N_(
                    "the theme shares of this project would add up to %(total)s%%; "
                    "at most %(left)s%% is left"
                )
            )
            errors["budget_share"] = Text(
                message, total=plain(others + share), left=plain(100 - others)
            )
    if errors:
        raise InputError(errors)
    return item, significance, share, rationale


def set_tag(
    *,
    session: Session,
    project: Project,
    change: TagChange,
    expected_version: int | None,
    principal: Principal,
) -> None:
    """Add a tag, or change the significance, share or rationale of an existing one."""
    _check_editor(principal, project)
    item, significance, share, rationale = validate_tag(session, project, change)
    tag_model, _, item_column = _model(change.kind)
    bump_version(session, project, expected_version)
    tag = session.exec(
        select(tag_model).where(tag_model.project_id == project.id, item_column == item.id)
    ).first()
    before = _tag_payload(item, tag) if tag else None
    if tag is None:
        tag = tag_model(
            project_id=project.id, **{item_column.key: item.id}, significance=significance
        )
    tag.significance, tag.budget_share, tag.rationale = significance, share, rationale or None
    tag.tagged_by_id, tag.tagged_at = principal.user.id, utcnow()
    session.add(tag)
    session.flush()
    record_tag(
        session=session,
        actor=principal.user,
        project=project,
        kind=change.kind,
        item_code=item.code,
        before=before,
        after=_tag_payload(item, tag),
    )


def remove_tag(
    *,
    session: Session,
    project: Project,
    kind: str,
    code: str,
    expected_version: int | None,
    principal: Principal,
) -> None:
    _check_editor(principal, project)
    if kind not in ("objective", "theme"):
        raise InputError({"kind": "must be objective or theme"})
    item = _item(session, kind, code)
    tag_model, _, item_column = _model(kind)
    tag = None
    if item is not None:
        tag = session.exec(
            select(tag_model).where(tag_model.project_id == project.id, item_column == item.id)
        ).first()
    if tag is None:
        raise NotFound(f"{kind} tag {code} on {project.code}")
    bump_version(session, project, expected_version)
    before = _tag_payload(item, tag)
    session.delete(tag)
    record_tag(
        session=session,
        actor=principal.user,
        project=project,
        kind=kind,
        item_code=item.code,
        before=before,
        after=None,
    )


def _fields(change: TagChange) -> tuple:
    return change.code, change.significance, change.budget_share, change.rationale


def replace_tags(
    *,
    session: Session,
    project: Project,
    objectives: list[TagChange],
    themes: list[TagChange],
    expected_version: int | None,
    principal: Principal,
) -> None:
    """Make the project's tags exactly these (the JSON API's PUT), all or nothing."""
    _check_editor(principal, project)
    errors: dict[str, str] = {}
    wanted: dict[str, list[tuple[Any, int, Decimal | None, str]]] = {"objective": [], "theme": []}
    for kind, changes in (("objective", objectives), ("theme", themes)):
        seen: set[str] = set()
        total = Decimal(0)
        for n, change in enumerate(changes):
            try:
                # The shares are checked in the tags as they will be, below: those stored
                # now are about to be replaced, so they count for nothing.
                item, significance, share, rationale = validate_tag(
                    session,
                    project,
                    TagChange(
                        kind,
                        change.code,
                        change.significance,
                        change.budget_share,
                        change.rationale,
                    ),
                    against_stored=False,
                )
            except InputError as exc:
                for field, message in exc.errors.items():
                    errors[f"{kind}s[{n}].{field}"] = message
                continue
            if item.code in seen:
                errors[f"{kind}s[{n}].{kind}"] = f'"{item.code}" is listed twice'
            seen.add(item.code)
            total += share or 0
            wanted[kind].append((item, significance, share, rationale))
        if total > 100:
            errors[f"{kind}s"] = (
                f"budget shares add up to {plain(total)}%; they may add up to at most 100%"
            )
    if errors:
        raise InputError(errors)
    bump_version(session, project, expected_version)
    for kind in ("objective", "theme"):
        tag_model, _, item_column = _model(kind)
        existing = {
            getattr(t, item_column.key): t
            for t in session.exec(select(tag_model).where(tag_model.project_id == project.id))
        }
        items = {}
        for item, significance, share, rationale in wanted[kind]:
            items[item.id] = item
            tag = existing.pop(item.id, None)
            before = _tag_payload(item, tag) if tag else None
            if tag is None:
                tag = tag_model(
                    project_id=project.id, **{item_column.key: item.id}, significance=significance
                )
            tag.significance, tag.budget_share, tag.rationale = (
                significance,
                share,
                rationale or None,
            )
            if before is None or before != _tag_payload(item, tag):
                tag.tagged_by_id, tag.tagged_at = principal.user.id, utcnow()
                session.add(tag)
                session.flush()
                record_tag(
                    session=session,
                    actor=principal.user,
                    project=project,
                    kind=kind,
                    item_code=item.code,
                    before=before,
                    after=_tag_payload(item, tag),
                )
        _, item_model, _ = _model(kind)
        for item_id, tag in existing.items():
            item = session.get(item_model, item_id)
            record_tag(
                session=session,
                actor=principal.user,
                project=project,
                kind=kind,
                item_code=item.code,
                before=_tag_payload(item, tag),
                after=None,
            )
            session.delete(tag)
    session.flush()


def mark_screened(
    *, session: Session, project: Project, expected_version: int | None, principal: Principal
) -> None:
    _check_editor(principal, project)
    bump_version(session, project, expected_version, screened_at=utcnow())
    record_project(
        session=session,
        actor=principal.user,
        project=project,
        action="screen",
        before=None,
        after={"screened_at": project.screened_at},
    )
