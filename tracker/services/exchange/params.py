"""What the import pages' forms may carry besides the upload: starting an import (and whether
to skip the IATI activities that cannot be imported), and the level of a publisher's
hierarchy to check an IATI file at.

The models check shapes; whether the job can be imported, or has that level, is for
`jobs` to check.
"""

from __future__ import annotations

from tracker.fields import Integer, Params
from tracker.services.exchange.iati.activity import MAX_LEVEL


class ImportCommit(Params):
    """Start (or resume) writing a checked import."""

    noun = "field"

    skip_invalid: bool = False


class ImportLevel(Params):
    """Check an IATI file again, importing its publisher's hierarchy at this level."""

    noun = "field"

    level: Integer(1, MAX_LEVEL, wrong=f"must be a level from 1 to {MAX_LEVEL}")
