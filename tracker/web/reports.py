"""Reports: the board pack of any heatmap view, as a PDF."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.formats import locale_for
from tracker.services.coverage.params import CoverageParams
from tracker.services.reports.board_pack import build_board_pack
from tracker.web._params import read_query

router = APIRouter()


@router.get("/reports/board-pack.pdf", name="board_pack")
def board_pack(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    pack = build_board_pack(
        session=session,
        params=read_query(request, CoverageParams),
        locale=locale_for(request),
    )
    return Response(
        pack.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="board-pack.pdf"'},
    )
