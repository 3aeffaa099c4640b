"""Who the API caller is."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services import users

router = APIRouter(tags=["accounts"])


class MePublic(BaseModel):
    email: str
    full_name: str
    role: str
    programmes: list[str]
    authenticated_by: str

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


@router.get("/me", response_model=MePublic, summary="The account behind this token or session")
def me(session: SessionDep, principal: CurrentPrincipal) -> MePublic:
    return MePublic(
        email=principal.user.email,
        full_name=principal.user.full_name,
        role=principal.user.role,
        programmes=users.programme_codes(session=session, user_id=principal.user.id),
        authenticated_by=principal.via,
    )
