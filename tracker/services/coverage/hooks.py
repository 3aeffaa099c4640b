"""Coverage upkeep, installed where engines are made.

Every session keeps the coverage version (which retires cached figures), the coverage cube and
coverage over time in step with its writes, whichever command, worker or test opens it.
`install_coverage_hooks` puts them on the session class, once; `tracker.db.make_engine` calls it.
"""

from __future__ import annotations

from sqlmodel import Session

from tracker.services.coverage import cache
from tracker.services.coverage.cube import sync
from tracker.services.history import follow, replay


def install_coverage_hooks(session_class: type[Session] = Session) -> None:
    # The version's hooks first: the cube's writes at commit count as a change too.
    cache.install(session_class)
    sync.install(session_class)
    follow.install(session_class)  # after the cube, whose figures it uses
    if replay.rebuild not in sync.AFTER_REBUILD:
        sync.AFTER_REBUILD.append(replay.rebuild)
