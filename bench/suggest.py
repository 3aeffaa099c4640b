"""How well tag suggestions find a project's principal objectives, on held-out projects.

    .venv/bin/python -m bench.suggest [--folds 5] [--database URL]

The held-out set (bench/data/suggest_heldout.yaml) holds project texts written for this
purpose, apart from the demo catalogue, each labelled with its principal objectives and its
themes. The model learns as in production: from the framework's statements and the tagged
projects of a database (by default a new SQLite database with the demo portfolio of 300
projects, made in a temporary folder), read through the same code as `tracker suggest train`.

Two protocols:
- held out: the model never sees the held-out projects;
- k-fold cross-validation: the held-out projects are cut into k folds; each fold is suggested
  for by a model that also learned from the other folds as tagged projects (as a portfolio
  whose managers have tagged similar work already).

A hit is a principal objective of the project among the first n objectives suggested (top-1,
top-3); the reciprocal rank is 1 / the rank of the first principal objective; for themes, a
hit is any of the project's themes. Each variant of the model is measured the same way, the
one the tracker uses last.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import yaml
from sqlmodel import Session

from tracker.db import make_engine, session_scope
from tracker.services import schema
from tracker.services.demo import seed_demo_portfolio
from tracker.services.framework.loader import load_framework
from tracker.services.reference.load import load_reference_data
from tracker.services.suggestions import corpus
from tracker.services.suggestions import model as suggestion_model
from tracker.services.suggestions.model import Example, train
from tracker.services.suggestions.text import document

HERE = Path(__file__).parent
HELD_OUT = HERE / "data" / "suggest_heldout.yaml"
RESULTS = HERE / "results"
FRAMEWORK = HERE.parent / "seeds" / "frameworks" / "gpg-2023.yaml"

# Variants: module settings that differ from the tracker's own (the last, "tracker").
VARIANTS = {
    "statements only (no project learned from)": {"learn": False},
    "words only, statements and centroids": {"CHAR": False, "NEIGHBOUR_WEIGHT": 0.0},
    "nearest neighbours alone (10, votes by similarity)": {"NEIGHBOURS_ONLY": True},
    "words and characters, statements, centroids, neighbour votes": {"NEIGHBOUR_WEIGHT": 0.2},
    "tracker: words and characters, statements and centroids": {},
}


def held_out() -> list[dict]:
    return yaml.safe_load(HELD_OUT.read_text())["projects"]


def demo_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'suggest.db'}"
    schema.upgrade(database_url=url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference_data(session=session)
        load_framework(session=session, path=FRAMEWORK, activate=True)
        seed_demo_portfolio(session=session, projects=300, seed=2023)
    engine.dispose()
    return url


def portfolio(url: str):
    engine = make_engine(url)
    with Session(engine) as session:
        framework = corpus.active_framework(session)
        labels = corpus.framework_labels(session, framework.id)
        examples = [e for _, batch in corpus.projects(session, framework.id) for e in batch]
    engine.dispose()
    return labels, examples


def _as_example(n: int, item: dict) -> Example:
    tags = {("objective", code): 2 for code in item["principal"]}
    tags |= {("theme", code): 1 for code in item.get("themes", [])}
    return Example(-(n + 1), document(item["title"], item["summary"]), tags)


@contextmanager
def _settings(variant: dict):
    saved = {k: getattr(suggestion_model, k) for k in ("NEIGHBOUR_WEIGHT", "CHAR_SETTINGS")}
    try:
        if "NEIGHBOUR_WEIGHT" in variant:
            suggestion_model.NEIGHBOUR_WEIGHT = variant["NEIGHBOUR_WEIGHT"]
        yield
    finally:
        for k, v in saved.items():
            setattr(suggestion_model, k, v)


def _ranks(model, items, variant) -> tuple[list[int], list[int]]:
    """The rank of the first principal objective and of the first theme, per project."""
    objective_ranks, theme_ranks = [], []
    for item in items:
        text = document(item["title"], item["summary"])
        scored = model.scores(text)
        score = scored.score
        if variant.get("CHAR") is False:
            score = scored.word_score
        if variant.get("NEIGHBOURS_ONLY"):
            score = np.zeros(len(model.labels))
            if scored.rows.size:
                score = scored.similarities @ model.neighbour_tags[scored.rows].toarray()
        for kind, wanted, ranks in (
            ("objective", set(item["principal"]), objective_ranks),
            ("theme", set(item.get("themes", [])), theme_ranks),
        ):
            if not wanted:
                continue
            order = [
                model.labels[i].code
                for i in np.argsort(-score, kind="stable")
                if model.labels[i].kind == kind
            ]
            ranks.append(min(order.index(code) + 1 for code in wanted))
    return objective_ranks, theme_ranks


def _figures(ranks: list[int]) -> dict:
    r = np.array(ranks)
    return {
        "projects": len(r),
        "top1": round(float(np.mean(r == 1)), 3),
        "top3": round(float(np.mean(r <= 3)), 3),
        "mrr": round(float(np.mean(1 / r)), 3),
    }


def measure(labels, examples, items, *, folds: int, variant: dict) -> dict:
    learned = examples if variant.get("learn", True) else []
    with _settings(variant):
        if folds <= 1:
            model = train(labels, learned)
            objectives, themes = _ranks(model, items, variant)
        else:
            objectives, themes = [], []
            for fold in range(folds):
                test = [it for n, it in enumerate(items) if n % folds == fold]
                extra = [_as_example(n, it) for n, it in enumerate(items) if n % folds != fold]
                model = train(labels, [*learned, *extra] if variant.get("learn", True) else [])
                o, t = _ranks(model, test, variant)
                objectives += o
                themes += t
    return {"objectives": _figures(objectives), "themes": _figures(themes)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--database", help="a database with the framework and tagged projects (default: demo)"
    )
    args = parser.parse_args()
    items = held_out()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or demo_database(Path(folder))
        labels, examples = portfolio(url)
    print(
        f"Held-out projects: {len(items)} "
        f"({sum(len(i['principal']) > 1 for i in items)} with two principal objectives); "
        f"learned from {len(examples)} tagged projects and {len(labels)} objectives and themes."
    )
    results = {}
    header = f"{'model':<68} {'protocol':<18} {'top-1':>6} {'top-3':>6} {'MRR':>6}"
    header += "  themes top-1/top-3"
    print(header)
    print("-" * len(header))
    for name, variant in VARIANTS.items():
        for protocol, folds in (("held out", 1), (f"{args.folds}-fold CV", args.folds)):
            figures = measure(labels, examples, items, folds=folds, variant=variant)
            results[f"{name} | {protocol}"] = figures
            o, t = figures["objectives"], figures["themes"]
            print(
                f"{name:<68} {protocol:<18} {o['top1']:>6.3f} {o['top3']:>6.3f} {o['mrr']:>6.3f}"
                f"  {t['top1']:.3f} / {t['top3']:.3f}"
            )
    print(f"({time.perf_counter() - began:.1f} s)")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = RESULTS / f"suggest-{stamp}.json"
    out.write_text(json.dumps({"held_out": len(items), "results": results}, indent=2) + "\n")
    print(f"Wrote {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
