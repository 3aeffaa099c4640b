"""A load test on loopback: two instances of two workers each on one PostgreSQL database,
with signed-in people browsing and tagging for a minute while an administrator imports a
spreadsheet of thousands of new projects through the pages. It reports throughput and
latency, the import's batches and the longest any request waited while they were written, and
checks that nothing failed, no update was lost, the coverage cube still equals a recount and
every worker's attribution index (kept up to date from what the others wrote) gives the same
views as a worker started afresh afterwards.

    .venv/bin/python -m bench.load --seconds 60 --users 8 --import-rows 5000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.generate import generate
from tracker.config import Settings
from tracker.db import make_engine, session_scope
from tracker.models import AuditEvent
from tracker.services import schema
from tracker.services.accounts.users import create_user
from tracker.services.coverage import cube
from tracker.services.framework.loader import load_framework
from tracker.services.reference.load import load_reference_data

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load test password"
OBJECTIVES = ["1.1", "2.1", "3.3", "4.2", "5.3", "6.2", "7.2"]
RUN = f"load test {time.strftime('%Y%m%dT%H%M%S')}"  # in every rationale this run writes
# What people search for (words of bench/texts.py's titles, part of one, a code).
SEARCHES = ["trafficking", "financial+kenya", "cyberc", "darknet+market+takedowns", "000424"]


def _database(*, reuse: bool = False) -> str:
    """The load test's own database, made anew (or, with `reuse`, as the last run left it)."""
    admin = Settings(
        database_url=os.environ.get(
            "TRACKER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        )
    ).database_url
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = 'tracker_load'")
        ).first()
        if not (reuse and exists):
            connection.execute(text('DROP DATABASE IF EXISTS "tracker_load" WITH (FORCE)'))
            connection.execute(text('CREATE DATABASE "tracker_load"'))
    engine.dispose()
    return make_url(admin).set(database="tracker_load").render_as_string(hide_password=False)


def _projects(url: str) -> int:
    """The generated projects in the database (those of the last run's import left out)."""
    from tracker.models import Project

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.execute(
                select(func.count()).select_from(Project).where(Project.code.like("BENCH-%"))
            ).scalar_one()
    except Exception:
        return 0
    finally:
        engine.dispose()


def _prepare(url: str, projects: int, users: int) -> None:
    schema.upgrade(database_url=url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference_data(session=session)
        load_framework(session=session, path=ROOT / "seeds" / "frameworks" / "gpg-2023.yaml")
        for n in range(users):
            create_user(
                session=session,
                email=f"load{n}@example.org",
                full_name=f"Load {n}",
                role="admin",
                programmes=[],
                actor=None,
                password=PASSWORD,
            )
    generate(engine=engine, projects=projects)
    engine.dispose()


def _start(url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_LOG_LEVEL": "WARNING",
        "TRACKER_ENV": "test",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "tracker"),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the instance on port {port} did not start")


def _csv(rows: int) -> bytes:
    import csv
    import io

    from tracker.services.exchange.spreadsheet.columns import COLUMNS, EXAMPLE

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for n in range(rows):
        writer.writerow({**EXAMPLE, "code": f"LOAD-IMP-{n:06d}"})
    return out.getvalue().encode()


class Importer(threading.Thread):
    """Uploads a spreadsheet, waits for its check, commits it, and watches its batches land."""

    def __init__(self, base: str, url: str, rows: int):
        super().__init__(daemon=True)
        self.base, self.url, self.rows = base, url, rows
        self.window: tuple[float, float] | None = None  # when the batches were written
        self.batch_seconds: list[float] = []
        self.status = "not started"

    def run(self) -> None:
        engine = make_engine(self.url)
        with httpx.Client(base_url=self.base, timeout=120) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
            client.post(
                "/login",
                data={"email": "load0@example.org", "password": PASSWORD, "csrf_token": token},
            )
            page = client.get("/admin/imports").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
            uploaded = client.post(
                "/admin/imports",
                data={"csrf_token": token, "kind": "spreadsheet"},
                files={"file": ("load.csv", _csv(self.rows), "text/csv")},
            )
            job = int(uploaded.headers["location"].rstrip("/").rsplit("/", 1)[1])
            while (status := self._job(engine, job)[0]) == "checking":
                time.sleep(0.2)
            if status != "checked":
                self.status = status
                return
            page = client.get(f"/admin/imports/{job}").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
            began = time.perf_counter()
            client.post(f"/admin/imports/{job}/commit", data={"csrf_token": token})
            last_done, last_change = 0, began
            while (state := self._job(engine, job))[0] == "committing":
                if state[1] != last_done:
                    now = time.perf_counter()
                    self.batch_seconds.append(now - last_change)
                    last_done, last_change = state[1], now
                time.sleep(0.02)
            self.window = (began, time.perf_counter())
            self.status = state[0]
        engine.dispose()

    @staticmethod
    def _job(engine, job: int) -> tuple[str, int]:
        from tracker.models import ImportJob

        with Session(engine) as session:
            row = session.get(ImportJob, job)
            return row.status, row.done


def _kind(path: str) -> str:
    """What a request asks for, for latencies by kind: the page and its view."""
    if path.startswith("/projects?q="):
        return "search"
    if path.startswith("/projects/"):
        return "project page"
    return path


class User(threading.Thread):
    def __init__(self, n: int, bases: list[str], until: float, codes: list[str]):
        super().__init__(daemon=True)
        self.n, self.bases, self.until, self.codes = n, bases, until, codes
        self.latencies: list[float] = []
        self.timeline: list[tuple[float, float]] = []  # (start, end) of each request
        self.outcomes: Counter = Counter()
        self.by_kind: dict[str, list[float]] = {}  # latencies by what was asked
        self.tagged = 0

    def run(self) -> None:
        rng = random.Random(self.n)
        base = self.bases[self.n % len(self.bases)]  # each person sticks to one instance
        with httpx.Client(base_url=base, timeout=60) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
            client.post(
                "/login",
                data={
                    "email": f"load{self.n}@example.org",
                    "password": PASSWORD,
                    "csrf_token": token,
                },
            )
            while time.monotonic() < self.until:
                code = rng.choice(self.codes)
                if rng.random() < 0.7:
                    path = rng.choice(
                        [
                            "/heatmap",
                            "/heatmap?rows=objectives",
                            "/heatmap?rows=objectives&cols=countries&region=AFR",
                            "/heatmap?cols=years&metric=budget",
                            "/heatmap?from=2026-01-01&to=2026-06-30&metric=budget",
                            "/gaps",
                            f"/projects/{code}",
                            f"/projects?q={rng.choice(SEARCHES)}",
                        ]
                    )
                    self._timed(lambda path=path: client.get(path), kind=_kind(path))
                    continue
                page = client.get(f"/projects/{code}").text
                version = re.search(r'name="version" value="(\d+)"', page)[1]
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
                data = {
                    "kind": "objective",
                    "code": rng.choice(OBJECTIVES),
                    "significance": rng.choice(["principal", "significant"]),
                    # A new rationale each time: every accepted change is a real change.
                    "rationale": f"{RUN}, person {self.n}, change {self.tagged + 1}",
                    "version": version,
                    "csrf_token": csrf,
                }
                response = self._timed(
                    lambda code=code, data=data: client.post(
                        f"/projects/{code}/tags", data=data, headers={"HX-Request": "true"}
                    ),
                    kind="tag change",
                )
                if response.status_code == 200:
                    self.tagged += 1

    def _timed(self, call, kind: str):
        began = time.perf_counter()
        response = call()
        ended = time.perf_counter()
        self.latencies.append(ended - began)
        self.by_kind.setdefault(kind, []).append(ended - began)
        self.timeline.append((began, ended))
        self.outcomes[response.status_code] += 1
        return response


INDEX_VIEWS = [
    "/api/v1/coverage?rows=objectives&cols=countries&region=AFR&metric=budget",
    "/api/v1/coverage?rows=objectives&cols=years",
    "/api/v1/coverage?rows=sdg_targets&region=EUR&floor=2",
]


@contextmanager
def _signed_in(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
        client.post(
            "/login",
            data={"email": "load0@example.org", "password": PASSWORD, "csrf_token": token},
        )
        yield client


def _index_differences(url: str, bases: list[str]) -> int:
    """Views from the attribution index that differ between the workers that followed every
    change and one started afresh now (which reads every project anew): 0 when exact."""
    fresh = _start(url, 8803)
    try:
        with _signed_in("http://127.0.0.1:8803") as client:
            expected = {path: client.get(path).json() for path in INDEX_VIEWS}
        wrong = 0
        for base in bases:
            with _signed_in(base) as client:
                for path in INDEX_VIEWS:
                    for _ in range(6):  # each of the instance's workers, most likely
                        wrong += client.get(path).json() != expected[path]
        return wrong
    finally:
        fresh.terminate()
        fresh.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--import-rows", type=int, default=5_000)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="run on the database the last run left, if it has the projects (no generation)",
    )
    args = parser.parse_args()
    url = _database(reuse=args.reuse)
    if not (args.reuse and _projects(url) == args.projects):
        url = _database()
        print(f"loading {args.projects:,} projects", flush=True)
        _prepare(url, args.projects, args.users)
    instances = [_start(url, port) for port in (8801, 8802)]
    bases = ["http://127.0.0.1:8801", "http://127.0.0.1:8802"]
    engine = make_engine(url)
    with Session(engine) as session:
        codes = [f"BENCH-{n:07d}" for n in range(1, 41)]  # a few hot projects: conflicts happen
    try:
        until = time.monotonic() + args.seconds
        users = [User(n, bases, until, codes) for n in range(args.users)]
        importer = Importer(bases[0], url, args.import_rows) if args.import_rows else None
        for user in users:
            user.start()
        if importer:
            time.sleep(min(5, args.seconds / 4))
            importer.start()
        for user in users:
            user.join()
        if importer:
            importer.join()
        index_differences = _index_differences(url, bases)
    finally:
        for process in instances:
            process.terminate()
            process.wait(timeout=30)
    latencies = sorted(x for u in users for x in u.latencies)
    outcomes = sum((u.outcomes for u in users), Counter())
    tagged = sum(u.tagged for u in users)
    with Session(engine) as session:
        events = session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "objective_tag")
            # This run's changes: their rationale names it.
            .where(AuditEvent.after["rationale"].as_string().startswith(f"{RUN},"))
        ).scalar_one()
        # The cube was changed by every worker at once: it must still equal a recount.
        cube_differences = len(cube.differences(session))
    engine.dispose()
    errors = sum(
        n for status, n in outcomes.items() if status >= 500 or status in (400, 401, 403, 404)
    )
    result = {
        "seconds": args.seconds,
        "users": args.users,
        "instances": 2,
        "workers_each": 2,
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / args.seconds, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "statuses": dict(outcomes),
        "errors": errors,
        "tag_changes_accepted": tagged,
        "tag_changes_refused_as_stale": outcomes.get(409, 0),
        "tag_events_recorded": events,
        # Every accepted change carries a new rationale, so each one must be in the trail.
        "lost_updates": tagged - events,
        "coverage_cube_cells_wrong": cube_differences,
        "index_views_wrong": index_differences,
        "by_kind": {
            kind: {
                "n": len(samples),
                "median_ms": round(statistics.median(samples) * 1000, 1),
                "p95_ms": round(sorted(samples)[int(0.95 * (len(samples) - 1))] * 1000, 1),
            }
            for kind in sorted({k for u in users for k in u.by_kind})
            for samples in [[x for u in users for x in u.by_kind.get(kind, [])]]
        },
    }
    if importer:
        during = [
            end - start
            for u in users
            for start, end in u.timeline
            if importer.window and start < importer.window[1] and end > importer.window[0]
        ]
        result["import"] = {
            "rows": args.import_rows,
            "status": importer.status,
            "seconds": round(importer.window[1] - importer.window[0], 1)
            if importer.window
            else None,
            "batches_seen": len(importer.batch_seconds),
            "longest_batch_ms": round(max(importer.batch_seconds, default=0) * 1000, 1),
            "requests_meanwhile": len(during),
            "longest_request_meanwhile_ms": round(max(during, default=0) * 1000, 1),
        }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / f"load-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")
    if errors or result["lost_updates"] != 0 or cube_differences or index_differences:
        raise SystemExit("the load test found errors, lost updates or a wrong coverage cube")
    if importer and importer.status != "committed":
        raise SystemExit(f"the import ended {importer.status}")


if __name__ == "__main__":
    main()
