"""The suggestion model: TF-IDF profiles of the framework's objectives and themes, learned from
their own statements and from the projects tagged with them, and the tagged projects as
nearest neighbours.

Each objective and theme has a profile in two spaces, words (single words and pairs) and
character n-grams (3 to 5 letters within words, which match "organised" with "organized" and
"traffickers" with "trafficking"): its statement, its goal's statement (for an objective,
lightly) and the centroid of the projects tagged with it (principal tags fully, significant
ones a quarter), each normalised, summed and normalised again. A text is scored against every
profile by cosine similarity, the mean of both spaces. Its nearest tagged projects (cosine in
the word space) are found too: they are named in the reason, and can add a vote to the score
(NEIGHBOUR_WEIGHT), which measured worse on the held-out set and is off. The reason of a
suggestion is the words that weigh most in both the text and the profile, and the most similar
projects tagged with it.

Pure computation on numbers and text: `train` builds a model from labels and examples,
`SuggestionModel.suggest` answers for one text, `to_bytes` / `from_bytes` store it as numpy
arrays in an npz file (never a pickle, so loading one runs no code).
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from tracker.services.suggestions.items import Example, Label, Suggestion

FORMAT = 1  # a stored model of another format is not loaded; the next training replaces it

# How the profiles are made and the score is weighed (chosen on the held-out set, see
# bench/suggest.py and the README).
STATEMENT_WEIGHT = 1.0
GOAL_WEIGHT = 0.3
CENTROID_WEIGHT = 1.0
SIGNIFICANT_IN_CENTROID = 0.25
NEIGHBOUR_WEIGHT = 0.0  # 0.2 measured worse on the held-out set (bench/suggest.py)
SIGNIFICANT_IN_VOTE = 0.5
NEIGHBOURS = 10
WORD_FLOOR = 0.25  # a word of a reason weighs at least this share of the weightiest

# Bounds that keep training and memory in proportion at any portfolio size.
WORD_FEATURES = 100_000
CHAR_FEATURES = 100_000
PROFILE_SAMPLE = 20_000  # tagged projects the vocabulary and profiles learn from, at most
REVERSE_CANDIDATES = 200  # projects kept per objective or theme, most likely first

WORD_SETTINGS = {
    "analyzer": "word",
    # A word in more than a fifth of the texts tells objectives apart poorly and explains
    # nothing (a portfolio's "funded by", say): it is left out.
    "max_df": 0.2,
    "ngram_range": (1, 2),
    "stop_words": "english",
    "strip_accents": "unicode",
    "sublinear_tf": True,
    "dtype": np.float32,
}
CHAR_SETTINGS = {
    "analyzer": "char_wb",
    "ngram_range": (3, 5),
    "strip_accents": "unicode",
    "sublinear_tf": True,
    "dtype": np.float32,
}


def _vectorizer(settings: dict, *, max_features: int | None = None, vocabulary=None):
    return TfidfVectorizer(**settings, max_features=max_features, vocabulary=vocabulary)


def _label_documents(labels: Sequence[Label]) -> tuple[list[str], list[str]]:
    own = [f"{label.name}. {label.text}" for label in labels]
    context = [label.context for label in labels]
    return own, context


def _sample(examples: Sequence[Example], size: int, seed: int) -> list[Example]:
    if len(examples) <= size:
        return list(examples)
    return random.Random(seed).sample(list(examples), size)


def _tag_matrix(
    examples: Sequence[Example], index: dict[tuple[str, str], int], significant: float
) -> sparse.csr_matrix:
    rows, cols, values = [], [], []
    for i, example in enumerate(examples):
        for key, significance in example.tags.items():
            if key in index:
                rows.append(i)
                cols.append(index[key])
                values.append(1.0 if significance == 2 else significant)
    return sparse.csr_matrix(
        (np.array(values, dtype=np.float32), (rows, cols)),
        shape=(len(examples), len(index)),
        dtype=np.float32,
    )


def _profiles(vectorizer, own, context, sample_texts, sample_tags) -> sparse.csr_matrix:
    """Each label's profile in one space: statement + goal + centroid, each normalised."""
    profile = STATEMENT_WEIGHT * normalize(vectorizer.transform(own))
    # A theme has no goal: its row stays empty, and normalising leaves an empty row alone.
    profile = profile + GOAL_WEIGHT * normalize(vectorizer.transform(context))
    if sample_texts:  # else: from the statements alone
        centroid = sample_tags.T @ normalize(vectorizer.transform(sample_texts))
        profile = profile + CENTROID_WEIGHT * normalize(sparse.csr_matrix(centroid))
    return normalize(sparse.csr_matrix(profile, dtype=np.float32))


def train(
    labels: Sequence[Label],
    examples: Sequence[Example],
    *,
    projects: Sequence[tuple[int, str]] = (),
    seed: int = 0,
) -> SuggestionModel:
    """A model of `labels`, learned from their statements and from `examples` (tagged
    projects). `projects` (id, text), every project or the active ones, are ranked for each
    label so that `likely_projects` can name those most likely to serve it."""
    index = {label.key: i for i, label in enumerate(labels)}
    tagged = [e for e in examples if any(key in index for key in e.tags)]
    own, context = _label_documents(labels)
    sample = _sample(tagged, PROFILE_SAMPLE, seed)
    sample_texts = [e.text for e in sample]
    sample_tags = _tag_matrix(sample, index, SIGNIFICANT_IN_CENTROID)
    corpus = own + list(dict.fromkeys(c for c in context if c)) + sample_texts
    word = _vectorizer(WORD_SETTINGS, max_features=WORD_FEATURES).fit(corpus)
    char = _vectorizer(CHAR_SETTINGS, max_features=CHAR_FEATURES).fit(corpus)
    word_profiles = _profiles(word, own, context, sample_texts, sample_tags)
    char_profiles = _profiles(char, own, context, sample_texts, sample_tags)
    neighbours = (
        normalize(word.transform([e.text for e in tagged])).astype(np.float32)
        if tagged
        else sparse.csr_matrix((0, len(word.vocabulary_)), dtype=np.float32)
    )
    model = SuggestionModel(
        labels=list(labels),
        word=word,
        char=char,
        word_profiles=word_profiles,
        char_profiles=char_profiles,
        neighbours_t=sparse.csr_matrix(neighbours.T),
        neighbour_ids=np.array([e.project_id for e in tagged], dtype=np.int64),
        neighbour_tags=_tag_matrix(tagged, index, SIGNIFICANT_IN_VOTE),
        reverse=np.full((len(labels), 0), -1, dtype=np.int64),
        learned_from=len(tagged),
    )
    if projects:
        model.reverse = model.rank_projects(projects, examples)
    return model


class _Vector(NamedTuple):
    """A text in one space: its terms' indices and their weights (L2-normalised TF-IDF)."""

    indices: np.ndarray
    values: np.ndarray


class Scored(NamedTuple):
    score: np.ndarray  # per label
    word_score: np.ndarray  # per label, the word space alone
    word: _Vector
    word_block: np.ndarray  # the text's words x labels: their weights in every profile
    rows: np.ndarray  # nearest tagged projects (rows of the neighbour index), best first
    similarities: np.ndarray


class _Space:
    """One space at query time: the vectorizer's analyzer, vocabulary and idf, and the
    profiles as terms x labels, so that a text's few terms are read as a few rows. The same
    numbers as TfidfVectorizer.transform (sublinear tf, idf, L2), without its checks, which
    cost more than the arithmetic for one short text."""

    def __init__(self, vectorizer: TfidfVectorizer, profiles: sparse.csr_matrix):
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float32)
        self.profiles_t = sparse.csr_matrix(profiles.T)

    def vector(self, text: str) -> _Vector:
        counts = Counter(self.vocabulary[t] for t in self.analyze(text) if t in self.vocabulary)
        if not counts:
            return _Vector(np.array([], dtype=np.int64), np.array([], dtype=np.float32))
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1 + np.log(tf)) * self.idf[indices]
        values /= np.linalg.norm(values)
        order = np.argsort(indices)
        return _Vector(indices[order], values[order].astype(np.float32))

    def block(self, vector: _Vector) -> np.ndarray:
        return self.profiles_t[vector.indices].toarray()


class SuggestionModel:
    def __init__(
        self,
        *,
        labels: list[Label],
        word: TfidfVectorizer,
        char: TfidfVectorizer,
        word_profiles: sparse.csr_matrix,
        char_profiles: sparse.csr_matrix,
        neighbours_t: sparse.csr_matrix,
        neighbour_ids: np.ndarray,
        neighbour_tags: sparse.csr_matrix,
        reverse: np.ndarray,
        learned_from: int,
    ):
        self.labels = labels
        self.index = {label.key: i for i, label in enumerate(labels)}
        self.word, self.char = word, char
        self.word_profiles, self.char_profiles = word_profiles, char_profiles
        self.neighbours_t = neighbours_t  # terms x tagged projects
        self.neighbour_ids = neighbour_ids
        self.neighbour_tags = neighbour_tags  # tagged projects x labels
        self.reverse = reverse  # labels x REVERSE_CANDIDATES project ids, -1 past the end
        self.learned_from = learned_from
        self._terms = word.get_feature_names_out()
        self._word = _Space(word, word_profiles)
        self._char = _Space(char, char_profiles)
        self._kinds: dict[str, np.ndarray] = {}
        for i, label in enumerate(labels):
            self._kinds.setdefault(label.kind, [])
            self._kinds[label.kind].append(i)
        self._kinds = {k: np.array(v) for k, v in self._kinds.items()}

    # Scoring --------------------------------------------------------------------------

    def _neighbours(self, query: _Vector, skip: int | None):
        """The most similar tagged projects: their rows and similarities, best first. Only the
        projects that share a word with the text are looked at."""
        empty = np.array([], dtype=np.int64), np.array([], dtype=np.float32)
        if not self.neighbour_ids.size or not query.indices.size:
            return empty
        row = sparse.csr_matrix(
            (query.values, query.indices, [0, query.indices.size]),
            shape=(1, self.neighbours_t.shape[0]),
        )
        found = (row @ self.neighbours_t).tocsr()
        rows, similarities = found.indices, found.data
        if skip is not None:
            keep = self.neighbour_ids[rows] != skip
            rows, similarities = rows[keep], similarities[keep]
        if not rows.size:
            return empty
        count = min(NEIGHBOURS, rows.size)
        top = np.argpartition(-similarities, count - 1)[:count]
        top = top[np.argsort(-similarities[top], kind="stable")]
        top = top[similarities[top] > 0]
        return rows[top].astype(np.int64), similarities[top]

    def scores(self, document: str, *, skip_project: int | None = None) -> Scored:
        """Every label's score for the text, with what explains it: the text's words, their
        weights in every profile, and its nearest tagged projects."""
        word_q = self._word.vector(document)
        char_q = self._char.vector(document)
        word_block = self._word.block(word_q)  # the text's words x labels
        word_score = word_q.values @ word_block
        char_score = char_q.values @ self._char.block(char_q)
        score = (word_score + char_score) / 2
        rows, similarities = self._neighbours(word_q, skip_project)
        if rows.size and NEIGHBOUR_WEIGHT:
            votes = similarities @ self.neighbour_tags[rows].toarray()
            score = score + NEIGHBOUR_WEIGHT * votes / similarities.sum()
        return Scored(score, word_score, word_q, word_block, rows, similarities)

    def suggest(
        self,
        document: str,
        *,
        exclude: Iterable[tuple[str, str]] = (),
        skip_project: int | None = None,
        limits: dict[str, int] | None = None,
        min_score: float = 0.0,
    ) -> list[Suggestion]:
        """The objectives and themes the text most likely serves, best first, at most
        `limits[kind]` of each kind, leaving out `exclude`, (kind, code) pairs."""
        limits = limits if limits is not None else {"objective": 5, "theme": 3}
        scored = self.scores(document, skip_project=skip_project)
        score = scored.score
        excluded = {self.index[key] for key in exclude if key in self.index}
        neighbour_tags = self.neighbour_tags[scored.rows].toarray() if scored.rows.size else None
        taken = dict.fromkeys(limits, 0)
        found = []
        for i in np.argsort(-score, kind="stable"):
            label = self.labels[i]
            if i in excluded or taken.get(label.kind, 0) >= limits.get(label.kind, 0):
                continue
            if score[i] <= min_score:
                break
            taken[label.kind] += 1
            found.append(
                Suggestion(
                    kind=label.kind,
                    code=label.code,
                    name=label.name,
                    score=round(float(score[i]), 3),
                    words=self._matched_words(scored, i),
                    similar=self._similar(i, scored, neighbour_tags),
                )
            )
            if all(taken[k] >= limits[k] for k in limits):
                break
        return found

    def _matched_words(self, scored: Scored, i: int, count: int = 5) -> tuple:
        """The text's words that speak most for label i: weighty in the text and more in
        this label's profile than in the average profile of its kind (so a place or a donor
        that many projects name, whatever they serve, does not count as a reason)."""
        terms = scored.word.indices
        if not terms.size:
            return ()
        same_kind = self._kinds[self.labels[i].kind]
        block = scored.word_block
        specific = block[:, i] - block[:, same_kind].mean(axis=1)
        weights = scored.word.values * specific
        # Words far behind the weightiest one are noise more than reason.
        floor = max(float(weights.max()) * WORD_FLOOR, 1e-9)
        order = [j for j in np.argsort(-weights) if weights[j] >= floor][: count * 2]
        words: list[str] = []
        for term in self._terms[terms[order]]:
            # A pair says more than its words alone: keep it, drop the words it holds.
            if any(term in kept.split() for kept in words if " " in kept):
                continue
            if " " in term:
                words = [w for w in words if w not in term.split()]
            words.append(str(term))
        return tuple(words[:count])

    def _similar(self, i: int, scored: Scored, neighbour_tags, count: int = 3) -> tuple:
        if neighbour_tags is None:
            return ()
        return tuple(
            (int(self.neighbour_ids[row]), round(float(sim), 3))
            for row, sim, tag in zip(
                scored.rows, scored.similarities, neighbour_tags[:, i], strict=True
            )
            if tag > 0
        )[:count]

    # Projects most likely to serve a label (the Gaps page) ---------------------------

    def rank_projects(
        self, projects: Sequence[tuple[int, str]], examples: Sequence[Example]
    ) -> np.ndarray:
        """For each label, the projects whose words are closest to its profile, best first,
        leaving out those already tagged with it."""
        ids = np.array([pid for pid, _ in projects], dtype=np.int64)
        tagged = {e.project_id: set(e.tags) for e in examples}
        reverse = np.full((len(self.labels), REVERSE_CANDIDATES), -1, dtype=np.int64)
        if not ids.size:
            return reverse
        vectors = normalize(self.word.transform([text for _, text in projects]))
        scores = (vectors @ self.word_profiles.T).toarray()  # projects x labels
        keep = min(REVERSE_CANDIDATES * 2, ids.size)
        for i, label in enumerate(self.labels):
            column = scores[:, i]
            top = np.argpartition(-column, keep - 1)[:keep]
            top = top[np.argsort(-column[top], kind="stable")]
            chosen = [
                ids[row]
                for row in top
                if column[row] > 0 and label.key not in tagged.get(int(ids[row]), ())
            ][:REVERSE_CANDIDATES]
            reverse[i, : len(chosen)] = chosen
        return reverse

    def likely_projects(self, kind: str, code: str) -> list[int]:
        i = self.index.get((kind, code))
        if i is None or not self.reverse.size:
            return []
        return [int(pid) for pid in self.reverse[i] if pid >= 0]

    # Storing -----------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {}

        def text(name: str, value: str) -> None:
            arrays[name] = np.frombuffer(value.encode(), dtype=np.uint8)

        def matrix(name: str, value: sparse.csr_matrix) -> None:
            arrays[f"{name}_data"] = value.data.astype(np.float32)
            arrays[f"{name}_indices"] = value.indices.astype(np.int32)
            arrays[f"{name}_indptr"] = value.indptr.astype(np.int64)
            arrays[f"{name}_shape"] = np.array(value.shape, dtype=np.int64)

        meta = {
            "format": FORMAT,
            "labels": [[lb.kind, lb.code, lb.name, lb.text, lb.context] for lb in self.labels],
            "learned_from": self.learned_from,
        }
        text("meta", json.dumps(meta))
        for name, vectorizer in (("word", self.word), ("char", self.char)):
            text(f"{name}_terms", "\n".join(vectorizer.get_feature_names_out()))
            arrays[f"{name}_idf"] = vectorizer.idf_.astype(np.float32)
        matrix("word_profiles", self.word_profiles)
        matrix("char_profiles", self.char_profiles)
        matrix("neighbours_t", self.neighbours_t)
        matrix("neighbour_tags", self.neighbour_tags)
        arrays["neighbour_ids"] = self.neighbour_ids
        arrays["reverse"] = self.reverse
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SuggestionModel:
        """A stored model; ValueError when it is not one this version reads."""
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}

        def text(name: str) -> str:
            return arrays[name].tobytes().decode()

        def matrix(name: str) -> sparse.csr_matrix:
            return sparse.csr_matrix(
                (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]),
                shape=tuple(arrays[f"{name}_shape"]),
            )

        meta = json.loads(text("meta"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"a suggestion model of format {meta.get('format')}")
        vectorizers = {}
        for name, settings in (("word", WORD_SETTINGS), ("char", CHAR_SETTINGS)):
            terms = text(f"{name}_terms").split("\n")
            vectorizer = _vectorizer(settings, vocabulary={t: i for i, t in enumerate(terms)})
            vectorizer.idf_ = arrays[f"{name}_idf"]
            vectorizers[name] = vectorizer
        return cls(
            labels=[Label(*row) for row in meta["labels"]],
            word=vectorizers["word"],
            char=vectorizers["char"],
            word_profiles=matrix("word_profiles"),
            char_profiles=matrix("char_profiles"),
            neighbours_t=matrix("neighbours_t"),
            neighbour_ids=arrays["neighbour_ids"],
            neighbour_tags=matrix("neighbour_tags"),
            reverse=arrays["reverse"],
            learned_from=int(meta["learned_from"]),
        )

    def memory_bytes(self) -> int:
        """The arrays this model holds, about (the vocabularies' dictionaries come on top)."""
        total = 0
        for value in (
            self.word_profiles,
            self.char_profiles,
            self.neighbours_t,
            self.neighbour_tags,
        ):
            total += value.data.nbytes + value.indices.nbytes + value.indptr.nbytes
        return total + self.neighbour_ids.nbytes + self.reverse.nbytes
