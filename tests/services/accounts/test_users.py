"""Email addresses are checked by email-validator (no DNS lookups), for new accounts and for
signing in: a wrong one is refused naming the field and saying what is allowed, and nothing is
stored or counted."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import LoginFailure, User
from tracker.services.accounts import auth, users
from tracker.services.errors import InputError

ALLOWED = "must be an email address such as name@example.org"

BAD_ADDRESSES = [
    ("not-an-email", "must have an @-sign"),
    ("ana@@example.org", "invalid characters"),
    ("ana costa@example.org", "invalid characters before the @-sign"),
    ("ana@example", "should have a period"),
    ("ana@localhost", "should have a period"),
    ("ana@exa_mple.org", "invalid characters"),
    (".ana@example.org", "cannot start with a period"),
    ("ana..costa@example.org", "two periods in a row"),
    ("ana@example.org.", "cannot end with a period"),
    ("ana@example.invalid", "special-use or reserved name"),
    ("ana@[192.0.2.1]", "bracketed IP address"),
]


@pytest.mark.parametrize(("email", "reason"), BAD_ADDRESSES)
def test_a_new_account_needs_a_real_address(framework, email, reason):
    with session_scope(framework) as session, pytest.raises(InputError) as refused:
        users.create_user(
            session=session,
            email=email,
            full_name="Ana Costa",
            role="viewer",
            programmes=[],
            actor=None,
        )
    message = refused.value.errors["email"]
    assert message.startswith(ALLOWED + " (") and reason in message
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Ana.Costa@Example.ORG ", "ana.costa@example.org"),
        ("ana@exämple.org", "ana@exämple.org"),
        ("ana+tracker@example.org", "ana+tracker@example.org"),
    ],
)
def test_a_good_address_is_kept_in_one_form(framework, typed, stored):
    with session_scope(framework) as session:
        users.create_user(
            session=session,
            email=typed,
            full_name="Ana Costa",
            role="viewer",
            programmes=[],
            actor=None,
        )
    with Session(framework) as session:
        assert session.exec(select(User.email)).all() == [stored]


def test_an_address_too_long_says_the_limit(framework):
    with session_scope(framework) as session, pytest.raises(InputError) as refused:
        users.invite_user(
            session=session,
            email="a" * 250 + "@example.org",
            full_name="Ana Costa",
            role="viewer",
            programmes=[],
            actor=None,
            valid_days=7,
        )
    assert refused.value.errors == {"email": "must be at most 254 characters"}


@pytest.mark.parametrize(("email", "reason"), BAD_ADDRESSES[:4])
def test_signing_in_with_what_is_not_an_address_is_refused_and_not_counted(
    accounts, framework, email, reason
):
    settings = Settings(
        database_url=framework.url.render_as_string(hide_password=False), env="test"
    )
    with Session(framework) as session, pytest.raises(InputError) as refused:
        auth.sign_in(
            session=session,
            email=email,
            password="whatever it is",
            client_address="192.0.2.1",
            user_agent=None,
            settings=settings,
        )
    assert refused.value.errors["email"].startswith(ALLOWED)
    assert reason in refused.value.errors["email"]
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


def test_signing_in_reads_the_address_as_accounts_keep_it(accounts, framework):
    settings = Settings(
        database_url=framework.url.render_as_string(hide_password=False), env="test"
    )
    with Session(framework, expire_on_commit=False) as session:
        signed_in = auth.sign_in(
            session=session,
            email=" Viewer@EXAMPLE.org",
            password=accounts["viewer"].password,
            client_address="192.0.2.1",
            user_agent=None,
            settings=settings,
        )
        session.commit()
    assert signed_in.user.email == "viewer@example.org"
