"""Every kind of coverage view, each measured right after a tag change (so nothing is cached)
beside the plain SQL aggregate and, when installed, DuckDB's; the trends page and a two-date
comparison, cold (right after a change) and warm.

Used by bench.run; DuckDB is optional (`pip install -e '.[bench]'`), the tracker never uses it.
"""

from __future__ import annotations

import csv
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

from tracker.models._base import utcnow

# The plain aggregate again, for DuckDB (the same join and grouping as bench.run.PLAIN_SQL).
DUCK_SQL = """
SELECT o.goal_id, COALESCE(l.region_id, c.region_id) AS region, COUNT(DISTINCT t.project_id)
FROM objective_tag t
JOIN objective o ON o.id = t.objective_id
JOIN project p ON p.id = t.project_id
JOIN project_location l ON l.project_id = p.id
LEFT JOIN country c ON c.id = l.country_id
WHERE p.status = 'active'
GROUP BY 1, 2
"""
DUCK_TABLES = {
    "objective_tag": "project_id, objective_id",
    "objective": "id, goal_id",
    "project": "id, status",
    "project_location": "project_id, country_id, region_id",
    "country": "id, region_id",
}

# (name, API parameters): every rows, columns, metric and filter the heatmap offers.
VIEWS = [
    ("goals x regions", {"rows": "goals"}),
    ("objectives x regions, budget", {"rows": "objectives", "metric": "budget"}),
    ("goals x countries of Africa", {"cols": "countries", "region": "AFR"}),
    ("objectives x years", {"rows": "objectives", "cols": "years"}),
    ("goals x regions, 2026 only", {"from": "2026-01-01", "to": "2026-12-31"}),
    ("goals x regions, budget, Africa filter", {"metric": "budget", "region": "AFR"}),
    (
        "objectives x countries of Europe, principal only, any status",
        {"rows": "objectives", "cols": "countries", "region": "EUR", "floor": "2", "status": "any"},
    ),
    (
        "themes x programmes, completed, from 2024",
        {"rows": "themes", "cols": "programmes", "status": "completed", "from": "2024-01-01"},
    ),
    (
        "objectives x themes, budget, one programme, Americas",
        {
            "rows": "objectives",
            "cols": "themes",
            "metric": "budget",
            "programme": "CYB",
            "region": "AME",
        },
    ),
    (
        "themes x years, principal projects",
        {"rows": "themes", "cols": "years", "metric": "principal"},
    ),
]
# Views that were slowest before the index (SDG links joined on every tag): measured once.
SLOW_VIEWS = [
    ("SDGs x regions", {"rows": "sdgs"}),
]


def duckdb_floor(engine, repeat: int, stats) -> dict | None:
    """DuckDB's time for the plain aggregate over the same rows, copied into memory."""
    try:
        import duckdb
    except ImportError:
        return None
    duck = duckdb.connect()
    with tempfile.TemporaryDirectory() as folder, engine.connect() as connection:
        for table, columns in DUCK_TABLES.items():
            path = Path(folder) / f"{table}.csv"
            with path.open("w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow([c.strip() for c in columns.split(",")])
                writer.writerows(connection.execute(text(f"SELECT {columns} FROM {table}")))
            duck.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{path}')")
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        duck.execute(DUCK_SQL).fetchall()
        samples.append(time.perf_counter() - began)
    duck.close()
    return stats(samples)


def measure_views(get, tag_change, repeat: int, stats) -> dict:
    """Each view through GET /api/v1/coverage right after a tag change."""
    out = {}
    for name, params in VIEWS + SLOW_VIEWS:
        path = "/api/v1/coverage?" + urlencode(params, doseq=True)
        samples = []
        for _ in range(1 if (name, params) in SLOW_VIEWS else repeat):
            tag_change()
            began = time.perf_counter()
            get(path)
            samples.append(time.perf_counter() - began)
        out[f"view {name}, after a write"] = stats(samples)
    return out


def measure_history(get, tag_change, repeat: int, stats) -> dict:
    """The trends page and the heatmap compared with a year ago: cold (right after a tag
    change) and warm (the same page again)."""
    since = (utcnow().date() - timedelta(days=365)).isoformat()
    pages = {
        "trends page": "/trends",
        "two-date comparison (heatmap compared with a year ago)": f"/heatmap?compare={since}",
    }
    out = {}
    for name, path in pages.items():
        get(path)  # the process's indexes are loaded once, as after a restart
        cold, warm = [], []
        for _ in range(repeat):
            tag_change()
            began = time.perf_counter()
            get(path)
            cold.append(time.perf_counter() - began)
            began = time.perf_counter()
            get(path)
            warm.append(time.perf_counter() - began)
        out[f"{name}, cold (after a write)"] = stats(cold)
        out[f"{name}, warm"] = stats(warm)
    return out
