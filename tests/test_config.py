"""Settings: the reporting currency is an ISO 4217 code that Babel knows."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tracker.config import Settings


@pytest.mark.parametrize(("given", "kept"), [("EUR", "EUR"), ("usd", "USD"), (" chf ", "CHF")])
def test_a_reporting_currency_is_kept_as_iso_writes_it(given, kept):
    assert Settings(env="test", reporting_currency=given).reporting_currency == kept


@pytest.mark.parametrize("given", ["XYZ", "EU", "EURO", "€", "US$", "ÉUR", ""])
def test_an_unknown_reporting_currency_is_refused_naming_what_is_allowed(given):
    with pytest.raises(ValidationError) as refused:
        Settings(env="test", reporting_currency=given)
    [error] = refused.value.errors()
    assert error["loc"] == ("reporting_currency",)
    assert "must be a three-letter ISO 4217 code such as EUR or USD" in error["msg"]


def test_the_environment_sets_it(monkeypatch):
    monkeypatch.setenv("TRACKER_REPORTING_CURRENCY", "USD")
    assert Settings(env="test").reporting_currency == "USD"


def test_sign_in_with_a_provider_is_on_when_issuer_and_client_are_set():
    assert not Settings(env="test").oidc_enabled
    settings = Settings(
        env="test",
        oidc_issuer=" https://login.example.org/ ",
        oidc_client_id="tracker",
        oidc_scopes="email  openid",
        oidc_group_roles="tracker-admins=admin;\n/staff/cyb=Manager:cyb, fcac\n\nstaff=viewer;",
    )
    assert settings.oidc_enabled and settings.oidc_issuer == "https://login.example.org/"
    assert settings.oidc_scopes == "email openid"
    assert [(r.group, r.role, r.programmes) for r in settings.oidc_rules] == [
        ("tracker-admins", "admin", ()),
        ("/staff/cyb", "manager", ("CYB", "FCAC")),
        ("staff", "viewer", ()),
    ]


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"oidc_issuer": "https://x"}, None, "set together, or neither"),
        ({"oidc_client_id": "x"}, None, "set together, or neither"),
        ({"local_passwords": False}, None, "TRACKER_LOCAL_PASSWORDS=false needs"),
        ({"oidc_issuer": "login.example.org"}, "oidc_issuer", "must be the provider's address"),
        ({"oidc_scopes": "email profile"}, "oidc_scopes", 'must include "openid"'),
        ({"oidc_group_roles": "admins"}, "oidc_group_roles", '"admins" is not a rule'),
        ({"oidc_group_roles": "a=boss"}, "oidc_group_roles", '"a=boss" is not a rule'),
        ({"oidc_group_roles": "a=manager"}, "oidc_group_roles", "names its programmes"),
        ({"oidc_group_roles": "a=admin:CYB"}, "oidc_group_roles", "only a manager rule"),
        ({"oidc_default_role": "admin"}, "oidc_default_role", "'none' or 'viewer'"),
    ],
)
def test_wrong_sign_in_settings_are_refused_naming_the_setting(given, field, words):
    with pytest.raises(ValidationError) as refused:
        Settings(env="test", **given)
    [error] = refused.value.errors()
    assert error["loc"] == ((field,) if field else ())
    assert words in error["msg"]
