"""What a coverage question asks: rows, columns, metric and filters, validated.

Parameters arrive as text (from a URL or the JSON API); every one that is wrong is reported
with its name and what is allowed, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel import Session, select

from tracker.models import Framework, Goal, Objective, Programme, ProjectStatus, Region, Theme
from tracker.services.errors import InputError

ROW_KINDS = {"goals": "Goals", "objectives": "Objectives", "themes": "Themes"}
COLUMN_KINDS = {
    "regions": "Regions",
    "countries": "Countries of a region",
    "programmes": "Programmes",
    "themes": "Themes",
    "years": "Years",
}
METRICS = {
    "projects": "Projects",
    "principal": "Principal projects",
    "budget": "Attributed budget (EUR)",
}
STATUSES = tuple(s.value for s in ProjectStatus)
DEFAULT_STATUSES = ("active",)
FLOORS = {1: "Significant or principal", 2: "Principal only"}


@dataclass(frozen=True)
class CoverageQuery:
    rows: str = "goals"
    columns: str = "regions"
    metric: str = "projects"
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    programme_ids: tuple[int, ...] = ()
    region_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    floor: int = 1
    framework_id: int | None = None
    # Codes as given, for links and the URL.
    programme_codes: tuple[str, ...] = ()
    region_code: str | None = None
    params: dict[str, str | list[str]] = field(default_factory=dict, compare=False)

    def with_view(self, **changes) -> CoverageQuery:
        return replace(self, **changes)

    def url_params(self, **overrides) -> list[tuple[str, str]]:
        """The query as URL parameters, so that any view can be bookmarked and shared."""
        values = {
            "rows": self.rows,
            "cols": self.columns,
            "metric": self.metric,
            "status": list(self.statuses) if self.statuses else ["any"],
            "programme": list(self.programme_codes),
            "region": self.region_code or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "floor": str(self.floor),
        }
        values.update(overrides)
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in ("", None):
                    pairs.append((key, str(item)))
        return pairs


def _one(params: Mapping[str, str | Sequence[str]], name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value).strip()


def _many(params: Mapping[str, str | Sequence[str]], name: str) -> list[str]:
    value = params.get(name, [])
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        out += [part.strip() for part in str(item).split(",") if part.strip()]
    return out


def _choice(errors, params, name, allowed: Mapping[str, str], default: str) -> str:
    value = _one(params, name) or default
    if value not in allowed:
        errors[name] = f'unknown value "{value[:40]}"; allowed: {", ".join(allowed)}'
        return default
    return value


def _date(errors, params, name) -> date | None:
    value = _one(params, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = f'"{value[:40]}" is not a date; use the form 2026-03-12'
        return None


def active_framework_id(session: Session) -> int | None:
    return session.exec(select(Framework.id).where(Framework.active)).first()


def parse_coverage_query(
    *, session: Session, params: Mapping[str, str | Sequence[str]]
) -> CoverageQuery:
    """Validate coverage parameters: rows, cols, metric, status, programme, region, from, to,
    floor. Raises InputError naming every bad parameter and what it allows."""
    errors: dict[str, str] = {}
    rows = _choice(errors, params, "rows", ROW_KINDS, "goals")
    columns = _choice(errors, params, "cols", COLUMN_KINDS, "regions")
    metric = _choice(errors, params, "metric", METRICS, "projects")

    statuses = _many(params, "status")
    if not statuses:
        statuses = list(DEFAULT_STATUSES)
    elif statuses == ["any"]:
        statuses = []
    else:
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            errors["status"] = (
                f'unknown status "{unknown[0][:40]}"; allowed: {", ".join(STATUSES)}, or any'
            )

    programme_codes = _many(params, "programme")
    programmes = dict(session.exec(select(Programme.code, Programme.id)).all())
    unknown = [c for c in programme_codes if c not in programmes]
    if unknown:
        errors["programme"] = (
            f'unknown programme "{unknown[0][:40]}"; allowed: {", ".join(sorted(programmes))}'
        )

    region_code = _one(params, "region") or None
    regions = dict(session.exec(select(Region.code, Region.id)).all())
    if region_code and region_code not in regions:
        errors["region"] = (
            f'unknown region "{region_code[:40]}"; allowed: {", ".join(sorted(regions))}'
        )
    if columns == "countries" and not region_code and "cols" not in errors:
        errors["region"] = "choose a region to show its countries; allowed: " + ", ".join(
            sorted(regions)
        )
    if rows == "themes" and columns == "themes":
        errors["cols"] = (
            "themes are already the rows; choose regions, countries, programmes or years"
        )

    date_from, date_to = _date(errors, params, "from"), _date(errors, params, "to")
    if date_from and date_to and date_from > date_to:
        errors["to"] = f"must not be before from ({date_from.isoformat()})"

    floor_text = _one(params, "floor") or "1"
    floor = 1
    if floor_text not in ("1", "2"):
        errors["floor"] = (
            f'unknown value "{floor_text[:40]}"; '
            "allowed: 1 (significant or principal), 2 (principal only)"
        )
    else:
        floor = int(floor_text)

    if errors:
        raise InputError(errors)
    return CoverageQuery(
        rows=rows,
        columns=columns,
        metric=metric,
        statuses=tuple(statuses),
        programme_ids=tuple(programmes[c] for c in programme_codes),
        region_id=regions.get(region_code) if region_code else None,
        date_from=date_from,
        date_to=date_to,
        floor=floor,
        framework_id=active_framework_id(session),
        programme_codes=tuple(programme_codes),
        region_code=region_code,
        params={k: v for k, v in params.items()},
    )


def framework_codes(session: Session, framework_id: int | None) -> dict[str, dict[str, int]]:
    """Codes of the active framework's goals, objectives and themes, to their ids."""
    if framework_id is None:
        return {"goal": {}, "objective": {}, "theme": {}}
    return {
        "goal": dict(
            session.exec(select(Goal.code, Goal.id).where(Goal.framework_id == framework_id)).all()
        ),
        "objective": dict(
            session.exec(
                select(Objective.code, Objective.id).where(Objective.framework_id == framework_id)
            ).all()
        ),
        "theme": dict(
            session.exec(
                select(Theme.code, Theme.id).where(Theme.framework_id == framework_id)
            ).all()
        ),
    }
