"""The trained model: kept in the database, so that every process and instance serves the same
one, and held in memory by each process that uses it.

Training (`train`, by the scheduler when the fingerprint of the projects, tags and framework
moved, or by `tracker suggest train`) reads the whole portfolio, learns, and stores the model as
a new row; older rows go. No request ever trains. A process asks which model is newest (one
small query per use) and loads it when it is not the one it holds: the first time while the
request waits, afterwards in the background while the model it holds keeps answering. Until a
model has been trained, suggestions come from the framework's statements alone, a model made in
memory from the framework (a few milliseconds).

What is suggested for a project is decided against the database at the time of the request
(its own tags and the dismissed suggestions are left out, the projects named in a reason still
exist), so a model a minute old suggests a little less well, never wrongly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.models import SuggestionModel as StoredModel
from tracker.services.suggestions import corpus

log = logging.getLogger(__name__)

MAX_HELD = 4  # models a process holds at once (one per database it serves)


if TYPE_CHECKING:
    from tracker.services.suggestions.model import SuggestionModel


@dataclass(frozen=True)
class Current:
    """The model a process answers with: trained_at None for the framework-only model."""

    model: SuggestionModel
    trained_at: datetime | None
    identity: tuple


@dataclass(frozen=True)
class TrainReport:
    projects: int  # tagged projects learned from
    ranked: int  # projects ranked for each objective and theme
    size_bytes: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"learned from {self.projects:,} tagged projects, ranked {self.ranked:,} projects; "
            f"{self.size_bytes / 1e6:.1f} MB stored, in {self.seconds:.1f} s"
        )


_held: OrderedDict[tuple, Current] = OrderedDict()
_loading: set[tuple] = set()
_lock = threading.Lock()


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _hold(key: tuple, current: Current) -> None:
    with _lock:
        _held[key] = current
        _held.move_to_end(key)
        while len(_held) > MAX_HELD:
            _held.popitem(last=False)


def _held_for(url: str) -> Current | None:
    with _lock:
        for (held_url, _), current in reversed(_held.items()):
            if held_url == url:
                return current
    return None


# Training ----------------------------------------------------------------------------------


def train_and_store(engine: Engine, *, force: bool = False) -> TrainReport | None:
    """Train on the portfolio as it is and store the model; None when nothing changed since
    the stored model (unless `force`) or there is no active framework."""
    from tracker.services.suggestions.model import train

    began = time.perf_counter()
    with Session(engine) as session:
        print_ = corpus.fingerprint(session)
        latest = session.execute(
            select(StoredModel.fingerprint).order_by(StoredModel.id.desc()).limit(1)
        ).scalar()
        if latest == print_ and not force:
            return None
        framework = corpus.active_framework(session)
        if framework is None:
            return None
        labels = corpus.framework_labels(session, framework.id)
        texts, examples = [], []
        for batch_texts, batch_examples in corpus.projects(session, framework.id):
            texts += batch_texts
            examples += batch_examples
    model = train(labels, examples, projects=texts)
    data = model.to_bytes()
    with Session(engine) as session:
        row = StoredModel(
            fingerprint=print_,
            framework_id=framework.id,
            projects=model.learned_from,
            size_bytes=len(data),
            data=data,
        )
        session.add(row)
        session.flush()
        session.execute(delete(StoredModel).where(StoredModel.id < row.id))
        session.commit()
        identity = (row.id, row.trained_at)
    _hold((str(engine.url), identity), Current(model, identity[1], identity))
    return TrainReport(model.learned_from, len(texts), len(data), time.perf_counter() - began)


# Using -------------------------------------------------------------------------------------


def _load(engine: Engine, identity: tuple) -> Current | None:
    from tracker.services.suggestions.model import SuggestionModel

    with Session(engine) as session:
        data = session.execute(
            select(StoredModel.data).where(StoredModel.id == identity[0])
        ).scalar()
    if data is None:  # replaced meanwhile; the next use finds the newer one
        return None
    try:
        model = SuggestionModel.from_bytes(data)
    except ValueError:
        log.warning("The stored suggestion model is of another format; it waits for training")
        return None
    current = Current(model, identity[1], identity)
    _hold((str(engine.url), identity), current)
    return current


def _load_in_background(engine: Engine, identity: tuple) -> None:
    key = (str(engine.url), identity)
    with _lock:
        if key in _loading:
            return
        _loading.add(key)

    def run():
        try:
            _load(engine, identity)
        except Exception:
            log.exception("Could not load the suggestion model; the one held keeps answering")
        finally:
            with _lock:
                _loading.discard(key)

    threading.Thread(target=run, name="suggestion-model-load", daemon=True).start()


def _framework_only(session: Session, engine: Engine) -> Current | None:
    from tracker.services.suggestions.model import train

    framework = corpus.active_framework(session)
    if framework is None:
        return None
    identity = ("framework", framework.id, framework.loaded_at)
    key = (str(engine.url), identity)
    with _lock:
        held = _held.get(key)
    if held is not None:
        return held
    current = Current(train(corpus.framework_labels(session, framework.id), []), None, identity)
    _hold(key, current)
    return current


def current_model(session: Session, *, newest=None) -> Current | None:
    """The newest stored model (loaded now, or the one held while it loads), or the
    framework-only model before any training; None without an active framework. `newest`:
    the newest stored model's id and time, when the caller has read them."""
    engine = _engine_of(session)
    newest = newest or _newest(session)
    if newest is None:
        return _framework_only(session, engine)
    identity = (newest.id, newest.trained_at)
    with _lock:
        held = _held.get((str(engine.url), identity))
    if held is not None:
        return held
    older = _held_for(str(engine.url))
    if older is not None and older.trained_at is not None:
        _load_in_background(engine, identity)
        return older
    return _load(engine, identity) or _framework_only(session, engine)


def trained_model(session: Session) -> Current | None:
    """The newest stored model, as `current_model` gives it; None before any training."""
    newest = _newest(session)
    if newest is None:
        return None
    current = current_model(session, newest=newest)
    return current if current is not None and current.trained_at is not None else None


def _newest(session: Session):
    return session.execute(
        select(StoredModel.id, StoredModel.trained_at).order_by(StoredModel.id.desc()).limit(1)
    ).first()


def stored_model(session: Session) -> StoredModel | None:
    """The newest stored model's row, without its data (for `tracker suggest` and the README's
    figures)."""
    row = session.execute(
        select(
            StoredModel.id,
            StoredModel.trained_at,
            StoredModel.projects,
            StoredModel.size_bytes,
        )
        .order_by(StoredModel.id.desc())
        .limit(1)
    ).first()
    return row
