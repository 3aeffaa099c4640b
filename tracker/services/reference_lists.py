"""Reference lists for selectors: programmes and regions in display order."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.models import Programme, Region


def programmes_and_regions(*, session: Session) -> tuple[list[Programme], list[Region]]:
    programmes = list(session.exec(select(Programme).order_by(Programme.name)))
    regions = list(session.exec(select(Region).order_by(Region.position)))
    return programmes, regions
