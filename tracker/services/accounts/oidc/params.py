"""What requests about signing in with the provider may carry: where to go after signing in
(SignInStart), the provider's answer at the callback (ProviderAnswer), a logout token
(BackChannelLogout), and a group rule set on the administration page (GroupMappingCreate).

The provider's answers may carry parameters of its own (session_state, client_info...), which
are ignored; what the tracker reads is bounded like any input."""

from __future__ import annotations

from pydantic import ConfigDict

from tracker.fields import Line, Params, ProgrammeCode
from tracker.services.accounts.params import RoleChoice


class SignInStart(Params):
    next: Line(2000) | None = None


class ProviderAnswer(Params):
    model_config = ConfigDict(extra="ignore")

    code: Line(2000) | None = None
    state: Line(200) | None = None
    error: Line(200) | None = None
    error_description: Line(1000) | None = None
    # RFC 9207: who sent the answer, where the provider says so.
    iss: Line(300) | None = None


class BackChannelLogout(Params):
    model_config = ConfigDict(extra="ignore")

    logout_token: Line(32_000, required=True)


class GroupMappingCreate(Params):
    """A provider group and what it gives: a role, and for a manager the programme."""

    noun = "field"

    group: Line(255, required=True)
    role: RoleChoice
    programme: ProgrammeCode | None = None
