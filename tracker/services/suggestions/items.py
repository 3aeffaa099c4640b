"""What the suggestion model knows and answers, as plain values: the framework's objectives
and themes (labels), the tagged projects it learns from (examples), and its suggestions. Kept
apart from the model so that the pages, which only read these, do not load numpy, scipy and
scikit-learn until a suggestion is asked for."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Label:
    """An objective or theme as the model knows it."""

    kind: str  # "objective" or "theme"
    code: str
    name: str
    text: str  # its statement, or a theme's statements
    context: str = ""  # an objective's goal statement

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.code)


@dataclass(frozen=True)
class Example:
    """A tagged project: its text and its tags, (kind, code) -> significance (2 or 1)."""

    project_id: int
    text: str
    tags: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    kind: str
    code: str
    name: str
    score: float
    words: tuple[str, ...]  # what matched, weightiest first
    similar: tuple[tuple[int, float], ...]  # (project id, similarity) of neighbours so tagged
