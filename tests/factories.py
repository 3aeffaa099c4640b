"""Rows for tests, with sensible defaults that each test overrides where it matters.

Each factory adds its row, flushes (so that it has its id, and a row the database refuses is
refused at once) and returns it. Lookups (`objective`, `country`, ...) find the rows of the
reference data and the framework, which the `framework` fixture loads.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session, SQLModel, select

from tracker.config import Settings
from tracker.models import (
    AuditEvent,
    Country,
    Currency,
    Goal,
    ImportJob,
    Objective,
    ObjectiveTag,
    OutboxMessage,
    Programme,
    Project,
    ProjectLocation,
    Region,
    Significance,
    Subscription,
    Target,
    Theme,
    ThemeTag,
    User,
    UserProgramme,
)
from tracker.models._base import utcnow
from tracker.services.accounts.permissions import Principal
from tracker.services.accounts.secrets import hash_password

_sequence = itertools.count(1)

# An administrator with no account behind it, for services that take a principal (imports).
ADMIN = Principal(
    user=User(id=None, email="x@localhost", full_name="Importer", role="admin"),
    programme_ids=frozenset(),
    via="session",
)

# The moment the digest tests run at: a Wednesday.
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


def _add(session: Session, row: SQLModel) -> SQLModel:
    session.add(row)
    session.flush()
    return row


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


# Reference data and the framework, as loaded


def programme(session: Session, code: str = "CYB") -> Programme:
    return session.exec(select(Programme).where(Programme.code == code)).one()


def goal(session: Session, code: str) -> Goal:
    return session.exec(select(Goal).where(Goal.code == code)).one()


def objective(session: Session, code: str) -> Objective:
    return session.exec(select(Objective).where(Objective.code == code)).one()


def theme(session: Session, code: str) -> Theme:
    return session.exec(select(Theme).where(Theme.code == code)).one()


def country(session: Session, code: str) -> Country:
    return session.exec(select(Country).where(Country.code == code)).one()


def region(session: Session, code: str) -> Region:
    return session.exec(select(Region).where(Region.code == code)).one()


# The factories below name their arguments after these lookups (objective=, region=, ...).
_goal = goal
_objective = objective
_theme = theme
_country = country
_region = region


def currency(session: Session, code: str, rate: Decimal | str | int, **values) -> Currency:
    """The currency `code` at `rate` (one unit in the reporting currency): the loaded one with
    its rate changed, or a new one."""
    row = session.get(Currency, code)
    if row is None:
        values.setdefault("name", code)
        values.setdefault("as_of", date(2026, 1, 1))
        row = Currency(code=code, rate_to_reporting=Decimal(rate), **values)
    else:
        row.rate_to_reporting = Decimal(rate)
        for name, value in values.items():
            setattr(row, name, value)
    return _add(session, row)


# People


def user(
    session: Session,
    *,
    password: str | None = None,
    programmes: tuple[str, ...] | list[str] = (),
    **values,
) -> User:
    """A viewer, stored as given (no checks, no audit event). With a password it can sign in;
    `programmes` (codes) are those a manager edits."""
    n = next(_sequence)
    values.setdefault("email", f"person{n}@example.org")
    values.setdefault("full_name", f"Person {n}")
    values.setdefault("role", "viewer")
    if password is not None:
        values["password_hash"] = hash_password(password)
    row = _add(session, User(**values))
    for code in programmes:
        session.add(UserProgramme(user_id=row.id, programme_id=programme(session, code).id))
    session.flush()
    return row


_user = user


# The portfolio


def project(session: Session, **values) -> Project:
    """An active project of the Cybercrime programme; needs reference data loaded."""
    n = next(_sequence)
    values.setdefault("code", f"TEST-{n:05d}")
    values.setdefault("title", f"Test project {n}")
    values.setdefault("status", "active")
    values.setdefault("start_date", date(2025, 1, 1))
    values.setdefault("end_date", date(2027, 12, 31))
    values.setdefault("budget_amount", Decimal("100000.00"))
    values.setdefault("budget_currency", "EUR")
    if "programme_id" not in values:
        values["programme_id"] = programme(session).id
    return _add(session, Project(**values))


_project = project


def location(
    session: Session,
    project: Project | None = None,
    country: str | None = None,
    *,
    region: str | None = None,
    percentage=None,
    **values,
) -> ProjectLocation:
    """Where a project (a new one unless given) works: a country or a whole region, by code
    (or by id, as `country_id` or `region_id`), with a percentage if given."""
    project = project or _project(session)
    if country is not None:
        values["country_id"] = _country(session, country).id
    if region is not None:
        values["region_id"] = _region(session, region).id
    return _add(
        session, ProjectLocation(project_id=project.id, percentage=_decimal(percentage), **values)
    )


def objective_tag(
    session: Session,
    project: Project | None = None,
    objective: str = "4.1",
    *,
    significance: int = Significance.principal,
    budget_share=None,
    **values,
) -> ObjectiveTag:
    """A project (a new one unless given) tagged with an objective, by code (or by id, as
    `objective_id`): as principal, with no budget share, unless told otherwise."""
    project = project or _project(session)
    if "objective_id" not in values:
        values["objective_id"] = _objective(session, objective).id
    return _add(
        session,
        ObjectiveTag(
            project_id=project.id,
            significance=significance,
            budget_share=_decimal(budget_share),
            **values,
        ),
    )


def theme_tag(
    session: Session,
    project: Project | None = None,
    theme: str = "I",
    *,
    significance: int = Significance.principal,
    budget_share=None,
    **values,
) -> ThemeTag:
    """A project (a new one unless given) tagged with a cross-cutting theme, by code (or by id,
    as `theme_id`): as principal, with no budget share, unless told otherwise."""
    project = project or _project(session)
    if "theme_id" not in values:
        values["theme_id"] = _theme(session, theme).id
    return _add(
        session,
        ThemeTag(
            project_id=project.id,
            significance=significance,
            budget_share=_decimal(budget_share),
            **values,
        ),
    )


def target(
    session: Session,
    objective: str | None = None,
    *,
    goal: str | None = None,
    region: str | None = None,
    **values,
) -> Target:
    """A minimum for an objective or a goal (by code), everywhere unless a region is given:
    one active project, unless the test sets the minimums itself."""
    if objective is not None:
        values["objective_id"] = _objective(session, objective).id
    if goal is not None:
        values["goal_id"] = _goal(session, goal).id
    if region is not None:
        values["region_id"] = _region(session, region).id
    if "min_budget_eur" not in values:
        values.setdefault("min_active_projects", 1)
    return _add(session, Target(**values))


def audit_event(session: Session, project: Project | None = None, **values) -> AuditEvent:
    """An event in the audit trail, now, by the system: unless told otherwise, the creation of
    the project given."""
    values.setdefault("action", "create")
    values.setdefault("actor_label", "System")
    if project is not None:
        values.setdefault("entity_type", "project")
        values.setdefault("entity_key", project.code)
        values.setdefault("project_id", project.id)
        if (values["action"], values["entity_type"]) == ("create", "project"):
            values.setdefault("after", {"title": project.title})
    values.setdefault("entity_type", "project")
    values.setdefault("entity_key", "TEST")
    return _add(session, AuditEvent(**values))


def project_by_code(session: Session, code: str) -> Project:
    return session.exec(select(Project).where(Project.code == code)).one()


# Digests


def subscription(session: Session, user: User | None = None, **values) -> Subscription:
    """A weekly digest of the whole portfolio, Mondays at 08:00 UTC, for a person (a new viewer
    unless given)."""
    user = user or _user(session)
    return _add(session, Subscription(user_id=user.id, **values))


_subscription = subscription


def outbox_message(
    session: Session, subscription: Subscription | None = None, **values
) -> OutboxMessage:
    """A digest written for a subscription (a new one unless given), to its person, waiting to
    be sent."""
    subscription = subscription or _subscription(session)
    n = next(_sequence)
    values.setdefault("period_start", utcnow())
    values.setdefault("period_end", values["period_start"])
    if "recipient" not in values:
        values["recipient"] = session.get(User, subscription.user_id).email
    values.setdefault("subject", "Weekly digest")
    values.setdefault("message_id", f"<m{n}@example.org>")
    values.setdefault("body_text", "text")
    values.setdefault("body_html", "<p>html</p>")
    return _add(session, OutboxMessage(subscription_id=subscription.id, **values))


def digest_settings(engine, smtp_server, **values) -> Settings:
    """Settings that send digests from the tracker at tracker.example.org to the test SMTP
    server, retrying a refused message after a minute."""
    defaults = {
        "database_url": engine.url.render_as_string(hide_password=False),
        "env": "test",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_server.port,
        "smtp_timeout_seconds": 5,
        "mail_from": "Tracker <digests@tracker.example.org>",
        "base_url": "http://tracker.example.org",
        "outbox_retry_seconds": 60,
    }
    return Settings(**{**defaults, **values})


# Imports


def import_job(session: Session, user: User | None = None, **values) -> ImportJob:
    """A spreadsheet import, checked and found fine, of a person (a new administrator unless
    given). No file is kept for it."""
    user = user or _user(session, role="admin")
    values.setdefault("kind", "spreadsheet")
    values.setdefault("filename", "projects.csv")
    values.setdefault("status", "checked")
    values.setdefault("report", {"problems": [], "creates": [], "updates": []})
    return _add(session, ImportJob(user_id=user.id, **values))
