"""The person behind a valid ID token: their account found by their subject at the provider
(never by email alone), created at their first sign-in, its role and programmes set from their
groups at every sign-in, and a session opened. Every sign-in, refusal and change of role is
written to the audit trail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.formats import Text
from tracker.inputs import bad_character
from tracker.locales import N_
from tracker.models import Programme, User, UserProgramme
from tracker.models._base import utcnow
from tracker.services.accounts.oidc.flow import Verified
from tracker.services.accounts.oidc.refusals import SignInRefused
from tracker.services.accounts.oidc.roles import Grant, grant_for, groups_in
from tracker.services.accounts.sessions import open_session, purge_expired
from tracker.services.accounts.users import email_problem, normalise_email, programme_codes
from tracker.services.audit.record import record

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 120
MAX_GROUPS_KEPT = 50  # groups written into a sign-in's audit event


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str
    name: str
    groups: list[str]
    session_id: str | None

    @property
    def who(self) -> dict[str, str]:
        return {"issuer": self.issuer, "subject": self.subject, "email": self.email}


@dataclass(frozen=True)
class ProviderSignedIn:
    user: User
    session_token: str
    next_path: str
    created: bool


def _line(value: Any, limit: int) -> str:
    if not isinstance(value, str) or bad_character(value, allow_line_breaks=False):
        return ""
    return " ".join(value.split())[:limit]


def identity_from(claims: dict[str, Any], settings: Settings) -> Identity:
    email = ""
    for claim in ("email", "preferred_username", "upn"):
        candidate = normalise_email(_line(claims.get(claim), 254))
        if candidate and email_problem(candidate) is None:
            email = candidate
            break
    name = _line(claims.get("name"), MAX_NAME_LENGTH) or _line(
        " ".join(
            p for p in (claims.get("given_name"), claims.get("family_name")) if isinstance(p, str)
        ),
        MAX_NAME_LENGTH,
    )
    sid = claims.get("sid")
    return Identity(
        issuer=claims["iss"],
        subject=claims["sub"],
        email=email,
        name=name or email.partition("@")[0] or "Someone",
        groups=groups_in(claims, settings.oidc_roles_claim),
        session_id=sid if isinstance(sid, str) and 0 < len(sid) <= 255 else None,
    )


def _refuse(settings: Settings, identity: Identity, reason: str, message: str) -> SignInRefused:
    return SignInRefused(reason, message, status=403, who={**identity.who, "name": identity.name})


def _programme_ids(session: Session, codes: tuple[str, ...]) -> list[int]:
    if not codes:
        return []
    return list(session.exec(select(Programme.id).where(Programme.code.in_(codes))))


def _apply_grant(
    session: Session, settings: Settings, user: User, grant: Grant, *, actor_label: str
) -> None:
    """Set the role and programmes the groups give, writing what changed to the audit trail."""
    before = {
        "role": user.role,
        "programmes": programme_codes(session=session, user_id=user.id),
    }
    after = {"role": grant.role, "programmes": sorted(grant.programmes)}
    if before == after:
        return
    user.role = grant.role
    session.add(user)
    session.execute(delete(UserProgramme).where(UserProgramme.user_id == user.id))
    for programme_id in _programme_ids(session, grant.programmes):
        session.add(UserProgramme(user_id=user.id, programme_id=programme_id))
    session.flush()
    changed = [k for k in after if after[k] != before[k]]
    record(
        session=session,
        actor=None,
        actor_label=actor_label,
        action="update",
        entity_type="user",
        entity_key=user.email,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )


def _find_or_create(
    session: Session, settings: Settings, identity: Identity, grant: Grant
) -> tuple[User, bool]:
    label = settings.oidc_button_label
    user = session.exec(
        select(User).where(
            User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject
        )
    ).first()
    if user is not None:
        if not user.active:
            raise _refuse(
                settings,
                identity,
                "account_deactivated",
                Text(
                    N_(
                        "Your account in the tracker has been deactivated. Ask an administrator "
                        "if you need it again."
                    )
                ),
            )
        return user, False
    if not identity.email:
        raise _refuse(
            settings,
            identity,
            "no_email",
            Text(
                N_(
                    "%(provider)s did not tell the tracker your email address, which your account "
                    "needs. Ask whoever looks after the tracker to have the provider send the "
                    "email claim."
                ),
                provider=label,
            ),
        )
    if session.exec(select(User.id).where(User.email == identity.email)).first():
        # Never matched by email alone: the account may belong to someone else.
        raise _refuse(
            settings,
            identity,
            "email_taken",
            Text(
                N_(
                    "The tracker already has an account for %(email)s that does not sign in with "
                    "%(provider)s. Ask an administrator to link it to your organisation account "
                    "(tracker user link); nothing was changed."
                ),
                email=identity.email,
                provider=label,
            ),
        )
    user = User(
        email=identity.email,
        full_name=identity.name,
        role=grant.role,
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # The same person's first sign-in, finished a moment ago in another tab.
        raise _refuse(
            settings,
            identity,
            "signed_in_twice",
            Text(
                N_(
                    "You were signed in from another window at the same moment. Start again "
                    "from the sign-in page."
                )
            ),
        ) from None
    for programme_id in _programme_ids(session, grant.programmes):
        session.add(UserProgramme(user_id=user.id, programme_id=programme_id))
    session.flush()
    record(
        session=session,
        actor=None,
        actor_label=f"First sign-in with {label}"[:200],
        action="create",
        entity_type="user",
        entity_key=user.email,
        after={
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "active": True,
            "programmes": sorted(grant.programmes),
            "subject": identity.subject,
        },
    )
    return user, True


def _keep_details(session: Session, user: User, identity: Identity) -> None:
    """The name and email the provider gives now (an email only when no other account has it)."""
    if identity.name and identity.name != user.full_name:
        user.full_name = identity.name
    if identity.email and identity.email != user.email:
        taken = session.exec(select(User.id).where(User.email == identity.email)).first()
        if taken is None:
            user.email = identity.email
        else:
            log.warning("kept %s: the provider's new email %s is taken", user.email, identity.email)
    session.add(user)


def sign_in_person(
    *,
    session: Session,
    settings: Settings,
    verified: Verified,
    client_address: str,
    user_agent: str | None,
    now: datetime | None = None,
) -> ProviderSignedIn:
    """Find or create the account, set its role from the groups, open a session; the caller
    commits. SignInRefused (nothing written) when the groups give no role, or the account is
    deactivated or cannot be made."""
    now = now or utcnow()
    label = settings.oidc_button_label
    identity = identity_from(verified.claims, settings)
    grant = grant_for(session=session, settings=settings, groups=identity.groups)
    if grant is None:
        raise _refuse(
            settings,
            identity,
            "no_group",
            Text(
                N_(
                    "Your account at %(provider)s is in no group that gives access to the "
                    "tracker. Ask whoever looks after the tracker to add you to one of its "
                    "groups, then sign in again."
                ),
                provider=label,
            ),
        )
    user, created = _find_or_create(session, settings, identity, grant)
    if not created:
        _keep_details(session, user, identity)
        _apply_grant(session, settings, user, grant, actor_label=f"Groups at {label}"[:200])
    purge_expired(session=session, settings=settings, now=now)
    user.last_login_at = now
    session.add(user)
    record(
        session=session,
        actor=user,
        action="sign_in",
        entity_type="sign_in",
        entity_key=user.email,
        after={
            "with": label,
            "role": grant.role,
            "programmes": list(grant.programmes),
            "default_role": grant.default,
            "groups": identity.groups[:MAX_GROUPS_KEPT],
        },
    )
    token = open_session(
        session=session,
        user=user,
        settings=settings,
        client_address=client_address,
        user_agent=user_agent,
        now=now,
        provider_sid=identity.session_id,
        provider_id_token=verified.id_token,
    )
    return ProviderSignedIn(user, token, verified.next_path, created)


def record_refusal(
    *, session: Session, settings: Settings, refusal: SignInRefused, client_address: str
) -> None:
    """A refused sign-in in the audit trail (and the log), with what is known of who it was."""
    who = refusal.who
    log.warning(
        "sign-in with the provider refused (%s) from %s: %s",
        refusal.reason,
        client_address,
        who.get("subject", "no verified subject"),
    )
    record(
        session=session,
        actor=None,
        actor_label=(who.get("name") or f"Someone at {client_address}")[:200],
        action="refuse",
        entity_type="sign_in",
        entity_key=(who.get("email") or who.get("subject") or client_address)[:120],
        after={
            "reason": refusal.reason,
            "with": settings.oidc_button_label,
            "client_address": client_address[:64],
            **{k: v for k, v in who.items() if k in ("issuer", "subject")},
        },
    )
