"""Where coverage reads a project, its tags and its places from: the tables themselves, or
the same columns as they stood on a past day (tracker.services.history.tables)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.models import ObjectiveTag, Project, ProjectLocation, ThemeTag


@dataclass(frozen=True)
class Tables:
    """Where a project, its tags and its places are read from: the tables themselves, or the
    same columns as they stood on a past day (tracker.services.history.tables)."""

    project: Any = Project
    objective_tag: Any = ObjectiveTag
    theme_tag: Any = ThemeTag
    location: Any = ProjectLocation


LIVE = Tables()
