"""Benchmark the tracker on SQLite and PostgreSQL with a synthetic portfolio.

    .venv/bin/python -m bench.run --projects 100000

Prints the median and 95th percentile of each measure with its target and its ratio to the
plain SQL aggregate measured in the same run (and DuckDB's, when installed), and writes the
same as JSON under bench/results/ so that runs can be compared.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import os
import platform
import re
import resource
import socket
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.coverage_views import duckdb_floor, measure_history, measure_views
from bench.generate import generate
from tracker.app import create_app
from tracker.config import Settings
from tracker.db import make_engine, session_scope
from tracker.models import Project, User
from tracker.services import schema
from tracker.services.accounts.permissions import Principal
from tracker.services.accounts.users import create_user
from tracker.services.coverage import cube, parse_coverage_query
from tracker.services.coverage.filters import active_framework_id
from tracker.services.coverage.index.columnar import read_columns, read_versions
from tracker.services.coverage.matrix import _compute, compute_from_tables
from tracker.services.exchange.spreadsheet.columns import COLUMNS, EXAMPLE
from tracker.services.exchange.spreadsheet.read import import_spreadsheet
from tracker.services.framework.loader import load_framework
from tracker.services.history import replay
from tracker.services.projects.tagging import TagChange, remove_tag, set_tag
from tracker.services.reference.load import load_reference_data

ROOT = Path(__file__).resolve().parent.parent
PLAIN_SQL = """
SELECT o.goal_id, COALESCE(l.region_id, c.region_id) AS region, COUNT(DISTINCT t.project_id)
FROM objective_tag t
JOIN objective o ON o.id = t.objective_id
JOIN project p ON p.id = t.project_id
JOIN project_location l ON l.project_id = p.id
LEFT JOIN country c ON c.id = l.country_id
WHERE p.status = 'active'
GROUP BY 1, 2
"""

# What people type into the projects list's search over the synthetic titles (bench/texts.py).
SEARCHES = {
    "one word": "trafficking",
    "two words": "financial+kenya",
    "a word as it is typed": "cyberc",
    "a phrase of a title": "darknet+market+takedowns",
    "a code": "BENCH-0004242",
    "part of a code": "000424",
}


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "n": len(ordered),
    }


def _time(fn, repeat: int, *, timed: bool = False) -> dict:
    """Run fn `repeat` times; with `timed`, fn returns the seconds of the part to count."""
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        part = fn()
        samples.append(part if timed else time.perf_counter() - began)
    return _stats(samples)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database(backend: str, work: Path, name: str = "tracker_bench") -> str:
    if backend == "sqlite":
        path = work / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = os.environ.get(
        "TRACKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    admin = Settings(database_url=admin).database_url
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    # BENCH_DATABASE: another name, so that two runs on one server leave each other alone.
    name = os.environ.get("BENCH_DATABASE", "tracker_bench")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def _server(engine, url: str):
    # BENCH_PORT if given; otherwise a free one: another run (or server) may hold any fixed one.
    port = int(os.environ["BENCH_PORT"]) if os.environ.get("BENCH_PORT") else _free_port()
    app = create_app(Settings(database_url=url, env="test", port=port), engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def _sign_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post(
        "/login",
        data={"email": "bench@example.org", "password": "benchmark password", "csrf_token": token},
    )
    assert response.status_code in (200, 303), response.status_code
    return client


def _csv_rows(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for i in range(n):
        writer.writerow({**EXAMPLE, "code": f"IMPORT-{i:05d}"})
    return out.getvalue().encode()


def run_backend(
    backend: str,
    projects: int,
    repeat: int,
    work: Path,
    *,
    with_import: bool = True,
    database: str = "tracker_bench",
) -> dict:
    url = _database(backend, work, database)
    schema.upgrade(database_url=url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference_data(session=session)
        load_framework(session=session, path=ROOT / "seeds" / "frameworks" / "gpg-2023.yaml")
        create_user(
            session=session,
            email="bench@example.org",
            full_name="Bench",
            role="admin",
            programmes=[],
            actor=None,
            password="benchmark password",
        )
    began = time.perf_counter()
    counts = generate(engine=engine, projects=projects, rebuild=False)
    loaded = time.perf_counter()
    cube.rebuild(engine, with_history=False)
    rebuilt = time.perf_counter()
    replay.rebuild(engine)
    results: dict = {
        "load_s": round(loaded - began, 1),
        "cube_rebuild_s": round(rebuilt - loaded, 1),
        "history_rebuild_s": round(time.perf_counter() - rebuilt, 1),
        "load_average": os.getloadavg(),
        "rows": counts,
        "measures": {},
    }
    m = results["measures"]

    with Session(engine) as session:
        framework_id = active_framework_id(session)
        m["attribution index loaded from nothing (once per process)"] = _time(
            lambda: read_columns(session, framework_id), 3
        )
        m["index of project versions loaded from nothing (once per process)"] = _time(
            lambda: read_versions(session, framework_id), 1
        )
        m["plain SQL aggregate goals x regions (floor)"] = _time(
            lambda: session.execute(text(PLAIN_SQL)).all(), repeat
        )
        query = parse_coverage_query(session=session, params={"rows": "goals"})
        m["matrix goals x regions, from the tables (before the index)"] = _time(
            lambda: compute_from_tables(session, query), 1
        )
        for rows, metric in (("goals", "projects"), ("objectives", "budget")):
            query = parse_coverage_query(session=session, params={"rows": rows, "metric": metric})
            m[f"matrix {rows} x regions ({metric}), from the cube"] = _time(
                lambda q=query: _compute(session, q, None), repeat
            )
        for params in (
            {"cols": "countries", "region": "AFR"},
            {"rows": "objectives", "cols": "years"},
        ):
            query = parse_coverage_query(session=session, params=params)
            name = f"matrix {query.rows} x {query.columns}, from the index (in process)"
            m[name] = _time(lambda q=query: _compute(session, q, None), repeat)
    duck = duckdb_floor(engine, repeat, _stats)
    if duck is not None:
        m["DuckDB plain aggregate goals x regions (same rows, in memory)"] = duck

    admin = Principal(
        user=User(id=None, email="b@x", full_name="Bench", role="admin"),
        programme_ids=frozenset(),
        via="session",
    )
    server, thread, base = _server(engine, url)
    try:
        client = _sign_in(base)

        def get(path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        get("/heatmap")
        m["heatmap page, nothing changed (cached)"] = _time(lambda: get("/heatmap"), repeat * 3)

        writes = []

        def tag_change():
            """Tag project 1 with 7.6 or take the tag away again, through the service."""
            with session_scope(engine) as session:
                project = session.get(Project, 1)
                change = dict(session=session, project=project, principal=admin)
                change["expected_version"] = project.version
                began = time.perf_counter()
                if len(writes) % 2:
                    remove_tag(kind="objective", code="7.6", **change)
                else:
                    set_tag(change=TagChange("objective", "7.6", "significant"), **change)
                session.commit()
                writes.append(time.perf_counter() - began)

        def after_write():
            tag_change()
            began = time.perf_counter()
            get("/heatmap")
            return time.perf_counter() - began

        m["heatmap page after a write"] = _time(after_write, repeat, timed=True)
        m |= measure_views(get, tag_change, repeat, _stats)
        m |= measure_history(get, tag_change, repeat, _stats)
        m["tag change committed, cube updated"] = _stats(writes)
        searches = []
        for kind, words in SEARCHES.items():
            m[f"project search, {kind}"] = _time(lambda w=words: get(f"/projects?q={w}"), repeat)
            searches.append(m[f"project search, {kind}"])
        m["project search"] = {  # all of them: the median of the medians, the highest p95
            "median_ms": statistics.median(s["median_ms"] for s in searches),
            "p95_ms": max(s["p95_ms"] for s in searches),
            "n": sum(s["n"] for s in searches),
        }
        get("/gaps")
        m["gaps page"] = _time(lambda: get("/gaps"), repeat)
        get("/")
        m["dashboard"] = _time(lambda: get("/"), repeat)
        get("/framework")
        m["framework page"] = _time(lambda: get("/framework"), repeat)
        pages = [f"/projects/BENCH-{n:07d}" for n in (1, projects // 2, projects)]
        for path in pages:
            get(path)
        turn = itertools.cycle(pages)  # three projects in turn, each page as it is served
        m["project page"] = _time(lambda: get(next(turn)), 3 * repeat)
        client.close()
    finally:
        server.should_exit = True
        thread.join(timeout=30)

    if not with_import:
        results["peak_memory_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        engine.dispose()
        return results
    content = _csv_rows(10_000)
    for commit, name in ((False, "checked"), (True, "checked and committed")):
        with session_scope(engine) as session:
            began = time.perf_counter()
            report = import_spreadsheet(
                session=session,
                filename="import.csv",
                content=content,
                principal=admin,
                settings=Settings(env="test"),
                commit=commit,
            )
            assert report.ok, report.public()["problems"][:3]
            if commit:
                session.commit()  # the cube's and history's upkeep happen here: counted
            m[f"10,000-row CSV import, {name}"] = {
                "median_ms": round((time.perf_counter() - began) * 1000, 1),
                "p95_ms": None,
                "n": 1,
            }
    results["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    engine.dispose()
    return results


TARGETS = {
    "heatmap page, nothing changed (cached)": ("abs", 30),
    "heatmap page after a write": ("floor", 1.2),
    "project search": ("abs", 50),
    "gaps page": ("abs", 100),
    "dashboard": ("abs", 100),
    "framework page": ("abs", 100),
    "project page": ("abs", 50),
    "trends page, cold (after a write)": ("floor", 1.5),
    "trends page, warm": ("abs", 100),
    "two-date comparison (heatmap compared with a year ago), cold (after a write)": ("floor", 1.5),
    "two-date comparison (heatmap compared with a year ago), warm": ("abs", 300),
}
FLOOR = "plain SQL aggregate goals x regions (floor)"
DUCK = "DuckDB plain aggregate goals x regions (same rows, in memory)"


def verdicts(measures: dict) -> dict:
    floor = measures[FLOOR]["median_ms"]
    targets = dict(TARGETS)
    for name in measures:
        if name.startswith("view "):
            targets[name] = ("floor", 1.0)  # every view at or below the plain aggregate
    out = {}
    for name, (kind, value) in targets.items():
        if name not in measures:
            continue
        target = value if kind == "abs" else round(floor * value, 1)
        got = measures[name]["median_ms"]
        out[name] = {
            "target_ms": target,
            "median_ms": got,
            "met": got <= target,
            "times_target": round(got / target, 2),
            "times_floor": round(got / floor, 3),
        }
        if DUCK in measures:
            out[name]["times_duckdb"] = round(got / measures[DUCK]["median_ms"], 2)
    return out


def main() -> None:
    import logging

    logging.getLogger("httpx2").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--no-import", action="store_true", help="leave out the 10,000-row import (minutes)"
    )
    parser.add_argument(
        "--database", default="tracker_bench", help="the PostgreSQL database to (re)create"
    )
    args = parser.parse_args()
    work = ROOT / "var"
    work.mkdir(exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "projects": args.projects,
        "backends": {},
    }
    out = ROOT / "bench" / "results" / f"{report['when'].replace(':', '')}-{args.projects}.json"
    for backend in args.backends.split(","):
        print(f"\n== {backend}: loading {args.projects:,} projects", flush=True)
        result = run_backend(
            backend,
            args.projects,
            args.repeat,
            work,
            with_import=not args.no_import,
            database=args.database,
        )
        result["targets"] = verdicts(result["measures"])
        report["backends"][backend] = result
        print(f"loaded in {result['load_s']} s: {result['rows']}")
        print(f"coverage cube rebuilt in {result['cube_rebuild_s']} s")
        print(f"coverage over time rebuilt in {result['history_rebuild_s']} s")
        print(f"load average at the start: {result['load_average']}")
        floor = result["measures"][FLOOR]["median_ms"]
        print(f"{'measure':78} {'median ms':>10} {'p95 ms':>10} {'x floor':>8}")
        for name, value in result["measures"].items():
            p95 = value["p95_ms"] if value["p95_ms"] is not None else ""
            ratio = round(value["median_ms"] / floor, 2)
            print(f"{name:78} {value['median_ms']:>10} {p95:>10} {ratio:>8}")
        print("targets:")
        for name, verdict in result["targets"].items():
            state = "met" if verdict["met"] else f"MISSED by {verdict['times_target']}x"
            got, target = verdict["median_ms"], verdict["target_ms"]
            print(f"  {name:76} {got:>8} ms vs {target:>8} ms  {state}")
        print(f"peak memory {result['peak_memory_mb']} MB")
        out.write_text(json.dumps(report, indent=2))  # after each backend: nothing lost
        print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
