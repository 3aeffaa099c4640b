"""What the administration pages' forms about people may carry, one model per role: inviting
someone (UserInvite) and changing their name, role, programmes and whether their account is
active (UserUpdate).

The models check shapes and choices; whether an address is taken, whether programme codes
exist and whether the last administrator would be lost is for the accounts service to check.
"""

from __future__ import annotations

from pydantic import Field

from tracker.fields import Choice, Email, Line, List, Params, ProgrammeCode
from tracker.models import Role

MAX_NAME_LENGTH = 120
MAX_PROGRAMMES = 50

# Roles as the people pages name them.
ROLE_NAMES = {"admin": "Administrator", "manager": "Manager", "viewer": "Viewer"}
RoleChoice = Choice(Role, names=ROLE_NAMES, template="must be a role: {allowed}")


class UserInvite(Params):
    """Someone to invite: they choose their password from the link they are sent."""

    noun = "field"

    email: Email
    full_name: Line(MAX_NAME_LENGTH, required=True)
    role: RoleChoice = Role.viewer
    programmes: List(ProgrammeCode, MAX_PROGRAMMES) = Field(
        default_factory=list, description="Programmes a manager may edit"
    )


class UserUpdate(Params):
    """Someone's name, role, programmes, and whether their account is active."""

    noun = "field"

    full_name: Line(MAX_NAME_LENGTH, required=True)
    role: RoleChoice
    programmes: List(ProgrammeCode, MAX_PROGRAMMES) = Field(
        default_factory=list, description="Programmes a manager may edit"
    )
    active: bool = False
