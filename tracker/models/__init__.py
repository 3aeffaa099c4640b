"""All tables, imported here so that SQLModel.metadata (and Alembic) sees every one."""

from tracker.models._base import NAMING_CONVENTION
from tracker.models.accounts import (
    ApiToken,
    InviteToken,
    LoginFailure,
    Role,
    User,
    UserProgramme,
    UserSession,
)
from tracker.models.audit import AuditEvent
from tracker.models.coverage import CoverageCell
from tracker.models.digests import CoverageSnapshot, OutboxMessage, Subscription
from tracker.models.framework import SDG, Framework, Goal, GoalSDG, Objective, Theme, ThemeStatement
from tracker.models.imports import ImportJob
from tracker.models.portfolio import (
    ObjectiveTag,
    Project,
    ProjectKind,
    ProjectLocation,
    ProjectSDGTag,
    ProjectStatus,
    Significance,
    Target,
    ThemeTag,
)
from tracker.models.reference import CacheState, Country, Currency, Programme, Region
from tracker.models.suggestions import SuggestionDismissal, SuggestionModel

__all__ = [
    "NAMING_CONVENTION",
    "SDG",
    "ApiToken",
    "AuditEvent",
    "CacheState",
    "Country",
    "CoverageCell",
    "CoverageSnapshot",
    "Currency",
    "Framework",
    "Goal",
    "GoalSDG",
    "ImportJob",
    "InviteToken",
    "LoginFailure",
    "Objective",
    "ObjectiveTag",
    "OutboxMessage",
    "Programme",
    "Project",
    "ProjectKind",
    "ProjectLocation",
    "ProjectSDGTag",
    "ProjectStatus",
    "Region",
    "Role",
    "Significance",
    "Subscription",
    "SuggestionDismissal",
    "SuggestionModel",
    "Target",
    "Theme",
    "ThemeStatement",
    "ThemeTag",
    "User",
    "UserProgramme",
    "UserSession",
]
