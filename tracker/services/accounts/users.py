"""Accounts: inviting people, roles and programmes, passwords, deactivation."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, update
from sqlmodel import Session, func, select

from tracker import locales
from tracker.formats import Text
from tracker.inputs import CONTROL, bad_character
from tracker.locales import N_
from tracker.models import ApiToken, InviteToken, Programme, Role, User, UserProgramme, UserSession
from tracker.models._base import utcnow
from tracker.services.accounts.secrets import (
    hash_password,
    new_token,
    password_problem,
    token_digest,
)
from tracker.services.audit.record import record
from tracker.services.errors import InputError, NotFound
from tracker.services.reference.lists import programme_names

ROLES = tuple(r.value for r in Role)
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class UserRow:
    user: User
    programme_codes: tuple[str, ...]
    active_sessions: int


EMAIL_ALLOWED = "must be an email address such as name@example.org"


def normalise_email(email: str) -> str:
    """An address as accounts keep it: its domain in the form email-validator gives (Unicode
    normalised, as people write it), and all of it in lower case. What is not an address is
    only trimmed and lowered, for the checks to refuse."""
    email = email.strip()
    with contextlib.suppress(EmailNotValidError):
        email = validate_email(email, check_deliverability=False).normalized
    return email.lower()


def email_problem(email: str) -> str | None:
    """What is wrong with an email address, in words that say what is allowed; None when it
    is one. Checked by email-validator, without asking DNS whether the domain takes mail."""
    if not email:
        return Text(N_("is required"))
    if bad_character(email, allow_line_breaks=False):
        return Text(CONTROL)
    if len(email) > MAX_EMAIL_LENGTH:
        return Text(N_("must be at most %(most)s characters"), most=MAX_EMAIL_LENGTH)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        return Text(
            N_("must be an email address such as name@example.org (%(reason)s)"),
            reason=f"{reason[:1].lower()}{reason[1:]}",
        )
    return None


def _programme_ids(session: Session, codes: list[str], errors: dict[str, str]) -> list[int]:
    known = dict(session.exec(select(Programme.code, Programme.id)).all())
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["programmes"] = Text(
            N_("unknown programme %(value)s; allowed: %(allowed)s"),
            value=", ".join(unknown),
            allowed=programme_names(session=session),
        )
    return [known[c] for c in codes if c in known]


def _snapshot(session: Session, user: User) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "active": user.active,
        "programmes": sorted(programme_codes(session=session, user_id=user.id)),
    }


def programme_codes(*, session: Session, user_id: int) -> list[str]:
    return list(
        session.exec(
            select(Programme.code)
            .join(UserProgramme, UserProgramme.programme_id == Programme.id)
            .where(UserProgramme.user_id == user_id)
            .order_by(Programme.code)
        )
    )


def _validate(
    session: Session, *, full_name: str, role: str, programmes: list[str], errors: dict[str, str]
) -> list[int]:
    if not full_name.strip():
        errors["full_name"] = Text(N_("is required"))
    elif bad_character(full_name, allow_line_breaks=False):
        errors["full_name"] = Text(CONTROL)
    elif len(full_name) > MAX_NAME_LENGTH:
        errors["full_name"] = Text(N_("must be at most %(most)s characters"), most=MAX_NAME_LENGTH)
    if role not in ROLES:
        errors["role"] = Text(N_("must be one of %(allowed)s"), allowed=", ".join(ROLES))
    ids = _programme_ids(session, programmes, errors)
    if role == Role.manager and not programmes and "programmes" not in errors:
        errors["programmes"] = Text(N_("a manager needs at least one programme to edit"))
    return ids if role == Role.manager else []


def create_user(
    *,
    session: Session,
    email: str,
    full_name: str,
    role: str,
    programmes: list[str],
    actor: User | None,
    password: str | None = None,
    break_glass: bool = False,
) -> User:
    """A new account; a break-glass one is an administrator with a password, who signs in with
    it even when passwords are switched off (TRACKER_LOCAL_PASSWORDS=false)."""
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if problem := email_problem(email):
        errors["email"] = problem
    elif session.exec(select(User).where(User.email == email)).first():
        errors["email"] = Text(N_("an account with this email already exists"))
    programme_ids = _validate(
        session, full_name=full_name, role=role, programmes=programmes, errors=errors
    )
    if password is not None and (problem := password_problem(password)):
        errors["password"] = problem
    if break_glass and role != Role.admin:
        errors["role"] = Text(N_("a break-glass account is an administrator (role admin)"))
    if break_glass and not password:
        errors["password"] = Text(N_("a break-glass account signs in with a password; give one"))
    if errors:
        raise InputError(errors)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password) if password else None,
        break_glass=break_glass,
    )
    session.add(user)
    session.flush()
    for programme_id in programme_ids:
        session.add(UserProgramme(user_id=user.id, programme_id=programme_id))
    session.flush()
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="user",
        entity_key=user.email,
        after=_snapshot(session, user) | ({"break_glass": True} if break_glass else {}),
    )
    return user


def link_to_provider(
    *, session: Session, email: str, issuer: str, subject: str, actor: User | None
) -> User:
    """Make an existing account the one that `subject` at `issuer` signs in to, as an
    administrator decides (the tracker never links an account by its email alone)."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise NotFound(f"account {email}")
    subject = subject.strip()
    if not subject or len(subject) > 255 or bad_character(subject, allow_line_breaks=False):
        raise InputError({"subject": "must be the provider's subject, 1 to 255 characters"})
    other = session.exec(
        select(User).where(
            User.oidc_issuer == issuer, User.oidc_subject == subject, User.id != user.id
        )
    ).first()
    if other is not None:
        raise InputError({"subject": f"already signs in to the account {other.email}"})
    before = {"subject": user.oidc_subject}
    user.oidc_issuer, user.oidc_subject = issuer, subject
    session.add(user)
    record(
        session=session,
        actor=actor,
        action="link",
        entity_type="user",
        entity_key=user.email,
        before=before,
        after={"subject": subject, "issuer": issuer},
    )
    return user


def invite_user(
    *,
    session: Session,
    email: str,
    full_name: str,
    role: str,
    programmes: list[str],
    actor: User | None,
    valid_days: int,
) -> tuple[User, str]:
    """Create an account without a password; the returned token sets it, once."""
    user = create_user(
        session=session,
        email=email,
        full_name=full_name,
        role=role,
        programmes=programmes,
        actor=actor,
    )
    return user, issue_invite(session=session, user=user, valid_days=valid_days)


def issue_invite(*, session: Session, user: User, valid_days: int) -> str:
    token = new_token()
    session.execute(delete(InviteToken).where(InviteToken.user_id == user.id))
    session.add(
        InviteToken(
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=utcnow() + timedelta(days=valid_days),
        )
    )
    session.flush()
    return token


def _looks_like_a_token(token: str) -> bool:
    """Tokens are printable ASCII of a known length; anything else proves nothing and is
    never looked up."""
    return 0 < len(token) <= 128 and token.isascii() and token.isprintable()


def invited_user(*, session: Session, token: str, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    if not _looks_like_a_token(token):
        return None
    invite = session.exec(
        select(InviteToken).where(InviteToken.token_hash == token_digest(token))
    ).first()
    if invite is None or invite.used_at is not None or invite.expires_at < now:
        return None
    user = session.get(User, invite.user_id)
    return user if user and user.active else None


def accept_invite(
    *, session: Session, token: str, password: str, confirm: str, now: datetime | None = None
) -> User:
    """Set the password that an invitation (or a reset) asks for. The link works exactly once:
    it is claimed by one conditional UPDATE whose row count says whether this request was the
    one; of two that arrive together, the other finds it used and changes nothing."""
    now = now or utcnow()
    user = invited_user(session=session, token=token, now=now)
    if user is None:
        raise NotFound("invitation")
    _check_new_password(password, confirm)
    # Hashed before the claim, so that the claimed row stays locked only until the commit.
    password_hash = hash_password(password)
    claimed = session.execute(
        update(InviteToken)
        .where(
            InviteToken.token_hash == token_digest(token),
            InviteToken.user_id == user.id,
            InviteToken.used_at.is_(None),
            InviteToken.expires_at >= now,
        )
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise NotFound("invitation")
    _store_password(session, user, password_hash, actor=user)
    return user


def _check_new_password(password: str, confirm: str) -> None:
    errors = {}
    if problem := password_problem(password):
        errors["password"] = problem
    elif password != confirm:
        errors["confirm"] = Text(N_("does not match the password"))
    if errors:
        raise InputError(errors)


def _end_sign_ins(session: Session, user_id: int, now: datetime | None = None) -> tuple[int, int]:
    """End every way the person is signed in: their sessions, and their API tokens for good
    (revoked, not merely unusable for now, so that nothing comes back with the account).
    Returns (sessions ended, tokens revoked)."""
    ended = session.execute(delete(UserSession).where(UserSession.user_id == user_id)).rowcount
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    ).rowcount
    return ended, revoked


def end_sign_ins(*, session: Session, user_id: int) -> tuple[int, int]:
    """End the person's sessions and revoke their API tokens: (sessions, tokens)."""
    return _end_sign_ins(session, user_id)


def _store_password(
    session: Session, user: User, password_hash: str, *, actor: User | None
) -> None:
    user.password_hash = password_hash
    session.add(user)
    # A new password ends every session and token that the old one opened or made.
    _, revoked = _end_sign_ins(session, user.id)
    record(
        session=session,
        actor=actor,
        action="set_password",
        entity_type="user",
        entity_key=user.email,
        after={"password": "changed", "tokens_revoked": revoked},
    )


def set_password(
    *, session: Session, email: str, password: str, confirm: str, actor: User | None
) -> User:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise NotFound(f"account {email}")
    _check_new_password(password, confirm)
    _store_password(session, user, hash_password(password), actor=actor)
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin, User.active, User.id != user_id)
    ).one()


def update_user(
    *,
    session: Session,
    user_id: int,
    full_name: str,
    role: str,
    programmes: list[str],
    active: bool,
    actor: User | None,
) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("account")
    errors: dict[str, str] = {}
    programme_ids = _validate(
        session, full_name=full_name, role=role, programmes=programmes, errors=errors
    )
    losing_admin = user.role == Role.admin and user.active and (role != Role.admin or not active)
    if losing_admin and _other_active_admins(session, user.id) == 0:
        errors["role" if role != Role.admin else "active"] = Text(
            N_("this is the last active administrator; make someone else an administrator first")
        )
    if errors:
        raise InputError(errors)
    before = _snapshot(session, user)
    reactivated = active and not user.active
    user.full_name, user.role, user.active = full_name.strip(), role, active
    session.execute(delete(UserProgramme).where(UserProgramme.user_id == user.id))
    for programme_id in programme_ids:
        session.add(UserProgramme(user_id=user.id, programme_id=programme_id))
    if not active or reactivated:
        # Deactivation ends every sign-in; an account that comes back starts without tokens
        # (any left from before the deactivation stay revoked).
        _end_sign_ins(session, user.id)
    session.flush()
    after = _snapshot(session, user)
    if after != before:
        changed = [k for k in after if after[k] != before[k]]
        record(
            session=session,
            actor=actor,
            action="update",
            entity_type="user",
            entity_key=user.email,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return user


def end_all_sessions(*, session: Session, user_id: int, actor: User | None) -> int:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("account")
    ended, revoked = _end_sign_ins(session, user_id)
    record(
        session=session,
        actor=actor,
        action="end_sessions",
        entity_type="user",
        entity_key=user.email,
        after={"sessions_ended": ended, "tokens_revoked": revoked},
    )
    return ended


def list_users(*, session: Session, now: datetime | None = None) -> list[UserRow]:
    now = now or utcnow()
    codes: dict[int, list[str]] = {}
    for user_id, code in session.exec(
        select(UserProgramme.user_id, Programme.code)
        .join(Programme, Programme.id == UserProgramme.programme_id)
        .order_by(Programme.code)
    ):
        codes.setdefault(user_id, []).append(code)
    sessions = dict(
        session.exec(
            select(UserSession.user_id, func.count())
            .where(UserSession.expires_at > now)
            .group_by(UserSession.user_id)
        ).all()
    )
    users = session.exec(select(User).order_by(User.active.desc(), User.full_name)).all()
    return [UserRow(u, tuple(codes.get(u.id, ())), sessions.get(u.id, 0)) for u in users]


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("account")
    return user


def all_programmes(*, session: Session) -> list[Programme]:
    return list(session.exec(select(Programme).order_by(Programme.name)))


def checked_language(code: str) -> str:
    """`code` if it is exactly one of the tracker's languages ("en", "fr", "es", "ar"), or a
    refusal naming the field."""
    if locales.known(code) != code:
        raise InputError({"lang": f"must be one of {', '.join(locales.LANGUAGES)}"})
    return code


def set_language(*, session: Session, user: User, code: str) -> None:
    """Keep the language `code` as the one the tracker speaks to `user`, in pages and
    digests."""
    user.language = checked_language(code)
    session.add(user)
