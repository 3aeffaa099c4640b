"""Generate a deterministic demo portfolio: the same seed, size and day give the same rows.

The portfolio leaves deliberate gaps so that a new installation shows what the gap reports
look like: the objectives in DEMO_GAP_OBJECTIVES have no project at all, and no project
tagged to the environmental goal (GPG7) works in Europe.

It also has two years of history, recorded in the audit trail as the tracker itself records
changes, so that `tracker history rebuild` shows coverage moving: the portfolio in use two
years ago was registered then (with its tags), later work is registered some weeks before it
starts (as pipeline, turning active on its start date), projects end, are suspended or
cancelled on their dates, some are screened weeks after registration, some gain a tag later and
some lose one.
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
from tracker.services.audit.record import record, tag_state
from tracker.services.demo.catalogue import CATALOGUE, CODENAMES, CURRENCIES, DONORS, LineOfWork

DEMO_GAP_OBJECTIVES = ("1.4", "3.4", "7.6")
DEMO_GAP_GOAL = "GPG7"
DEMO_GAP_REGION = "EUR"
HISTORY_DAYS = 730  # how far back the demo portfolio's history goes
ACTOR = "Demo data"

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
    # later was registered over the past two months, not all on one day. Work older than the
    # history was registered when the tracker came into use, two years ago, over a month.
    first_day = today - timedelta(days=HISTORY_DAYS)
    imported = start - timedelta(days=90) < first_day
    registered = _at(
        min(
            max(start - timedelta(days=rng.randint(14, 90)), first_day)
            if not imported
            else first_day + timedelta(days=rng.randint(0, 30)),
            today - timedelta(days=rng.randint(1, 60)),
        )
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
    latest = _at(today - timedelta(days=1))
    # Imported work came with its tags; new work is tagged within days of its registration.
    tagged_at = (
        registered
        if imported
        else min(registered + timedelta(days=rng.randint(0, 10), hours=rng.randint(0, 7)), latest)
    )
    status_then = _status_then(status, start, end, registered.date())
    record(
        session=session,
        actor=None,
        action="create",
        entity_type="project",
        entity_key=project.code,
        project_id=project.id,
        after={"code": project.code, "title": project.title, "status": status_then},
        actor_label=ACTOR,
        occurred_at=registered,
    )
    if screening >= 0.13:
        _tag(session, ref, rng, project, line, tagged_at, registered, latest)
    # 9% are unscreened; the next 4% were screened and found not aligned (no tags). Some
    # were screened weeks after they were tagged.
    if screening >= 0.09 and (screening < 0.13 or rng.random() < 0.9):
        later = rng.random() < 0.25 and not imported
        project.screened_at = (
            min(tagged_at + timedelta(days=rng.randint(7, 120)), latest) if later else tagged_at
        )
        if project.screened_at > registered:
            _event(
                session,
                project,
                "screen",
                project.screened_at,
                None,
                {"screened_at": project.screened_at},
            )
    _status_changes(session, rng, project, status_then, registered, latest)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _event(session, project, action, when, before, after, entity_type="project", key=None):
    record(
        session=session,
        actor=None,
        action=action,
        entity_type=entity_type,
        entity_key=key or project.code,
        project_id=project.id,
        before=before,
        after=after,
        actor_label=ACTOR,
        occurred_at=when,
    )


def _status_then(status: str, start: date, end: date, registered: date) -> str:
    """The status a project had when it was registered."""
    if status in (ProjectStatus.pipeline, ProjectStatus.cancelled) or start > registered:
        return ProjectStatus.pipeline
    if status == ProjectStatus.completed and end < registered:
        return ProjectStatus.completed
    return ProjectStatus.active


def _status_changes(
    session: Session,
    rng: random.Random,
    project: Project,
    status: str,
    registered: datetime,
    latest: datetime,
) -> None:
    """From the status at registration to the present one, each change on its day: work
    starts on its start date, ends the day after its end date, and is suspended or cancelled
    on some day since."""
    final = project.status
    steps: list[tuple[datetime, str]] = []
    if status == ProjectStatus.pipeline and final in (
        ProjectStatus.active,
        ProjectStatus.suspended,
        ProjectStatus.completed,
    ):
        steps.append((max(_at(project.start_date), registered), ProjectStatus.active))
    if final == ProjectStatus.completed:
        steps.append((_at(project.end_date + timedelta(days=1)), ProjectStatus.completed))
    elif final in (ProjectStatus.suspended, ProjectStatus.cancelled):
        since = steps[-1][0] if steps else registered
        span = max(1, (latest - since).days)
        steps.append((since + timedelta(days=rng.randint(1, span)), final))
    now = status
    for when, new in steps:
        when = min(max(when, registered + timedelta(hours=1)), latest)
        if new == now:
            continue
        _event(session, project, "update", when, {"status": now}, {"status": new})
        now = new


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
    registered: datetime,
    latest: datetime,
) -> None:
    """The project's tags, added at `tagged_at` (each recorded when after the registration);
    one in ten gains a significant objective later, one in ten had one that was removed."""
    significant = rng.sample(line.significant, rng.randint(1, len(line.significant)))
    spare = sorted(set(line.significant) - set(significant))
    later: dict[str, datetime] = {}
    if spare and rng.random() < 0.3:
        code = rng.choice(spare)
        added = min(tagged_at + timedelta(days=rng.randint(20, 400)), latest)
        if rng.random() < 0.5:
            later[code] = added
            significant.append(code)
        else:
            removed = min(added + timedelta(days=rng.randint(30, 300)), latest)
            state = _objective_state(ref, code, Significance.significant, None)
            key = f"{project.code} {code}"
            _event(session, project, "tag", added, None, state, "objective_tag", key)
            _event(session, project, "untag", removed, state, None, "objective_tag", key)
    share = Decimal(rng.choice((50, 60, 70, 80))) if rng.random() < 0.3 else None
    for code in line.principal:
        objective = ref.objectives[code]
        if tagged_at > registered:
            _event(
                session,
                project,
                "tag",
                tagged_at,
                None,
                _objective_state(ref, code, Significance.principal, share),
                "objective_tag",
                f"{project.code} {code}",
            )
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
        when = later.get(code, tagged_at)
        session.add(
            ObjectiveTag(
                project_id=project.id,
                objective_id=objective.id,
                significance=Significance.significant,
                rationale=f"Also contributes to {code}: {objective.short_name}.",
                tagged_at=when,
            )
        )
        if when > registered:
            _event(
                session,
                project,
                "tag",
                when,
                None,
                _objective_state(ref, code, Significance.significant, None),
                "objective_tag",
                f"{project.code} {code}",
            )
    for code in sorted(rng.sample(line.themes, rng.randint(1, len(line.themes)))):
        significance = Significance.principal if rng.random() < 0.25 else Significance.significant
        session.add(
            ThemeTag(
                project_id=project.id,
                theme_id=ref.themes[code].id,
                significance=significance,
                tagged_at=tagged_at,
            )
        )
        if tagged_at > registered:
            state = tag_state(
                code=code,
                name=ref.themes[code].name,
                significance=int(significance),
                budget_share=None,
                rationale=None,
            )
            key = f"{project.code} {code}"
            _event(session, project, "tag", tagged_at, None, state, "theme_tag", key)


def _objective_state(ref: _Reference, code: str, significance: int, share) -> dict:
    objective = ref.objectives[code]
    return tag_state(
        code=code,
        name=objective.short_name,
        significance=int(significance),
        budget_share=share,
        rationale=None,
    )
