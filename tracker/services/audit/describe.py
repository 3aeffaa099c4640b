"""Reading the audit trail: filtered lists for administrators, and plain-words sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, func, select

from tracker.formats import Text, listed
from tracker.locales import N_, Nn_
from tracker.models import AuditEvent, User
from tracker.said import FrameworkItem
from tracker.services.reference.languages import language_name

ENTITY_TYPES = {
    "project": N_("Projects"),
    "objective_tag": N_("Objective tags"),
    "theme_tag": N_("Theme tags"),
    "target": N_("Targets"),
    "user": N_("Users"),
    "framework": N_("Framework"),
    "goal": N_("Goals' SDG links"),
    "objective": N_("Objectives' SDG links"),
    "sign_in": N_("Sign-ins"),
    "group_mapping": N_("Group rules"),
    "suggestion": N_("Suggestions"),
}
REFUSALS = {
    "no_sign_in_under_way": N_("the answer belonged to no sign-in under way in that browser"),
    "provider_refused": N_("the provider did not sign them in"),
    "provider_unavailable": N_("the provider did not answer"),
    "unknown_issuer": N_("the answer came from another provider"),
    "wrong_audience": N_("the token was for another application"),
    "wrong_nonce": N_("the token belonged to another sign-in"),
    "expired_token": N_("the token had expired"),
    "bad_signature": N_("the token was not signed with the provider's keys"),
    "bad_token": N_("the token was not valid"),
    "bad_answer": N_("the provider's answer could not be read"),
    "code_refused": N_("the provider would not exchange the code"),
    "no_group": N_("no group of theirs gives access"),
    "account_deactivated": N_("their account is deactivated"),
    "no_email": N_("the provider sent no email address"),
    "email_taken": N_("another account has their email address"),
    "signed_in_twice": N_("they signed in twice at the same moment"),
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


SIGNIFICANCES = {1: N_("significant"), 2: N_("principal")}
ROLES = {"admin": N_("admin"), "manager": N_("manager"), "viewer": N_("viewer")}
LANGUAGES = {"fr": N_("French"), "es": N_("Spanish"), "ar": N_("Arabic"), "en": N_("English")}
NONE = N_("none")
# A project's fields as a sentence of the audit trail names them ("changed status, end date").
PROJECT_FIELD_NAMES = {
    "code": N_("code"),
    "title": N_("title"),
    "summary": N_("summary"),
    "kind": N_("kind"),
    "status": N_("status"),
    "start_date": N_("start date"),
    "end_date": N_("end date"),
    "budget_amount": N_("budget"),
    "budget_currency": N_("budget currency"),
    "donor": N_("donor"),
    "programme": N_("programme"),
    "manager_id": N_("manager"),
    "locations": N_("places"),
}


def _significance(value) -> Text | str:
    try:
        return Text(SIGNIFICANCES[int(value)])
    except (KeyError, TypeError, ValueError):
        return str(value)


def _role(value) -> Text | str:
    return Text(ROLES[value]) if value in ROLES else str(value)


def _tag_subject(data: dict, level: str) -> FrameworkItem:
    """What a tag or a suggestion was about: its code and name, named in the reader's
    language where the framework has a translation."""
    return FrameworkItem(level, str(data.get("code") or ""), str(data.get("name") or ""))


def _join(items) -> Text | str:
    items = [str(item) for item in items]
    return ", ".join(items) if items else Text(NONE)


def _or_none(value) -> Text | str:
    return str(value) if value else Text(NONE)


def describe(event: AuditEvent) -> Text | str:
    """One sentence a programme manager understands, such as
    "Ana Costa tagged 4.2 Cooperation against cybercrime as principal", said in the page's
    language where a page shows it."""
    who, before, after = event.actor_label, event.before or {}, event.after or {}
    kind, action, key = event.entity_type, event.action, event.entity_key

    if kind in ("objective_tag", "theme_tag"):
        return _tag_sentence(who, kind == "theme_tag", action, before, after)

    if kind == "suggestion":
        theme = after.get("kind") == "theme"
        subject = _tag_subject(after, "theme" if theme else "objective")
        project = key.split(" ")[0]
        if action == "accept":
            how = _significance(after.get("significance"))
            if theme:
                message = N_(
                    "%(who)s accepted the suggestion theme %(subject)s as %(how)s for %(project)s"
                )
            else:
                message = N_(
                    "%(who)s accepted the suggestion %(subject)s as %(how)s for %(project)s"
                )
            return Text(message, who=who, subject=subject, how=how, project=project)
        if theme:
            message = N_("%(who)s dismissed the suggestion theme %(subject)s for %(project)s")
        else:
            message = N_("%(who)s dismissed the suggestion %(subject)s for %(project)s")
        return Text(message, who=who, subject=subject, project=project)

    if kind == "project":
        if action == "create":
            title = str(after.get("title", "")).strip()
            if title:
                return Text(
                    N_("%(who)s registered project %(code)s %(title)s"),
                    who=who,
                    code=key,
                    title=title,
                )
            return Text(N_("%(who)s registered project %(code)s"), who=who, code=key)
        if action == "delete":
            return Text(N_("%(who)s deleted project %(code)s"), who=who, code=key)
        if action == "screen":
            return Text(N_("%(who)s marked project %(code)s as screened"), who=who, code=key)
        order = list(PROJECT_FIELD_NAMES)
        changed = sorted(after, key=lambda f: (order.index(f) if f in order else len(order), f))
        fields = [Text(PROJECT_FIELD_NAMES[f]) if f in order else f for f in changed]
        return Text(
            N_("%(who)s changed %(fields)s of project %(code)s"),
            who=who,
            fields=listed(fields) if fields else Text(NONE),
            code=key,
        )

    if kind == "user":
        return _user_sentence(who, action, key, before, after)

    if kind == "sign_in":
        if action == "refuse":
            reason = after.get("reason")
            said = Text(REFUSALS[reason]) if reason in REFUSALS else str(reason)
            return Text(N_("Sign-in of %(who)s refused: %(reason)s"), who=who, reason=said)
        method = after.get("with", "password")
        if method == "password":
            if after.get("break_glass"):
                return Text(N_("%(who)s signed in with a password (break-glass)"), who=who)
            return Text(N_("%(who)s signed in with a password"), who=who)
        return Text(
            N_("%(who)s signed in with %(provider)s as %(role)s"),
            who=who,
            provider=str(method),
            role=_role(after.get("role")),
        )

    if kind == "group_mapping":
        data = after or before
        role, programme = _role(data.get("role")), data.get("programme")
        values = {"who": who, "group": key, "role": role}
        if action == "delete":
            if programme:
                message = N_(
                    "%(who)s removed the rule giving group %(group)s the role %(role)s "
                    "of %(programme)s"
                )
                return Text(message, programme=programme, **values)
            return Text(
                N_("%(who)s removed the rule giving group %(group)s the role %(role)s"), **values
            )
        if programme:
            message = N_("%(who)s let group %(group)s sign in as %(role)s of %(programme)s")
            return Text(message, programme=programme, **values)
        return Text(N_("%(who)s let group %(group)s sign in as %(role)s"), **values)

    if kind == "target":
        if action == "delete":
            return Text(N_("%(who)s removed the target for %(scope)s"), who=who, scope=key)
        return Text(N_("%(who)s set the target for %(scope)s"), who=who, scope=key)

    if kind in ("goal", "objective"):
        goal = kind == "goal"
        if "proposed" in after:
            if goal:
                message = N_("%(who)s confirmed the link of goal %(code)s to %(link)s")
            else:
                message = N_("%(who)s confirmed the link of objective %(code)s to %(link)s")
            return Text(message, who=who, code=key, link=str(after.get("sdg_link")))
        old, new = set(before.get("sdg_links") or []), set(after.get("sdg_links") or [])
        parts: list = [Text(N_("linked it to %(link)s"), link=link) for link in sorted(new - old)]
        parts += [Text(N_("removed its link to %(link)s"), link=link) for link in sorted(old - new)]
        if goal:
            message = N_("%(who)s changed the SDG links of goal %(code)s: %(changes)s")
        else:
            message = N_("%(who)s changed the SDG links of objective %(code)s: %(changes)s")
        changes = listed(parts, clauses=True) if parts else Text(N_("no change"))
        return Text(message, who=who, code=key, changes=changes)

    if kind == "framework" and action == "translate":
        return _translation_sentence(who, key, before, after)

    if kind == "framework":
        items = {k for k in (*before, *after) if k != "active"}
        removed = sum(1 for k in items if before.get(k) == {"removed": True})
        added = sum(1 for k in items if k in after and k not in before)
        changed = len(items) - added - removed
        parts = []
        if added:
            parts.append(Text(N_("%(count)s added"), count=added))
        if changed:
            parts.append(Text(N_("%(count)s changed"), count=changed))
        if removed:
            parts.append(Text(N_("%(count)s removed"), count=removed))
        if after.get("active"):
            parts.append(Text(N_("made active")))
        changes = listed(parts) if parts else Text(N_("no change"))
        return Text(
            N_("%(who)s loaded framework %(code)s: %(changes)s"), who=who, code=key, changes=changes
        )

    return f"{who} {action} {kind} {key}"


def _tag_sentence(who: str, theme: bool, action: str, before: dict, after: dict) -> Text:
    subject = _tag_subject(after or before, "theme" if theme else "objective")
    if action == "tag":
        if theme:
            message = N_("%(who)s tagged theme %(subject)s as %(significance)s")
        else:
            message = N_("%(who)s tagged %(subject)s as %(significance)s")
        significance = _significance(after.get("significance"))
        return Text(message, who=who, subject=subject, significance=significance)
    if action == "untag":
        if theme:
            return Text(N_("%(who)s removed the tag theme %(subject)s"), who=who, subject=subject)
        return Text(N_("%(who)s removed the tag %(subject)s"), who=who, subject=subject)
    changes: list = []
    if before.get("significance") != after.get("significance"):
        changes.append(
            Text(
                N_("from %(before)s to %(after)s"),
                before=_significance(before.get("significance")),
                after=_significance(after.get("significance")),
            )
        )
    if before.get("budget_share") != after.get("budget_share"):
        changes.append(
            Text(
                N_("budget share %(before)s → %(after)s"),
                before=_or_none(before.get("budget_share")),
                after=_or_none(after.get("budget_share")),
            )
        )
    if before.get("rationale") != after.get("rationale"):
        changes.append(Text(N_("its rationale")))
    if theme:
        message = N_("%(who)s changed the tag theme %(subject)s: %(changes)s")
    else:
        message = N_("%(who)s changed the tag %(subject)s: %(changes)s")
    said = listed(changes, clauses=True) if changes else Text(N_("no visible change"))
    return Text(message, who=who, subject=subject, changes=said)


def _user_sentence(who: str, action: str, key: str, before: dict, after: dict) -> Text:
    if action == "create":
        programmes = after.get("programmes") or []
        values = {
            "who": who,
            "name": str(after.get("full_name", key)),
            "email": key,
            "role": _role(after.get("role")),
        }
        if programmes:
            message = N_("%(who)s added %(name)s (%(email)s) as %(role)s of %(programmes)s")
            return Text(message, programmes=_join(programmes), **values)
        return Text(N_("%(who)s added %(name)s (%(email)s) as %(role)s"), **values)
    if action == "link":
        return Text(
            N_("%(who)s linked %(user)s to the subject %(subject)s at the provider"),
            who=who,
            user=key,
            subject=str(after.get("subject")),
        )
    if action == "set_password":
        return Text(N_("%(who)s set a new password for %(user)s"), who=who, user=key)
    if action == "end_sessions":
        return Text(
            N_("%(who)s signed %(user)s out everywhere (%(sessions)s sessions)"),
            who=who,
            user=key,
            sessions=str(after.get("sessions_ended", 0)),
        )
    if action == "create_token":
        return Text(
            N_('%(who)s created the API token "%(token)s"'), who=who, token=str(after.get("token"))
        )
    if action == "revoke_token":
        return Text(
            N_('%(who)s revoked the API token "%(token)s"'), who=who, token=str(before.get("token"))
        )
    parts: list = []
    if "role" in after:
        parts.append(
            Text(
                N_("role from %(before)s to %(after)s"),
                before=_role(before.get("role")),
                after=_role(after["role"]),
            )
        )
    if "programmes" in after:
        parts.append(
            Text(
                N_("programmes from %(before)s to %(after)s"),
                before=_join(before.get("programmes", [])),
                after=_join(after["programmes"]),
            )
        )
    if "full_name" in after:
        parts.append(Text(N_("name to %(name)s"), name=str(after["full_name"])))
    if "active" in after:
        if not after["active"]:
            parts.append(Text(N_("deactivated the account")))
        else:
            parts.append(Text(N_("reactivated it")))
    return Text(
        N_("%(who)s changed %(user)s: %(changes)s"),
        who=who,
        user=key,
        changes=listed(parts, clauses=True),
    )


def _translation_sentence(who: str, key: str, before: dict, after: dict) -> Text:
    """Sam Okafor loaded the French translation of framework GPG-2023 (unofficial working
    translation): 85 items added."""
    (language, provenance), *_ = (after.get("translation") or {"": {}}).items()
    if provenance.get("official"):
        kind = Text(N_("official"))
    else:
        kind = Text(N_("unofficial working translation"))
    items = [k for k in after if k != "translation"]
    added = sum(1 for k in items if k not in before)
    parts = []
    if added:
        parts.append(Text.counted(*Nn_("%(num)s item added", "%(num)s items added"), added))
    if len(items) - added:
        changed = len(items) - added
        parts.append(Text.counted(*Nn_("%(num)s item changed", "%(num)s items changed"), changed))
    if language in LANGUAGES:
        named = Text(LANGUAGES[language])
    else:
        named = language_name(language) or language
    done = listed(parts) if parts else Text(N_("its description changed"))
    return Text(
        N_(
            "%(who)s loaded the %(language)s translation of framework %(code)s (%(kind)s): %(done)s"
        ),
        who=who,
        language=named,
        code=key,
        kind=kind,
        done=done,
    )


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
