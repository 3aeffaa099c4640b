"""How fast suggestions are, and how much memory the model takes, at a portfolio's size.

    .venv/bin/python -m bench.suggest_speed --projects 100000 [--database URL]

Loads bench/generate.py's synthetic portfolio (about 4 objective tags and 1.5 theme tags per
project) into a new SQLite database in a temporary folder (or the migrated, empty database
given), gives the projects titles and summaries written from the demo catalogue's lines of
work with their places, donors and operation names (the generator's own text is the same for
every project, which would flatter the model), trains the model as the scheduler does, then
measures what a request does: suggestions for a stored project (read it, its tags and its
dismissals, score, explain, name the similar projects) and for a text, and the projects most
likely to serve an objective.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from bench.generate import generate
from tracker.db import make_engine, session_scope
from tracker.models import Project
from tracker.models import SuggestionModel as StoredModel
from tracker.services import schema
from tracker.services.demo.catalogue import CATALOGUE, CODENAMES, DONORS
from tracker.services.framework.loader import load_framework
from tracker.services.reference.load import load_reference_data
from tracker.services.suggestions import store
from tracker.services.suggestions.model import SuggestionModel
from tracker.services.suggestions.suggest import (
    likely_projects,
    suggestions_for_project,
    suggestions_for_text,
)

HERE = Path(__file__).parent
FRAMEWORK = HERE.parent / "seeds" / "frameworks" / "gpg-2023.yaml"
TARGET_MS = 50
PLACES = (
    "Kenya",
    "Uganda",
    "Ghana",
    "Senegal",
    "Peru",
    "Colombia",
    "Brazil",
    "Mexico",
    "Viet Nam",
    "Indonesia",
    "the Philippines",
    "Pakistan",
    "Jordan",
    "Morocco",
    "Tunisia",
    "Iraq",
    "Moldova",
    "Ukraine",
    "Georgia",
    "Albania",
    "West Africa",
    "the Sahel",
    "Central America",
    "the Western Balkans",
    "Southeast Asia",
    "the Pacific Islands",
    "East Africa",
)


def _texts(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    lines = [line for programme in CATALOGUE.values() for line in programme]
    out = []
    for _ in range(n):
        line = rng.choice(lines)
        other = rng.choice(lines)
        values = {
            "place": " and ".join(rng.sample(PLACES, rng.choice((1, 1, 2)))),
            "donor": rng.choice(DONORS),
            "codename": rng.choice(CODENAMES),
        }
        summary = line.summary.format(**values)
        if rng.random() < 0.3:  # some projects do two things
            summary += " It also " + other.summary.format(**values)[0].lower()
            summary += other.summary.format(**values)[1:]
        out.append((line.title.format(**values)[:200], summary))
    return out


def _portfolio(url: str, projects: int, seed: int) -> None:
    schema.upgrade(database_url=url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference_data(session=session)
        load_framework(session=session, path=FRAMEWORK, activate=True)
    generate(engine=engine, projects=projects, seed=seed, rebuild=False)
    texts = _texts(projects, seed)
    with Session(engine) as session:
        ids = session.execute(select(Project.id).order_by(Project.id)).scalars().all()
        table = Project.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("pid"))
            .values(title=bindparam("t"), summary=bindparam("s")),
            [{"pid": pid, "t": t, "s": s} for pid, (t, s) in zip(ids, texts, strict=False)],
        )
        session.commit()
    engine.dispose()


def _has_projects(url: str) -> bool:
    """A database given that holds projects already (from an earlier run) is used as it is."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.execute(select(Project.id).limit(1)).first() is not None
    except Exception:  # not migrated yet
        return False
    finally:
        engine.dispose()


def _times(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        out.append((time.perf_counter() - began) * 1000)
    return out


def _row(name: str, values: list[float], target: float | None = None) -> dict:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    median = statistics.median(values)
    verdict = ""
    if target is not None:
        verdict = "met" if p95 <= target else f"missed, {p95 / target:.2f}x"
    print(f"| {name} | {median:,.1f} ms | {p95:,.1f} ms | {values[-1]:,.1f} ms | {verdict} |")
    return {"median_ms": median, "p95_ms": p95, "max_ms": values[-1], "target": verdict}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument(
        "--database",
        help="a database: empty (the portfolio is loaded) or loaded by an earlier run "
        "(default: a new SQLite database in a temporary folder)",
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results: dict = {"projects": args.projects}
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'suggest-speed.db'}"
        began = time.perf_counter()
        reused = _has_projects(url)
        if not reused:
            _portfolio(url, args.projects, args.seed)
        results["portfolio_seconds"] = round(time.perf_counter() - began, 1)
        engine = make_engine(url)
        report = store.train_and_store(engine, force=True)
        training_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        with Session(engine) as session:
            data = session.execute(select(StoredModel.data)).scalar_one()
        tracemalloc.start()
        began = time.perf_counter()
        model = SuggestionModel.from_bytes(data)
        load_seconds = time.perf_counter() - began
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del model
        results |= {
            "training_seconds": round(report.seconds, 1),
            "process_peak_mb": round(training_peak / 1e6, 1),
            "stored_mb": round(report.size_bytes / 1e6, 1),
            "loaded_model_mb": round(held / 1e6, 1),
            "load_seconds": round(load_seconds, 2),
            "tagged_projects": report.projects,
        }
        loaded = (
            "the database's projects used as they are"
            if reused
            else f"{args.projects:,} projects loaded in {results['portfolio_seconds']} s"
        )
        print(
            f"{loaded}; model trained "
            f"in {report.seconds:.1f} s (the process peaked at {training_peak / 1e6:.0f} MB), "
            f"{report.size_bytes / 1e6:.1f} MB stored; loaded by a process in "
            f"{load_seconds:.2f} s, holding {held / 1e6:.1f} MB."
        )
        print("\n| measure | median | p95 | max | target 50 ms (p95) |\n|---|---:|---:|---:|---|")
        rng = random.Random(args.seed)
        with Session(engine) as session:
            ids = session.execute(select(Project.id)).scalars().all()
            store.current_model(session)  # loaded once, as a process does on first use
            sample = [rng.choice(ids) for _ in range(args.rounds)]
            projects = iter(sample)

            def one_project():
                project = session.get(Project, next(projects))
                suggestions_for_project(session=session, project=project)

            results["project"] = _row(
                "suggestions for a stored project", _times(one_project, args.rounds), TARGET_MS
            )
            texts = iter(_texts(args.rounds, args.seed + 1))

            def one_text():
                title, summary = next(texts)
                suggestions_for_text(session=session, title=title, summary=summary)

            results["text"] = _row(
                "suggestions for a text (POST /api/v1/suggestions)",
                _times(one_text, args.rounds),
                TARGET_MS,
            )
            codes = iter(rng.choice(["1.4", "3.4", "4.4", "6.6", "7.6"]) for _ in range(50))
            results["likely"] = _row(
                "active projects most likely to serve an objective",
                _times(
                    lambda: likely_projects(session=session, kind="objective", code=next(codes)),
                    50,
                ),
            )
        engine.dispose()
    out = HERE / "results" / f"suggest-speed-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
