"""Roles from the provider's groups: the rules of the settings and of the administration page,
the highest role winning, a manager's programmes gathered, the default role, and changes to
the rules audited. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.names import PROGRAMMES
from tracker.config import Settings
from tracker.models import AuditEvent, GroupMapping, User
from tracker.services.accounts.oidc import roles
from tracker.services.accounts.oidc.people import identity_from
from tracker.services.errors import InputError, NotFound

SETTINGS_RULES = "tracker-admins=admin; tracker-cyb=manager:CYB; tracker-ghost=manager:NOPE"


def _settings(**more) -> Settings:
    return Settings(
        env="test",
        oidc_issuer="https://login.example.org",
        oidc_client_id="tracker",
        oidc_group_roles=SETTINGS_RULES,
        **more,
    )


@pytest.mark.parametrize(
    ("groups", "role", "programmes"),
    [
        (["tracker-cyb"], "manager", ("CYB",)),
        (["tracker-cyb", "tracker-ct"], "manager", ("CT", "CYB")),
        (["tracker-cyb", "tracker-admins"], "admin", ()),
        (["tracker-staff", "tracker-cyb"], "manager", ("CYB",)),
        (["tracker-staff"], "viewer", ()),
        # A manager rule whose programme does not exist gives nothing.
        (["tracker-ghost"], None, ()),
        (["elsewhere"], None, ()),
        ([], None, ()),
    ],
)
def test_the_highest_role_wins_and_programmes_gather(framework, groups, role, programmes):
    with Session(framework) as session:
        admin = User(email="a@example.org", full_name="A", role="admin")
        session.add(admin)
        session.flush()
        roles.add_mapping(
            session=session, group="tracker-ct", role="manager", programme="CT", actor=admin
        )
        roles.add_mapping(
            session=session, group="tracker-staff", role="viewer", programme=None, actor=admin
        )
        grant = roles.grant_for(session=session, settings=_settings(), groups=groups)
        if role is None:
            assert grant is None
        else:
            assert (grant.role, grant.programmes, grant.default) == (role, programmes, False)


def test_the_default_role_makes_a_viewer(framework):
    with Session(framework) as session:
        grant = roles.grant_for(
            session=session, settings=_settings(oidc_default_role="viewer"), groups=["x"]
        )
    assert (grant.role, grant.programmes, grant.default) == ("viewer", (), True)


def test_rules_set_on_the_page_are_audited_and_checked(framework):
    with Session(framework) as session:
        admin = User(email="a@example.org", full_name="Ada Admin", role="admin")
        session.add(admin)
        session.flush()
        mapping = roles.add_mapping(
            session=session, group=" tracker-fcac ", role="manager", programme="FCAC", actor=admin
        )
        with pytest.raises(InputError) as refused:
            roles.add_mapping(
                session=session, group="tracker-fcac", role="manager", programme="FCAC", actor=admin
            )
        assert refused.value.errors == {"group": "this rule is already in the list"}
        with pytest.raises(InputError) as refused:
            roles.add_mapping(
                session=session, group="g", role="manager", programme=None, actor=admin
            )
        assert "names the programme" in refused.value.errors["programme"]
        with pytest.raises(InputError) as refused:
            roles.add_mapping(
                session=session, group="g", role="manager", programme="XX", actor=admin
            )
        assert refused.value.errors["programme"] == f"unknown programme XX; allowed: {PROGRAMMES}"
        with pytest.raises(InputError) as refused:
            roles.add_mapping(session=session, group="g", role="admin", programme="CT", actor=admin)
        assert "only a manager rule names a programme" in refused.value.errors["programme"]

        listed = roles.rules(session=session, settings=_settings())
        assert [(r.group, r.role, r.programmes, r.from_settings) for r in listed] == [
            ("tracker-admins", "admin", (), True),
            ("tracker-cyb", "manager", ("CYB",), True),
            ("tracker-ghost", "manager", ("NOPE",), True),
            ("tracker-fcac", "manager", ("FCAC",), False),
        ]
        roles.remove_mapping(session=session, mapping_id=mapping.id, actor=admin)
        with pytest.raises(NotFound):
            roles.remove_mapping(session=session, mapping_id=mapping.id, actor=admin)
        assert session.exec(select(GroupMapping)).all() == []
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity_type == "group_mapping")
        ).all()
        assert [(e.action, e.entity_key, e.actor_label) for e in events] == [
            ("create", "tracker-fcac", "Ada Admin"),
            ("delete", "tracker-fcac", "Ada Admin"),
        ]
        assert events[0].after == {"group": "tracker-fcac", "role": "manager", "programme": "FCAC"}


@pytest.mark.parametrize(
    ("claims", "claim", "groups"),
    [
        ({"groups": ["a", "b"]}, "groups", ["a", "b"]),
        ({"groups": "a b,c"}, "groups", ["a", "b", "c"]),
        ({"realm_access": {"roles": ["tracker-admins"]}}, "realm_access.roles", ["tracker-admins"]),
        ({"groups": [1, None, "a", "x" * 300]}, "groups", ["a"]),
        ({}, "groups", []),
        ({"groups": {"a": 1}}, "groups", []),
    ],
)
def test_groups_are_read_from_the_configured_claim(claims, claim, groups):
    assert roles.groups_in(claims, claim) == groups


def test_who_the_token_names():
    claims = {
        "iss": "https://login.example.org",
        "sub": "abc",
        "preferred_username": "Pat.Lee@Example.org",
        "given_name": "Pat",
        "family_name": "Lee",
        "groups": ["g"],
        "sid": "s1",
    }
    person = identity_from(claims, _settings())
    assert (person.email, person.name, person.groups, person.session_id) == (
        "pat.lee@example.org",
        "Pat Lee",
        ["g"],
        "s1",
    )
    nameless = identity_from({"iss": "i", "sub": "s", "email": "not an address"}, _settings())
    assert (nameless.email, nameless.name) == ("", "Someone")
