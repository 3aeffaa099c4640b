"""Tag suggestions as JSON: for a stored project, and for a text. The same service functions as
the project page and the screening queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from tracker.api.responses import refusals
from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.projects.detail import get_project
from tracker.services.suggestions.params import SuggestionRequest
from tracker.services.suggestions.suggest import (
    Suggestions,
    SuggestionView,
    suggestions_for_project,
    suggestions_for_text,
)

router = APIRouter(tags=["suggestions"])


class SimilarProjectPublic(BaseModel):
    code: str
    title: str
    similarity: float = Field(description="Cosine similarity of the two texts, 0 to 1")


class SuggestionPublic(BaseModel):
    code: str = Field(examples=["4.2"])
    label: str = Field(examples=["Cooperation against cybercrime"])
    score: float = Field(description="How close the text is to it, 0 to 1", examples=[0.41])
    reason: str = Field(description="The words that matched and the similar tagged projects")
    words: list[str] = Field(description="The words of the text that speak most for it")
    similar_projects: list[SimilarProjectPublic] = Field(
        description="The most similar projects already tagged with it"
    )


class SuggestionsPublic(BaseModel):
    objectives: list[SuggestionPublic] = Field(description="Best first")
    themes: list[SuggestionPublic] = Field(description="Best first")
    model_trained_at: datetime | None = Field(
        description="When the model last learned from the tagged projects; null: from the "
        "framework's statements alone"
    )


def _public(view: SuggestionView) -> SuggestionPublic:
    return SuggestionPublic(
        code=view.code,
        label=view.label,
        score=view.score,
        reason=view.reason,
        words=list(view.words),
        similar_projects=[
            SimilarProjectPublic(code=p.code, title=p.title, similarity=p.similarity)
            for p in view.similar
        ],
    )


def _answer(found: Suggestions) -> SuggestionsPublic:
    return SuggestionsPublic(
        objectives=[_public(v) for v in found.objectives],
        themes=[_public(v) for v in found.themes],
        model_trained_at=found.trained_at,
    )


@router.get(
    "/projects/{code:path}/suggestions",
    response_model=SuggestionsPublic,
    responses=refusals(401, 404),
    summary="The objectives and themes a project most likely serves",
)
def for_project(
    code: Annotated[str, Path(description="The project's code", examples=["CYB-2026-0042"])],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> SuggestionsPublic:
    """From its title and summary; its own tags and the suggestions dismissed for it are
    left out."""
    project = get_project(session=session, code=code)
    return _answer(suggestions_for_project(session=session, project=project))


@router.post(
    "/suggestions",
    response_model=SuggestionsPublic,
    responses=refusals(401, 403, body=True),
    summary="The objectives and themes a project with this title and summary most likely serves",
)
def for_text(
    body: SuggestionRequest, session: SessionDep, principal: CurrentPrincipal
) -> SuggestionsPublic:
    """Nothing is stored: the text is only read."""
    return _answer(suggestions_for_text(session=session, title=body.title, summary=body.summary))
