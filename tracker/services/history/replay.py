"""Building coverage over time again from the audit trail and the projects' dates.

Each project is walked back from its present state (or, deleted, from its state when it was
deleted) through its events, newest first, each undone with what it held before: changes of
its fields, places, programme and status, tags added, changed and removed, screening. A tag
or a screening that no event recorded counts from when the tag says it was added
(`tagged_at`) or the project was screened. Before its registration a project counts from its
start date (`state.earlier_spans`). The state at the end of each day becomes a version, and
each version's figures (computed as for the projects themselves) are added on its first day and
taken away after its last.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.models import (
    AuditEvent,
    Country,
    CoverageChange,
    Framework,
    Objective,
    ObjectiveTag,
    Programme,
    Project,
    Region,
    Theme,
    ThemeTag,
)
from tracker.services.coverage.cube.contribute import OWN, members
from tracker.services.coverage.filters import active_framework_id
from tracker.services.coverage.index import store
from tracker.services.history import changes, versions
from tracker.services.history.follow import STALE, fresh_state, set_state
from tracker.services.history.state import State, current_states, earlier_spans
from tracker.services.history.tables import tables_of_versions

log = logging.getLogger(__name__)
KINDS = ("project", "objective_tag", "theme_tag")


@dataclass
class _Codes:
    objectives: dict[str, int]
    themes: dict[str, int]
    programmes: dict[str, int]
    countries: dict[str, int]
    regions: dict[str, int]

    def place(self, label: str):
        code, _, pct = label.partition(" ")
        share = Decimal(pct.rstrip("%")) if pct else None
        if code in self.countries:
            return (self.countries[code], None, share)
        if code in self.regions:
            return (None, self.regions[code], share)
        return None


def _codes(session: Session) -> _Codes:
    fid = active_framework_id(session)
    return _Codes(
        dict(
            session.execute(
                select(Objective.code, Objective.id).where(Objective.framework_id == fid)
            ).all()
        ),
        dict(session.execute(select(Theme.code, Theme.id).where(Theme.framework_id == fid)).all()),
        dict(session.execute(select(Programme.code, Programme.id)).all()),
        dict(session.execute(select(Country.code, Country.id)).all()),
        dict(session.execute(select(Region.code, Region.id)).all()),
    )


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _apply_fields(state: State, values: dict, codes: _Codes) -> State:
    """`state` with the fields an event holds (its `before` or `after`)."""
    changes_: dict = {}
    for name in ("code", "status", "budget_currency"):
        if name in values and values[name] is not None:
            changes_[name] = values[name]
    for name in ("start_date", "end_date"):
        if name in values:
            changes_[name] = _day(values[name])
    if "budget_amount" in values:
        amount = values["budget_amount"]
        changes_["budget_amount"] = Decimal(str(amount)) if amount not in (None, "") else None
    if values.get("programme") in codes.programmes:
        changes_["programme_id"] = codes.programmes[values["programme"]]
    if "locations" in values and isinstance(values["locations"], list):
        places = [codes.place(str(label)) for label in values["locations"]]
        changes_["places"] = tuple(p for p in places if p is not None)
    return replace(state, **changes_)


def _tag(value: dict) -> tuple[int, Decimal | None]:
    share = value.get("budget_share")
    return int(value.get("significance") or 1), Decimal(str(share)) if share else None


def _undo(event: AuditEvent, state: State, codes: _Codes) -> State:
    """The state before `event`, from the state after it."""
    before, after = event.before or {}, event.after or {}
    if event.entity_type == "project":
        if event.action == "screen":
            return replace(state, screened=bool(before.get("screened_at")))
        if event.action == "update":
            return _apply_fields(state, before, codes)
        return state
    kind = "objectives" if event.entity_type == "objective_tag" else "themes"
    known = codes.objectives if kind == "objectives" else codes.themes
    code = (after or before).get("code")
    if code not in known:
        return state
    tags = dict(getattr(state, kind))
    if event.action == "tag":
        tags.pop(known[code], None)
    else:  # untag or retag: as it was before
        tags[known[code]] = _tag(before)
    return replace(state, **{kind: tags})


@dataclass(frozen=True)
class _Moment:
    at: datetime
    order: int
    event: AuditEvent | None = None
    # A change no event recorded: a tag added, or a screening, at this moment.
    tag: tuple[str, int] | None = None
    screened: bool = False


def _timeline(
    pid: int,
    events: list[AuditEvent],
    final: State,
    registered: datetime,
    tagged: dict[tuple[str, int], datetime],
    screened_at: datetime | None,
    codes: _Codes,
) -> list[tuple[date, State]]:
    """(day, state at the end of it) from the registration on, oldest first."""
    evented_tags = {
        (
            "objectives" if e.entity_type == "objective_tag" else "themes",
            (e.after or e.before or {}).get("code"),
        )
        for e in events
        if e.entity_type != "project"
    }
    moments = [_Moment(e.occurred_at, i, e) for i, e in enumerate(events)]
    for (kind, item), when in tagged.items():
        if (kind, item) not in evented_tags and when > registered:
            moments.append(_Moment(when, -1, tag=(kind, item)))
    screened_by_event = any(e.action == "screen" for e in events)
    if screened_at is not None and not screened_by_event and screened_at > registered:
        moments.append(_Moment(screened_at, -1, screened=True))
    moments.sort(key=lambda m: (m.at, m.order))

    state = final
    days: dict[date, State] = {}
    for moment in reversed(moments):
        if moment.at < registered:
            break
        days.setdefault(moment.at.date(), state)
        if moment.event is not None:
            if moment.event.entity_type == "project" and moment.event.action == "create":
                break
            state = _undo(moment.event, state, codes)
        elif moment.tag is not None:
            kind, item = moment.tag
            tags = dict(getattr(state, kind))
            tags.pop(item, None)
            state = replace(state, **{kind: tags})
        elif moment.screened:
            state = replace(state, screened=False)
    days.setdefault(registered.date(), state)
    # The state at the end of each day: the latest moment of the day came first above.
    return sorted(days.items())


def _versions(
    pid: int, timeline: list[tuple[date, State]], ended: date | None
) -> list[tuple[int, State, date, date | None]]:
    first_day, first = timeline[0]
    out = [(pid, first.with_status(s), a, b) for a, b, s in earlier_spans(first, first_day)]
    merged: list[tuple[date, State]] = []
    for day, state in timeline:
        if merged and merged[-1][1].key() == state.key():
            continue
        merged.append((day, state))
    for i, (day, state) in enumerate(merged):
        until = merged[i + 1][0] if i + 1 < len(merged) else ended
        if until is not None and until <= day:
            continue
        out.append((pid, state, day, until))
    return out


def _deleted_state(
    delete_event: AuditEvent, events: list[AuditEvent], codes: _Codes
) -> State | None:
    """A deleted project as it stood when it was deleted: its fields from the event, its tags
    from the tag events before."""
    before = delete_event.before or {}
    programme = codes.programmes.get(before.get("programme"))
    if programme is None or not before.get("status"):
        return None
    state = _apply_fields(
        State(
            before.get("code") or delete_event.entity_key,
            "pipeline",
            programme,
            None,
            None,
            None,
            None,
            False,
        ),
        before,
        codes,
    )
    for event in events:
        if event.entity_type == "project":
            if event.action == "screen":
                state = replace(state, screened=True)
            continue
        kind = "objectives" if event.entity_type == "objective_tag" else "themes"
        known = codes.objectives if kind == "objectives" else codes.themes
        code = (event.after or event.before or {}).get("code")
        if code not in known:
            continue
        tags = dict(getattr(state, kind))
        if event.action == "untag":
            tags.pop(known[code], None)
        else:
            tags[known[code]] = _tag(event.after or {})
        state = replace(state, **{kind: tags})
    return state


def build_versions(session: Session) -> list[tuple[int, State, date, date | None]]:
    """Every project's versions, from the audit trail and the tables."""
    codes = _codes(session)
    names = {
        "objectives": {v: k for k, v in codes.objectives.items()},
        "themes": {v: k for k, v in codes.themes.items()},
    }
    states = current_states(session, None)
    created = dict(session.execute(select(Project.id, Project.created_at)).all())
    screened = dict(
        session.execute(
            select(Project.id, Project.screened_at).where(Project.screened_at.is_not(None))
        ).all()
    )
    tagged: dict[int, dict] = {}
    for model, kind, column in (
        (ObjectiveTag, "objectives", ObjectiveTag.objective_id),
        (ThemeTag, "themes", ThemeTag.theme_id),
    ):
        for pid, item, when in session.execute(select(model.project_id, column, model.tagged_at)):
            code = names[kind].get(item)
            if code is not None:
                tagged.setdefault(pid, {})[(kind, code)] = when
    by_project: dict[int, list[AuditEvent]] = {}
    for event in session.execute(
        select(AuditEvent)
        .where(AuditEvent.project_id.is_not(None), AuditEvent.entity_type.in_(KINDS))
        .order_by(AuditEvent.project_id, AuditEvent.occurred_at, AuditEvent.id)
    ).scalars():
        by_project.setdefault(event.project_id, []).append(event)

    out: list[tuple[int, State, date, date | None]] = []
    for pid in sorted(set(states) | set(by_project)):
        events = by_project.get(pid, [])
        creates = [e for e in events if e.entity_type == "project" and e.action == "create"]
        ended = None
        final = states.get(pid)
        if final is None:
            deletes = [e for e in events if e.entity_type == "project" and e.action == "delete"]
            if not deletes:
                continue
            final = _deleted_state(deletes[-1], events, codes)
            if final is None:
                continue
            ended = deletes[-1].occurred_at.date()
            events = [
                e
                for e in events
                if e.occurred_at <= deletes[-1].occurred_at and e is not deletes[-1]
            ]
            registered = (
                creates[0].occurred_at if creates else events[0].occurred_at if events else None
            )
            if registered is None:
                continue
        else:
            registered = creates[0].occurred_at if creates else created[pid]
        timeline = _timeline(
            pid,
            [e for e in events if e.entity_type != "project" or e.action != "delete"],
            final,
            registered,
            {k: v for k, v in tagged.get(pid, {}).items()},
            screened.get(pid),
            codes,
        )
        out += _versions(pid, timeline, ended)
    return out


def rebuild(engine: Engine) -> int:
    """Build project versions and coverage changes again, in a transaction of their own;
    returns the number of versions."""
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            session.execute(text("SET LOCAL statement_timeout = 0"), execution_options=OWN)
            # Between its statements the rebuild works in Python for minutes at 100,000
            # projects: the transaction is busy, not idle, and must not be ended as idle.
            session.execute(
                text("SET LOCAL idle_in_transaction_session_timeout = 0"), execution_options=OWN
            )
        count = rebuild_in(session)
        session.commit()
    return count


def rebuild_in(session: Session) -> int:
    framework_id = active_framework_id(session)
    versions.drop_all(session)
    session.execute(delete(CoverageChange), execution_options=OWN)
    store.new_epoch(session)  # every process reads the versions and changes again
    if framework_id is None or session.execute(select(Framework.id).limit(1)).first() is None:
        set_state(session, STALE)
        return 0
    found = build_versions(session)
    ids = versions.add_many(session, found)
    session.flush()
    screened = {vid: state.screened for vid, (_, state, _, _) in zip(ids, found, strict=True)}
    projects = {vid: pid for vid, (pid, _, _, _) in zip(ids, found, strict=True)}
    spans = {vid: (a, b) for vid, (_, _, a, b) in zip(ids, found, strict=True)}
    by_day: dict = {}
    for vid, member in members(session, framework_id, None, tables_of_versions()).items():
        start, end = spans[vid]
        for when, sign in ((start, 1), (end, -1)):
            if when is None:
                continue
            amounts: dict = {}
            changes.contribution(member, projects[vid], screened[vid], amounts, sign)
            changes.add_on(by_day, when, amounts)
    changes.append(session, by_day)
    set_state(session, fresh_state(framework_id))
    return len(found)
