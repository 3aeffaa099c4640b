"""Demo accounts, so that a new installation can be tried with each role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from tracker.models import Subscription, User
from tracker.services.accounts.secrets import verify_password
from tracker.services.accounts.users import create_user


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    programmes: tuple[str, ...]
    password: str


DEMO_USERS = (
    DemoAccount("admin@example.org", "Sam Okafor", "admin", (), "demo-admin-pass"),
    DemoAccount(
        "manager@example.org", "Ana Costa", "manager", ("CYB", "FCAC"), "demo-manager-pass"
    ),
    DemoAccount("viewer@example.org", "Lee Chen", "viewer", (), "demo-viewer-pass"),
)


def ensure_demo_users(*, session: Session) -> list[DemoAccount]:
    """Create the demo accounts when there are no accounts at all. Returns the demo accounts
    that exist and still sign in with their demo password."""
    if not session.exec(select(func.count()).select_from(User)).one():
        _create(session)
    usable = []
    for account in DEMO_USERS:
        user = session.exec(select(User).where(User.email == account.email)).first()
        if user and user.active and verify_password(account.password, user.password_hash)[0]:
            usable.append(account)
    return usable


def _create(session: Session) -> None:
    for account in DEMO_USERS:
        user = create_user(
            session=session,
            email=account.email,
            full_name=account.full_name,
            role=account.role,
            programmes=list(account.programmes),
            actor=None,
            password=account.password,
        )
        # Everyone starts with the weekly digest: Monday 08:00 in Lyon, where INTERPOL sits.
        session.add(Subscription(user_id=user.id, timezone="Europe/Paris"))
