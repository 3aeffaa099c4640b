"""What an administrator may send to change the framework's SDG links (SDGLinkCreate)."""

from __future__ import annotations

from pydantic import Field

from tracker.fields import Code, FrameworkCode, Line, Params, Percentage

SdgTargetOrNumber = Code(
    r"^([1-9]|1[0-7])(\.[0-9a-z]{1,2})?$",
    5,
    allowed="must be an SDG target such as 16.4, or an SDG number from 1 to 17",
)


class SDGLinkCreate(Params):
    """A goal or objective linked to an SDG target, or to a whole SDG."""

    noun = "field"

    owner: FrameworkCode = Field(description="A goal (GPG5) or objective (5.5) code")
    target: SdgTargetOrNumber = Field(description="An SDG target (16.4) or an SDG number (14)")
    weight: Percentage | None = Field(
        default=None, description="Its part of the item's budget, in percent; empty: an equal part"
    )
    note: Line(500) | None = None
