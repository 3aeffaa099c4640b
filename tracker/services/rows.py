"""Many rows into one table at once, in the session's transaction: COPY on PostgreSQL, an
executemany on SQLite.

An import writes tens of thousands of rows (places, tags, versions, audit events). As INSERT
statements of many VALUES, PostgreSQL's driver spends longer reading each statement's
thousands of placeholders than the server spends storing the rows; COPY sends them as data.
Values go through each column's own conversion first (time zones, JSON), as an INSERT's would.
"""

from __future__ import annotations

from sqlalchemy import Table, insert, text
from sqlmodel import Session

EXECUTEMANY_ROWS = 2_000


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys: column names) into `table`. Nothing here goes
    through the ORM's events: callers keep the coverage cube's account of what they change
    (the projects whose rows these are are already known to it)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        for start in range(0, len(rows), EXECUTEMANY_ROWS):
            connection.execute(insert(table), rows[start : start + EXECUTEMANY_ROWS])
        return
    names = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    columns = ", ".join(f'"{name}"' for name in names)
    driver = connection.connection.driver_connection  # psycopg, inside this transaction
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    process(row[name]) if process else row[name]
                    for name, process in zip(names, processors, strict=True)
                ]
            )


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for `count` new rows of `table`, from its sequence (PostgreSQL): rows written with
    them can be referred to before they are written, whoever else writes meanwhile."""
    return list(
        session.connection()
        .execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": table.name, "n": count},
        )
        .scalars()
    )
