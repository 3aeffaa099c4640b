"""Reading the audit trail: filtered lists for administrators, and plain-words sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, func, select

from tracker.models import AuditEvent, User
from tracker.models.portfolio import Significance
from tracker.services.reference.languages import language_name

ENTITY_TYPES = {
    "project": "Projects",
    "objective_tag": "Objective tags",
    "theme_tag": "Theme tags",
    "target": "Targets",
    "user": "Users",
    "framework": "Framework",
    "goal": "Goals' SDG links",
    "objective": "Objectives' SDG links",
    "sign_in": "Sign-ins",
    "group_mapping": "Group rules",
    "suggestion": "Suggestions",
}
REFUSALS = {
    "no_sign_in_under_way": "the answer belonged to no sign-in under way in that browser",
    "provider_refused": "the provider did not sign them in",
    "provider_unavailable": "the provider did not answer",
    "unknown_issuer": "the answer came from another provider",
    "wrong_audience": "the token was for another application",
    "wrong_nonce": "the token belonged to another sign-in",
    "expired_token": "the token had expired",
    "bad_signature": "the token was not signed with the provider's keys",
    "bad_token": "the token was not valid",
    "bad_answer": "the provider's answer could not be read",
    "code_refused": "the provider would not exchange the code",
    "no_group": "no group of theirs gives access",
    "account_deactivated": "their account is deactivated",
    "no_email": "the provider sent no email address",
    "email_taken": "another account has their email address",
    "signed_in_twice": "they signed in twice at the same moment",
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def list_events(
    *,
    session: Session,
    entity_type: str | None = None,
    actor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    project_id: int | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    query = select(AuditEvent)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if date_from:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(date_from, time(), UTC))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.occurred_at < end)
    if project_id is not None:
        query = query.where(AuditEvent.project_id == project_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    events = session.exec(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return AuditPage(list(events), total, page, pages)


def actors(*, session: Session) -> list[User]:
    """Everyone who has changed something, for the filter."""
    ids = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return list(session.exec(select(User).where(User.id.in_(ids)).order_by(User.full_name)))


def _significance(value) -> str:
    return Significance.labels.get(value, str(value)).lower()


def _tag_subject(data: dict) -> str:
    return " ".join(str(p) for p in (data.get("code"), data.get("name")) if p)


def _join(items) -> str:
    items = list(items)
    return ", ".join(items) if items else "none"


def describe(event: AuditEvent) -> str:
    """One sentence a programme manager understands, such as
    "Ana Costa tagged 4.2 Cooperation against cybercrime as principal"."""
    who, before, after = event.actor_label, event.before or {}, event.after or {}
    kind, action, key = event.entity_type, event.action, event.entity_key

    if kind in ("objective_tag", "theme_tag"):
        subject = _tag_subject(after or before)
        if kind == "theme_tag":
            subject = f"theme {subject}"
        if action == "tag":
            return f"{who} tagged {subject} as {_significance(after.get('significance'))}"
        if action == "untag":
            return f"{who} removed the tag {subject}"
        changes = []
        if before.get("significance") != after.get("significance"):
            changes.append(
                f"from {_significance(before.get('significance'))} "
                f"to {_significance(after.get('significance'))}"
            )
        if before.get("budget_share") != after.get("budget_share"):
            changes.append(
                f"budget share {before.get('budget_share') or 'none'} → "
                f"{after.get('budget_share') or 'none'}"
            )
        if before.get("rationale") != after.get("rationale"):
            changes.append("its rationale")
        return f"{who} changed the tag {subject}: " + ("; ".join(changes) or "no visible change")

    if kind == "suggestion":
        subject = _tag_subject(after)
        if after.get("kind") == "theme":
            subject = f"theme {subject}"
        if action == "accept":
            how = _significance(after.get("significance"))
            return f"{who} accepted the suggestion {subject} as {how} for {key.split(' ')[0]}"
        return f"{who} dismissed the suggestion {subject} for {key.split(' ')[0]}"

    if kind == "project":
        if action == "create":
            return f"{who} registered project {key} {after.get('title', '')}".rstrip()
        if action == "delete":
            return f"{who} deleted project {key}"
        if action == "screen":
            return f"{who} marked project {key} as screened"
        fields = _join(sorted(after))
        return f"{who} changed {fields} of project {key}"

    if kind == "user":
        if action == "create":
            programmes = after.get("programmes") or []
            scope = f" of {_join(programmes)}" if programmes else ""
            return (
                f"{who} added {after.get('full_name', key)} ({key}) as {after.get('role')}{scope}"
            )
        if action == "link":
            return f"{who} linked {key} to the subject {after.get('subject')} at the provider"
        if action == "set_password":
            return f"{who} set a new password for {key}"
        if action == "end_sessions":
            return f"{who} signed {key} out everywhere ({after.get('sessions_ended', 0)} sessions)"
        if action == "create_token":
            return f'{who} created the API token "{after.get("token")}"'
        if action == "revoke_token":
            return f'{who} revoked the API token "{before.get("token")}"'
        parts = []
        if "role" in after:
            parts.append(f"role from {before.get('role')} to {after['role']}")
        if "programmes" in after:
            parts.append(
                f"programmes from {_join(before.get('programmes', []))} "
                f"to {_join(after['programmes'])}"
            )
        if "full_name" in after:
            parts.append(f"name to {after['full_name']}")
        if "active" in after:
            parts.append("deactivated the account" if not after["active"] else "reactivated it")
        return f"{who} changed {key}: " + "; ".join(parts)

    if kind == "sign_in":
        if action == "refuse":
            reason = REFUSALS.get(after.get("reason"), after.get("reason"))
            return f"Sign-in of {who} refused: {reason}"
        method = after.get("with", "password")
        if method == "password":
            extra = " (break-glass)" if after.get("break_glass") else ""
            return f"{who} signed in with a password{extra}"
        return f"{who} signed in with {method} as {after.get('role')}"

    if kind == "group_mapping":
        data = after or before
        grant = data.get("role")
        if data.get("programme"):
            grant = f"{grant} of {data['programme']}"
        if action == "delete":
            return f"{who} removed the rule giving group {key} the role {grant}"
        return f"{who} let group {key} sign in as {grant}"

    if kind == "target":
        if action == "delete":
            return f"{who} removed the target for {key}"
        return f"{who} set the target for {key}"

    if kind in ("goal", "objective"):
        if "proposed" in after:
            return f"{who} confirmed the link of {kind} {key} to {after.get('sdg_link')}"
        old, new = set(before.get("sdg_links") or []), set(after.get("sdg_links") or [])
        parts = [f"linked it to {link}" for link in sorted(new - old)]
        parts += [f"removed its link to {link}" for link in sorted(old - new)]
        return f"{who} changed the SDG links of {kind} {key}: " + "; ".join(parts or ["no change"])

    if kind == "framework" and action == "translate":
        return _translation_sentence(who, key, before, after)

    if kind == "framework":
        items = {k for k in (*before, *after) if k != "active"}
        removed = sum(1 for k in items if before.get(k) == {"removed": True})
        added = sum(1 for k in items if k in after and k not in before)
        parts = [
            f"{n} {label}"
            for n, label in (
                (added, "added"),
                (len(items) - added - removed, "changed"),
                (removed, "removed"),
            )
            if n
        ]
        if after.get("active"):
            parts.append("made active")
        return f"{who} loaded framework {key}: " + ", ".join(parts or ["no change"])

    return f"{who} {action} {kind} {key}"


def _translation_sentence(who: str, key: str, before: dict, after: dict) -> str:
    """Sam Okafor loaded the French translation of framework GPG-2023 (unofficial working
    translation): 85 items added."""
    (language, provenance), *_ = (after.get("translation") or {"": {}}).items()
    kind = "official" if provenance.get("official") else "unofficial working translation"
    items = [k for k in after if k != "translation"]
    added = sum(1 for k in items if k not in before)
    parts = [
        f"{n} item{'' if n == 1 else 's'} {verb}"
        for n, verb in ((added, "added"), (len(items) - added, "changed"))
        if n
    ]
    named = language_name(language) or language
    done = ", ".join(parts or ["its description changed"])
    return f"{who} loaded the {named} translation of framework {key} ({kind}): {done}"


def changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field, before, after) for each top-level field the event touched, as short text."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for field in dict.fromkeys([*before, *after]):
        rows.append((field, _short(before.get(field)), _short(after.get(field))))
    return rows


def _short(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value) or "none"
    return str(value)
