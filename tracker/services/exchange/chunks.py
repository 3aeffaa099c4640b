"""Projects read a chunk at a time, for exports of any size: each chunk's projects, then their
places and tags, are read, written out and let go before the next, so that an export of
100,000 projects holds a few hundred in memory and never sends the database more values in
one statement than it takes."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, select

from tracker.models import Project

CHUNK = 500  # projects read, written out and let go at a time


def project_chunks(session: Session, codes: list[str] | None) -> Iterator[list[Project]]:
    """The projects in code order, CHUNK at a time: of the codes given (none given: all), or
    after the last code of the chunk before."""
    if codes is not None:
        wanted = sorted(set(codes))
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            yield list(
                session.exec(select(Project).where(Project.code.in_(part)).order_by(Project.code))
            )
        return
    after = None
    while True:
        query = select(Project).order_by(Project.code).limit(CHUNK)
        if after is not None:
            query = query.where(Project.code > after)
        projects = list(session.exec(query))
        if not projects:
            return
        after = projects[-1].code
        yield projects
