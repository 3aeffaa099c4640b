"""Who the API caller is."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from tracker.api.responses import READ
from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.accounts import users

router = APIRouter(tags=["accounts"])


class MePublic(BaseModel):
    email: str
    full_name: str
    role: Literal["admin", "manager", "viewer"]
    programmes: list[str]
    authenticated_by: Literal["token", "session"]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "email": "ana.costa@example.org",
                    "full_name": "Ana Costa",
                    "role": "manager",
                    "programmes": ["CYB", "FCAC"],
                    "authenticated_by": "token",
                }
            ]
        }
    }


@router.get(
    "/me",
    response_model=MePublic,
    responses=READ,
    summary="The account behind this token or session",
)
def me(session: SessionDep, principal: CurrentPrincipal) -> MePublic:
    return MePublic(
        email=principal.user.email,
        full_name=principal.user.full_name,
        role=principal.user.role,
        programmes=users.programme_codes(session=session, user_id=principal.user.id),
        authenticated_by=principal.via,
    )
