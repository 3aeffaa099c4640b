"""The audit trail's filters (AuditFilters): what changed, who changed it, between which dates,
and the page. Whether the person exists is for the audit service to find out."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from tracker.fields import Choice, DatedParams, Day, QueryInteger
from tracker.inputs import MAX_ID
from tracker.services.audit.describe import ENTITY_TYPES

MAX_PAGE = 100_000

EntityType = StrEnum("EntityType", {k: k for k in ENTITY_TYPES})


class AuditFilters(DatedParams):
    """Events of one kind, by one person, from and to a date (both included)."""

    entity: (
        Choice(EntityType, names=ENTITY_TYPES, template="must be a kind of change: {allowed}")
        | None
    ) = None
    actor: QueryInteger(1, MAX_ID, wrong="must be a person from the list") | None = None
    date_from: Day | None = Field(default=None, alias="from")
    date_to: Day | None = Field(default=None, alias="to", description="Not before from")
    page: QueryInteger(1, MAX_PAGE, wrong=f"must be a page number from 1 to {MAX_PAGE:,}") = 1
