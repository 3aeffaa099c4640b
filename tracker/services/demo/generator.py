"""Generate a deterministic demo portfolio: the same seed, size and day give the same rows.

The portfolio leaves deliberate gaps so that a new installation shows what the gap reports
look like: the objectives in DEMO_GAP_OBJECTIVES have no project at all, and no project
tagged to the environmental goal (GPG7) works in Europe.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, func, select

from tracker.models import (
    Country,
    Currency,
    Framework,
    Objective,
    ObjectiveTag,
    Programme,
    Project,
    ProjectKind,
    ProjectLocation,
    ProjectStatus,
    Region,
    Significance,
    Theme,
    ThemeTag,
)
from tracker.services.audit.record import record
from tracker.services.demo.catalogue import CATALOGUE, CODENAMES, CURRENCIES, DONORS, LineOfWork

DEMO_GAP_OBJECTIVES = ("1.4", "3.4", "7.6")
DEMO_GAP_GOAL = "GPG7"
DEMO_GAP_REGION = "EUR"

# Countries where demo projects work, by region: places where such work really happens,
# rather than every territory in ISO 3166.
FOCUS_COUNTRIES = {
    "AFR": "AO BF BJ CD CI CM ET GH KE ML MW MZ NE NG RW SN SO TD TG TZ UG ZA ZM ZW",
    "AME": "AR BO BR CA CL CO CR DO EC GT HN HT JM MX PA PE PY SV TT US UY",
    "ASP": "AU BD FJ ID IN JP KH KR LA LK MM MN MY NP NZ PG PH PK TH VN",
    "EUR": "AL AM AZ BA BG DE ES FR GE GR IT KG KZ MD ME MK PL RO RS TJ TR UA UZ",
    "MENA": "AE DZ EG IQ JO KW LB LY MA OM QA SA TN YE",
}

PROGRAMME_WEIGHTS = (("CT", 22), ("CYB", 24), ("FCAC", 20), ("OEC", 34))
STATUS_WEIGHTS = (
    (ProjectStatus.active, 56),
    (ProjectStatus.pipeline, 12),
    (ProjectStatus.completed, 22),
    (ProjectStatus.suspended, 5),
    (ProjectStatus.cancelled, 5),
)


class DemoDataError(RuntimeError):
    pass


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _split_100(rng: random.Random, parts: int) -> list[Decimal]:
    if parts == 1:
        return [Decimal(100)]
    cuts = sorted(rng.sample(range(10, 91, 5), parts - 1))
    bounds = [0, *cuts, 100]
    return [Decimal(bounds[i + 1] - bounds[i]) for i in range(parts)]


class _Reference:
    def __init__(self, session: Session):
        framework = session.exec(select(Framework).where(Framework.active)).first()
        if framework is None:
            raise DemoDataError("no active framework: run `tracker framework load FILE` first")
        self.objectives = {
            o.code: o
            for o in session.exec(select(Objective).where(Objective.framework_id == framework.id))
        }
        self.themes = {
            t.code: t for t in session.exec(select(Theme).where(Theme.framework_id == framework.id))
        }
        self.programmes = {p.code: p for p in session.exec(select(Programme))}
        self.regions = {r.code: r for r in session.exec(select(Region))}
        countries = {c.code: c for c in session.exec(select(Country))}
        self.countries = {
            region: [countries[code] for code in codes.split()]
            for region, codes in FOCUS_COUNTRIES.items()
        }
        self.currencies = {c.code for c in session.exec(select(Currency))}
        missing = [
            code
            for line in (ln for lines in CATALOGUE.values() for ln in lines)
            for code in (*line.principal, *line.significant)
            if code not in self.objectives
        ]
        missing += [c for c, _ in PROGRAMME_WEIGHTS if c not in self.programmes]
        if missing or not self.regions:
            raise DemoDataError(
                "the demo portfolio needs the Global Policing Goals framework and reference data "
                f"(missing: {', '.join(sorted(set(missing))) or 'regions'}); "
                "run `tracker reference load` and `tracker framework load` first"
            )


def seed_demo_portfolio(
    *, session: Session, projects: int, seed: int, today: date | None = None
) -> int:
    """Add `projects` demo projects; returns how many were added."""
    today = today or date.today()
    ref = _Reference(session)
    rng = random.Random(seed)
    # Numbering goes on from the projects already there, so that codes stay unique.
    start = session.exec(select(func.count()).select_from(Project)).one()
    for index in range(start, start + projects):
        _make_project(session, ref, rng, index, today)
    session.flush()
    return projects


def portfolio_is_empty(*, session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Project)).one() == 0


def _make_project(
    session: Session, ref: _Reference, rng: random.Random, index: int, today: date
) -> None:
    programme_code = _weighted(rng, PROGRAMME_WEIGHTS)
    line: LineOfWork = rng.choice(CATALOGUE[programme_code])
    status = _weighted(rng, STATUS_WEIGHTS)
    start, end = _dates(rng, status, line.operation, today)
    locations, place = _locations(rng, ref, line)
    donor = rng.choice(DONORS)

    budget_amount = budget_currency = None
    if not (line.operation and rng.random() < 0.1):
        low, high = (40, 900) if line.operation else (150, 6000)
        budget_amount = Decimal(rng.randrange(low, high) * 1000)
        budget_currency = _weighted(rng, [c for c in CURRENCIES if c[0] in ref.currencies])

    text = {"place": place, "donor": donor, "codename": rng.choice(CODENAMES)}
    # Registered some weeks before the work starts, and never in the future: work that starts
    # later was registered over the past two months, not all on one day.
    registered = datetime.combine(
        min(
            start - timedelta(days=rng.randint(14, 90)),
            today - timedelta(days=rng.randint(1, 60)),
        ),
        time(9, 0),
        tzinfo=UTC,
    )
    project = Project(
        code=f"{programme_code}-{start.year}-{index + 1:04d}",
        title=line.title.format(**text),
        summary=line.summary.format(**text),
        kind=ProjectKind.operation if line.operation else ProjectKind.capacity_building,
        status=status,
        start_date=start,
        end_date=end,
        budget_amount=budget_amount,
        budget_currency=budget_currency,
        donor=None if line.operation else donor,
        programme_id=ref.programmes[programme_code].id,
        created_at=registered,
        updated_at=registered,
    )
    session.add(project)
    session.flush()
    for location in locations:
        location.project_id = project.id
        session.add(location)

    screening = rng.random()
    tagged_at = min(
        registered + timedelta(days=rng.randint(0, 10), hours=rng.randint(0, 7)),
        datetime.combine(today, time(8, 0), tzinfo=UTC),
    )
    if screening >= 0.13:
        _tag(session, ref, rng, project, line, tagged_at)
    if screening >= 0.09:
        # 9% are unscreened; the next 4% were screened and found not aligned (no tags).
        project.screened_at = tagged_at if screening < 0.13 or rng.random() < 0.9 else None
    record(
        session=session,
        actor=None,
        action="create",
        entity_type="project",
        entity_key=project.code,
        project_id=project.id,
        after={"code": project.code, "title": project.title, "status": project.status},
        actor_label="Demo data",
        occurred_at=registered,
    )


def _dates(rng: random.Random, status: str, operation: bool, today: date) -> tuple[date, date]:
    length = timedelta(days=rng.randint(45, 300) if operation else rng.randint(365, 1460))
    if status == ProjectStatus.pipeline:
        start = today + timedelta(days=rng.randint(30, 300))
    elif status == ProjectStatus.completed:
        end = today - timedelta(days=rng.randint(10, 1000))
        return end - length, end
    elif status in (ProjectStatus.active, ProjectStatus.suspended):
        # Some active work ends within 90 days: that is what "coverage at risk" looks for.
        remaining = rng.randint(5, 89) if rng.random() < 0.12 else rng.randint(90, 1100)
        end = today + timedelta(days=remaining)
        elapsed = timedelta(days=rng.randint(20, 700))
        return min(end - timedelta(days=30), today - elapsed), end
    else:
        start = today + timedelta(days=rng.randint(-400, 200))
    return start, start + length


def _locations(
    rng: random.Random, ref: _Reference, line: LineOfWork
) -> tuple[list[ProjectLocation], str]:
    regions = sorted(ref.regions)
    if any(code.startswith("7.") for code in (*line.principal, *line.significant)):
        regions = [r for r in regions if r != DEMO_GAP_REGION]
    shape = rng.random()
    if shape < 0.06:
        return [], "member countries worldwide"
    if shape < 0.2:
        chosen = rng.sample(regions, 1 if rng.random() < 0.7 else 2)
        names = [ref.regions[c].name for c in chosen]
        shares = _split_100(rng, len(chosen)) if len(chosen) > 1 and rng.random() < 0.5 else None
        return [
            ProjectLocation(region_id=ref.regions[c].id, percentage=shares[i] if shares else None)
            for i, c in enumerate(chosen)
        ], _join_names(names)
    home = rng.choice(regions)
    count = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
    countries = rng.sample(ref.countries[home], count)
    if count > 1 and rng.random() < 0.2:
        other = rng.choice([r for r in regions if r != home])
        countries[-1] = rng.choice(ref.countries[other])
    shares = _split_100(rng, count) if count > 1 and rng.random() < 0.5 else None
    locations = [
        ProjectLocation(country_id=c.id, percentage=shares[i] if shares else None)
        for i, c in enumerate(countries)
    ]
    place = _join_names([c.name for c in countries]) if count <= 2 else ref.regions[home].name
    return locations, place


def _tag(
    session: Session,
    ref: _Reference,
    rng: random.Random,
    project: Project,
    line: LineOfWork,
    tagged_at: datetime,
) -> None:
    significant = rng.sample(line.significant, rng.randint(1, len(line.significant)))
    share = Decimal(rng.choice((50, 60, 70, 80))) if rng.random() < 0.3 else None
    for code in line.principal:
        objective = ref.objectives[code]
        session.add(
            ObjectiveTag(
                project_id=project.id,
                objective_id=objective.id,
                significance=Significance.principal,
                budget_share=share,
                rationale=f"The project exists to deliver {code}: {objective.short_name}.",
                tagged_at=tagged_at,
            )
        )
    for code in sorted(significant):
        objective = ref.objectives[code]
        session.add(
            ObjectiveTag(
                project_id=project.id,
                objective_id=objective.id,
                significance=Significance.significant,
                rationale=f"Also contributes to {code}: {objective.short_name}.",
                tagged_at=tagged_at,
            )
        )
    for code in sorted(rng.sample(line.themes, rng.randint(1, len(line.themes)))):
        session.add(
            ThemeTag(
                project_id=project.id,
                theme_id=ref.themes[code].id,
                significance=Significance.principal
                if rng.random() < 0.25
                else Significance.significant,
                tagged_at=tagged_at,
            )
        )
