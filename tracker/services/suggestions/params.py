"""What requests about suggestions carry: a text to suggest for (the JSON API), a decision about
one suggestion (the project page and the screening queue), and where the queue stands."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tracker.fields import Choice, Line, Params, Text
from tracker.services.projects.params import LIMITS


class SuggestionRequest(Params):
    """A project's words, stored or not: the title is needed, the summary helps."""

    noun = "field"

    title: Line(LIMITS["title"], required=True) = Field(
        description="The project's title", examples=["Ransomware investigations in West Africa"]
    )
    summary: Text(LIMITS["summary"]) | None = Field(
        default=None,
        description="What the project does, in a few sentences",
        examples=["Joint operation with police in Ghana and Nigeria to disrupt ransomware."],
    )


class SuggestionForm(Params):
    """Accepting or dismissing one suggestion: which objective or theme, the significance to
    tag it with (accepting), the project's version (accepting), and the page to return to."""

    noun = "field"

    kind: Choice(Literal["objective", "theme"], what="kind") = "objective"
    code: Line(20) = ""
    significance: Choice(Literal["principal", "significant"], what="significance") = "significant"
    version: Line(20) = ""
    back: Choice(Literal["project", "screening"], what="page") = "project"


class ScreeningParams(Params):
    """The screening queue at a project (or at the first one waiting), and the project
    before it (Next skips it)."""

    at: Line(40) | None = None
    after: Line(40) | None = None
