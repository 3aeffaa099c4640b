"""Imports in progress: how far the check or the commit has got, its report, and the uploaded
file, kept in a table of its own only while the import may still need it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, LargeBinary, SmallInteger
from sqlmodel import Field, SQLModel

from tracker.models._base import JSONDocument, UTCDateTime, utcnow

JOB_STATUSES = (
    "checking",
    "checked",
    "committing",
    "committed",
    "interrupted",  # some batches were written, the rest were not: it can be resumed
    "refused",
    "failed",
)


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint("kind IN ('spreadsheet', 'iati')", name="kind_allowed"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in JOB_STATUSES) + ")",
            name="status_allowed",
        ),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    kind: str = Field(max_length=20)
    filename: str = Field(max_length=255)
    programme: str | None = Field(default=None, max_length=20)  # for IATI activities
    # IATI: the level of the publisher's hierarchy to import (None: the lowest with budgets),
    # and whether activities that cannot be imported are skipped rather than stop it all.
    iati_level: int | None = Field(default=None, sa_type=SmallInteger)
    skip_invalid: bool = Field(default=False)
    size: int = Field(default=0)  # bytes of the uploaded file
    status: str = Field(default="checking", max_length=20)
    # While checking: rows checked. While committing: rows written and committed, moved on in
    # the same transaction as each batch, so that it is exact after a crash.
    total: int = Field(default=0)
    done: int = Field(default=0)
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDocument)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Moved on with every step of the work: a running job that stopped moving has stopped.
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    file_removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ImportUpload(SQLModel, table=True):
    """The file of an import, from the upload until the job ends or the retention period
    passes; then the row is deleted (the job keeps its name, size and report)."""

    __tablename__ = "import_upload"

    job_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("import_job.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
    )
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
