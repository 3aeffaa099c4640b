"""A wrong email address on the sign-in and invitation forms is refused beside the field, saying
what is allowed and what is wrong."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from tests.conftest import csrf_of, sign_in
from tracker.models import LoginFailure, User

ALLOWED = "must be an email address such as name@example.org"


@pytest.mark.parametrize(
    ("email", "reason"),
    [("viewer.example.org", "must have an @-sign"), ("viewer@example", "should have a period")],
)
def test_sign_in_names_the_field(client, accounts, engine, email, reason):
    response = sign_in(client, email, password="some password")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    error = page.find(id="email-error").get_text(" ", strip=True)
    assert error.startswith(f"Error: {ALLOWED} (") and reason in error
    assert page.find("input", id="email")["aria-invalid"] == "true"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


def test_an_invitation_to_no_address_is_refused(browser_for, engine):
    admin = browser_for("admin")
    response = admin.post(
        "/admin/users",
        data={
            "email": "rosa.diaz@localhost",
            "full_name": "Rosa Diaz",
            "role": "viewer",
            "csrf_token": csrf_of(admin, "/admin/users"),
        },
    )
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    error = page.find(id="email-error").get_text(" ", strip=True)
    assert error.startswith(f"Error: {ALLOWED} (") and "after the @-sign" in error
    summary = page.find(id="error-summary").get_text(" ", strip=True)
    assert f"Email: {ALLOWED}" in summary
    with Session(engine) as session:
        assert session.exec(select(User).where(User.full_name == "Rosa Diaz")).first() is None
