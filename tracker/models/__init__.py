"""All tables, imported here so that SQLModel.metadata (and Alembic) sees every one."""

from tracker.models._base import NAMING_CONVENTION
from tracker.models.accounts import (
    ApiToken,
    GroupMapping,
    InviteToken,
    LoginFailure,
    ProviderSignIn,
    Role,
    User,
    UserProgramme,
    UserSession,
)
from tracker.models.audit import AuditEvent
from tracker.models.coverage import CoverageCell, CoverageTouch
from tracker.models.digests import CoverageSnapshot, OutboxMessage, Subscription
from tracker.models.framework import (
    SDG,
    Framework,
    Goal,
    Objective,
    SDGLink,
    SDGTarget,
    Theme,
    ThemeStatement,
)
from tracker.models.history import (
    CoverageChange,
    LocationVersion,
    ObjectiveTagVersion,
    ProjectVersion,
    ThemeTagVersion,
)
from tracker.models.imports import ImportJob
from tracker.models.portfolio import (
    ObjectiveTag,
    Project,
    ProjectKind,
    ProjectLocation,
    ProjectRelatedActivity,
    ProjectSDGTag,
    ProjectSector,
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
    "CoverageChange",
    "CoverageSnapshot",
    "CoverageTouch",
    "Currency",
    "Framework",
    "Goal",
    "GroupMapping",
    "ImportJob",
    "InviteToken",
    "LocationVersion",
    "LoginFailure",
    "Objective",
    "ObjectiveTag",
    "ObjectiveTagVersion",
    "OutboxMessage",
    "Programme",
    "Project",
    "ProjectKind",
    "ProjectLocation",
    "ProjectRelatedActivity",
    "ProjectSDGTag",
    "ProjectSector",
    "ProjectStatus",
    "ProjectVersion",
    "ProviderSignIn",
    "Region",
    "Role",
    "SDGLink",
    "SDGTarget",
    "Significance",
    "Subscription",
    "SuggestionDismissal",
    "SuggestionModel",
    "Target",
    "Theme",
    "ThemeStatement",
    "ThemeTag",
    "ThemeTagVersion",
    "User",
    "UserProgramme",
    "UserSession",
]
