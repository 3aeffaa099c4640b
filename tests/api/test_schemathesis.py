"""Schemathesis over /openapi.json against the app served by uvicorn: every check, every phase
(examples, coverage, fuzzing and the stateful phase over the links it infers), as an
administrator and as a viewer. It must find nothing. `make fuzz` runs it longer, on SQLite and
PostgreSQL (TRACKER_FUZZ_DEEP=1); the everyday run is on SQLite, where it costs less, since
the API's SQL lives in the services, whose tests run on both.

The schema says what each field allows; some rules it cannot say (a code must name a stored
programme, dates in order, percentages adding up to 100). Cases Schemathesis means to be valid
are made to keep those rules by `_keep_the_rules`, so that "valid data is accepted" is tested
on data that is valid, and everything else Schemathesis sends is sent as it made it.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from schemathesis.engine import events, from_schema
from sqlmodel import select

from tests.api.serving import as_served
from tests.conftest import serving
from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.models import Country, Currency, Goal, Objective, Programme, Region, Theme
from tracker.services.accounts import users
from tracker.services.accounts.tokens import create_api_token

DEEP = os.environ.get("TRACKER_FUZZ_DEEP", "") == "1"
# Examples per operation and phase, by role: the viewer's writes are all refused alike.
MAX_EXAMPLES = {"admin": 40, "viewer": 15} if DEEP else {"admin": 5, "viewer": 3}
# Seconds for one run (one role): a bound, not a target. Without a time limit Schemathesis
# runs the fuzzing and stateful phases once each.
MAX_SECONDS = 600 if DEEP else 150


@dataclass(frozen=True)
class Stored:
    """The codes a valid request may name, as stored in the test database."""

    programmes: list[str]
    regions: list[str]
    countries: list[str]
    currencies: list[str]
    goals: list[str]
    objectives: list[str]
    themes: list[str]


@pytest.fixture
def loaded(framework, accounts) -> tuple[dict[str, str], Stored]:
    """The framework, a portfolio of eight projects, API tokens of an administrator and a
    viewer, and the codes a valid request may name."""
    with session_scope(framework) as session:
        portfolio.build(session)
        tokens = {}
        for who in ("admin", "viewer"):
            user = users.get_user(session=session, user_id=accounts[who].id)
            tokens[who] = create_api_token(session=session, user=user, name="schemathesis")[1]
        stored = Stored(
            *(
                sorted(session.exec(select(column)))
                for column in (
                    Programme.code,
                    Region.code,
                    Country.code,
                    Currency.code,
                    Goal.code,
                    Objective.code,
                    Theme.code,
                )
            )
        )
    return tokens, stored


class RuleKeeper:
    """Makes a case Schemathesis means to be valid keep the rules the schema cannot say: codes
    name stored rows, dates come in order, percentages add up, codes are not taken twice."""

    def __init__(self, stored: Stored):
        self.stored = stored
        self.serial = itertools.count(1)

    def __call__(self, context, case):
        meta = case.meta
        if meta is not None and not meta.generation.mode.is_positive:
            return case
        return self.keep(case)

    def examples(self, context, examples) -> None:
        """The schema's own examples are valid: they keep the rules too (one project code
        serves as the example of every call, so each gets its own)."""
        for case in examples:
            self.keep(case)

    def keep(self, case):
        path = case.operation.path
        if isinstance(case.query, dict) and case.query:
            self._query(path, case.query)
        if isinstance(case.body, dict):
            if path in ("/api/v1/projects", "/api/v1/projects/{code}"):
                self._project(case.body)
            elif path == "/api/v1/projects/{code}/tags":
                self._tags(case.body)
            elif path == "/api/v1/targets":
                self._target(case.body)
        return case

    @staticmethod
    def _pick(choices: list[str], value) -> str:
        return choices[len(str(value)) % len(choices)]

    def _query(self, path: str, query: dict) -> None:
        s = self.stored
        if "programme" in query:
            values = (
                query["programme"] if isinstance(query["programme"], list) else [query["programme"]]
            )
            query["programme"] = [self._pick(s.programmes, v) for v in values]
        if query.get("region") is not None:
            query["region"] = self._pick(s.regions, query["region"])
        for name, choices in (("goal", s.goals), ("objective", s.objectives), ("theme", s.themes)):
            if query.get(name) is not None:
                query[name] = self._pick(choices, query[name])
        if query.get("located") is not None:
            places = ["global", "whole-region", "elsewhere", *s.regions, *s.countries[:20]]
            query["located"] = self._pick(places, query["located"])
        if (
            query.get("located") in ("whole-region", "elsewhere")
            or query.get("cols") == "countries"
        ):
            query["region"] = query.get("region") or s.regions[0]
        if query.get("rows") == "themes" and query.get("cols") == "themes":
            query["cols"] = "regions"
        start, end = query.get("from"), query.get("to")
        if start is not None and end is not None and str(start) > str(end):
            query["from"], query["to"] = end, start
        # Coverage as of a day, or compared with one, asks about a day that has been.
        today = date.today().isoformat()
        for name in ("as_of", "compare"):
            if query.get(name) is not None and str(query[name]) > today:
                query[name] = today

    def _project(self, body: dict) -> None:
        s = self.stored
        if isinstance(body.get("code"), str):
            body["code"] = f"{body['code'][:30]}-{next(self.serial)}"
        if isinstance(body.get("programme"), str):
            body["programme"] = self._pick(s.programmes, body["programme"])
        if body.get("budget_currency") is not None or body.get("budget_amount") is not None:
            body["budget_currency"] = self._pick(s.currencies, body.get("budget_currency"))
        body["manager"] = None
        start, end = body.get("start_date"), body.get("end_date")
        if start is not None and end is not None and start > end:
            body["start_date"], body["end_date"] = end, start
        places = body.get("locations")
        if isinstance(places, list) and places:
            places[:] = places[:6]
            codes = [*s.regions, *s.countries]
            offset = len(str(places))
            shares = any(p.get("percentage") is not None for p in places)
            for n, place in enumerate(places):
                place["place"] = codes[(offset + n) % len(codes)]
                place["percentage"] = None
            if shares:
                split = [100 // len(places)] * len(places)
                split[0] += 100 - sum(split)
                for place, share in zip(places, split, strict=True):
                    place["percentage"] = share

    def _tags(self, body: dict) -> None:
        for kind, codes in (("objectives", self.stored.objectives), ("themes", self.stored.themes)):
            tags = body.get(kind)
            if not isinstance(tags, list):
                continue
            tags[:] = tags[: len(codes)]
            for n, tag in enumerate(tags):
                tag["code"] = codes[n]
                if tag.get("budget_share") is not None:
                    tag["budget_share"] = 100 // len(tags)

    def _target(self, body: dict) -> None:
        s = self.stored
        if isinstance(body.get("code"), str):
            body["code"] = self._pick([*s.goals, *s.objectives], body["code"])
        if body.get("region") is not None:
            body["region"] = self._pick(s.regions, body["region"])
        if body.get("min_active_projects") is None and body.get("min_budget_eur") is None:
            body["min_active_projects"] = 1


@pytest.fixture
def served(engine) -> Iterator[str]:
    with serving(engine, wrap=as_served, log_level="error") as address:
        yield address


def _config(token: str, max_examples: int, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20261128,
            "headers": {"Authorization": f"Bearer {token}"},
            "checks": {"enabled": True},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": coverage},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": 20},
            },
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
            },
            "workers": 1,
        }
    )


def _describe(recorder, case_id: str, check) -> str:
    info = check.failure_info
    interaction = recorder.interactions.get(case_id)
    response = ""
    if interaction is not None and interaction.response is not None:
        body = (interaction.response.content or b"")[:400].decode("utf-8", "replace")
        response = f"\n    -> {interaction.response.status_code} {body}"
    node = recorder.cases.get(case_id)
    phase = node.value.meta.phase.name.value if node and node.value.meta else "?"
    return (
        f"{check.name}: {info.failure.title} ({phase})\n    {info.failure.message}\n"
        f"    {info.code_sample}{response}"
    )


def run_schemathesis(
    base_url: str, token: str, stored: Stored, max_examples: int, *, coverage: bool = True
) -> tuple[list[str], dict]:
    schema = schemathesis.openapi.from_url(
        f"{base_url}/openapi.json", config=_config(token, max_examples, coverage)
    )
    schema = schema.include(path_regex=r"^/api/v1/")
    keeper = RuleKeeper(stored)
    schema.hooks.register_hook_with_name(keeper, "map_case")
    schema.hooks.register_hook_with_name(keeper.examples, "before_add_examples")
    problems: list[str] = []
    stats: dict = {"stop": None, "phases": {}, "scenarios": {}}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            phase = event.phase.value
            stats["scenarios"][phase] = stats["scenarios"].get(phase, 0) + 1
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        problems.append(_describe(event.recorder, case_id, check))
        elif isinstance(event, events.PhaseStarted):
            stats["phases"][event.phase.name.value] = event.timestamp
        elif isinstance(event, events.PhaseFinished):
            name = event.phase.name.value
            stats["phases"][name] = round(event.timestamp - stats["phases"][name], 1)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"error: {getattr(event, 'info', None) or event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            stats["stop"] = event.stop_reason.value
            problems += [f"after run: {f.title}: {f.message}" for f in event.failures]
    return sorted(set(problems)), stats


@pytest.mark.parametrize("who", ["admin", "viewer"])
@pytest.mark.both_backends(only_if=DEEP)
def test_schemathesis_finds_nothing(served, loaded, who):
    tokens, stored = loaded
    started = time.monotonic()
    # The coverage phase sends every boundary value of every parameter, the same whoever
    # asks: the administrator's run sends them all; the viewer's runs the other phases.
    coverage = DEEP or who == "admin"
    problems, stats = run_schemathesis(
        served, tokens[who], stored, MAX_EXAMPLES[who], coverage=coverage
    )
    elapsed = time.monotonic() - started
    if report := os.environ.get("TRACKER_SCHEMATHESIS_REPORT"):
        Path(report).write_text("\n\n".join(problems) + f"\n{stats} {elapsed:.1f}s\n")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
    assert stats["stop"] == "completed", stats
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        if phase != "coverage" or coverage:
            assert stats["scenarios"].get(phase, 0) > 0, (phase, stats)
    assert elapsed < MAX_SECONDS, elapsed


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/projects"),
        ("PUT", "/api/v1/projects/X/tags"),
        ("DELETE", "/api/v1/targets/1"),
    ],
)
def test_a_write_without_credentials_is_asked_for_a_token(client, method, path):
    response = client.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
