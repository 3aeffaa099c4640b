"""Load a synthetic portfolio fast: N projects with about 4 objective tags, 1.5 theme tags and
2 places each, titles and summaries that differ as real ones do (bench/texts.py), by bulk
inserts on SQLite and COPY on PostgreSQL.

    .venv/bin/python -m bench.generate --projects 100000 --database sqlite:///var/bench.db
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.texts import title_and_summary
from tracker.db import make_engine
from tracker.models import (
    Country,
    Currency,
    Framework,
    Objective,
    ObjectiveTag,
    Programme,
    Project,
    ProjectLocation,
    Region,
    Theme,
    ThemeTag,
)
from tracker.services.coverage import cube

STATUSES = ("active",) * 6 + ("completed",) * 2 + ("pipeline", "suspended")
COLUMNS = {
    "project": (
        "id",
        "code",
        "title",
        "summary",
        "kind",
        "status",
        "start_date",
        "end_date",
        "budget_amount",
        "budget_currency",
        "donor",
        "programme_id",
        "screened_at",
        "version",
        "created_at",
        "updated_at",
    ),
    "project_location": ("id", "project_id", "country_id", "region_id", "percentage"),
    "objective_tag": (
        "id",
        "project_id",
        "objective_id",
        "significance",
        "budget_share",
        "tagged_at",
    ),
    "theme_tag": ("id", "project_id", "theme_id", "significance", "budget_share", "tagged_at"),
}


def _rows(session: Session, projects: int, seed: int, start_id: int):
    rng = random.Random(seed)
    fid = session.execute(select(Framework.id).where(Framework.active)).scalar_one()
    objectives = (
        session.execute(select(Objective.id).where(Objective.framework_id == fid)).scalars().all()
    )
    themes = session.execute(select(Theme.id).where(Theme.framework_id == fid)).scalars().all()
    programmes = session.execute(select(Programme.id)).scalars().all()
    countries = session.execute(select(Country.id)).scalars().all()
    names = session.execute(select(Country.name).order_by(Country.name)).scalars().all()
    regions = session.execute(select(Region.id)).scalars().all()
    currencies = [
        c
        for c in session.execute(select(Currency.code)).scalars()
        if c in ("EUR", "USD", "GBP", "CHF")
    ]
    now = datetime.now(UTC)
    tables: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
    ids = {name: 1 for name in ("project_location", "objective_tag", "theme_tag")}
    for n in range(projects):
        pid = start_id + n
        start = date(2022, 1, 1) + timedelta(days=rng.randint(0, 1500))
        end = start + timedelta(days=rng.randint(90, 1500))
        title, summary, donor = title_and_summary(rng, names)
        tables["project"].append(
            (
                pid,
                f"BENCH-{pid:07d}",
                title[:200],
                summary,
                "capacity_building",
                rng.choice(STATUSES),
                start,
                end,
                rng.randint(10, 5000) * 1000,
                rng.choice(currencies),
                donor,
                rng.choice(programmes),
                now if rng.random() < 0.8 else None,
                1,
                now,
                now,
            )
        )
        for country in rng.sample(countries, rng.choice((1, 2, 2, 3))):
            tables["project_location"].append((ids["project_location"], pid, country, None, None))
            ids["project_location"] += 1
        if rng.random() < 0.1:
            tables["project_location"].append(
                (ids["project_location"], pid, None, rng.choice(regions), None)
            )
            ids["project_location"] += 1
        for i, objective in enumerate(rng.sample(objectives, rng.choice((3, 4, 4, 5)))):
            share = rng.choice((None, None, 30)) if i else None
            tables["objective_tag"].append(
                (ids["objective_tag"], pid, objective, 2 if i == 0 else 1, share, now)
            )
            ids["objective_tag"] += 1
        for theme in rng.sample(themes, rng.choice((1, 1, 2, 2))):
            tables["theme_tag"].append(
                (ids["theme_tag"], pid, theme, rng.choice((1, 2)), None, now)
            )
            ids["theme_tag"] += 1
    return tables


def generate(
    *, engine: Engine, projects: int, seed: int = 1, rebuild: bool = True
) -> dict[str, int]:
    with Session(engine) as session:
        if session.execute(select(func.count()).select_from(Project)).scalar_one():
            raise SystemExit("the database already has projects: use an empty one")
        tables = _rows(session, projects, seed, start_id=1)
    if engine.dialect.name == "postgresql":
        with engine.raw_connection() as raw:
            with raw.cursor() as cursor:
                for name, rows in tables.items():
                    with cursor.copy(
                        f"COPY {name} ({', '.join(COLUMNS[name])}) FROM STDIN"
                    ) as copy:
                        for row in rows:
                            copy.write_row(row)
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT MAX(id) FROM {name}))"
                    )
            raw.commit()
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    else:
        models = {
            "project": Project,
            "project_location": ProjectLocation,
            "objective_tag": ObjectiveTag,
            "theme_tag": ThemeTag,
        }
        with engine.begin() as connection:
            for name, rows in tables.items():
                table = models[name].__table__
                connection.execute(
                    insert(table), [dict(zip(COLUMNS[name], row, strict=True)) for row in rows]
                )
            connection.execute(text("ANALYZE"))
    if rebuild:  # bulk rows bypass the per-project upkeep: the cube is computed again
        cube.rebuild(engine)
    return {name: len(rows) for name, rows in tables.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument(
        "--database", required=True, help="a migrated database with the framework loaded"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    engine = make_engine(args.database)
    began = time.perf_counter()
    counts = generate(engine=engine, projects=args.projects, seed=args.seed)
    print(f"loaded {counts} in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
