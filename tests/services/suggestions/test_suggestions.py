"""Suggestions from the project's own words: what ranks first, what is never offered, how the
model is trained, stored and picked up by every process."""

from __future__ import annotations

import io

import numpy as np
import pytest
from sqlmodel import select

from tests import factories
from tracker.db import session_scope
from tracker.models import AuditEvent, Objective, ObjectiveTag, SuggestionDismissal
from tracker.services.accounts.permissions import Principal
from tracker.services.audit.describe import describe
from tracker.services.errors import InputError, NotAllowed
from tracker.services.suggestions import model as model_module
from tracker.services.suggestions import store
from tracker.services.suggestions.decisions import accept_suggestion, dismiss_suggestion
from tracker.services.suggestions.model import SuggestionModel
from tracker.services.suggestions.screening import screening_queue
from tracker.services.suggestions.suggest import (
    likely_projects,
    suggestions_for_project,
    suggestions_for_text,
)
from tracker.services.suggestions.text import document, register_evidence


def _principal(session, role="admin", programmes=()):
    user = factories.user(session, role=role, programmes=list(programmes))
    ids = frozenset(factories.programme(session, code).id for code in programmes)
    return Principal(user=user, programme_ids=ids, via="session")


def _codes(found) -> list[str]:
    return [s.code for s in found.objectives]


def test_a_text_quoting_an_objective_ranks_it_first(framework):
    """Every objective, quoted in a project's summary, is the first suggestion, before and
    after the model learns from tagged projects."""
    with session_scope(framework) as session:
        project = factories.project(session, title="Cyber unit", summary="Cybercrime work.")
        factories.objective_tag(session, project, "4.2")
        objectives = session.exec(select(Objective)).all()
        for trained in (False, True):
            if trained:
                session.commit()
                store.train_and_store(framework)
            for objective in objectives:
                found = suggestions_for_text(
                    session=session,
                    title="A new project",
                    summary=f"The project will {objective.statement[0].lower()}"
                    f"{objective.statement[1:]}",
                )
                assert _codes(found)[0] == objective.code, (trained, objective.code)


def test_own_tags_are_never_suggested_back_and_dismissed_ones_stay_dismissed(framework):
    with session_scope(framework) as session:
        admin = _principal(session)
        project = factories.project(
            session,
            code="CYB-RANSOM",
            title="Ransomware operation",
            summary="Coordinate and enhance law enforcement cooperation to prevent, detect, "
            "investigate and disrupt cybercrime such as ransomware.",
        )
        before = suggestions_for_project(session=session, project=project)
        assert _codes(before)[0] == "4.2"
        factories.objective_tag(session, project, "4.2")
        factories.theme_tag(session, project, "V")
        after = suggestions_for_project(session=session, project=project)
        assert "4.2" not in _codes(after)
        assert "V" not in [s.code for s in after.themes]
        dismissed = _codes(after)[0]
        assert dismiss_suggestion(
            session=session, project=project, kind="objective", code=dismissed, principal=admin
        )
        # Dismissing again changes nothing.
        assert not dismiss_suggestion(
            session=session, project=project, kind="objective", code=dismissed, principal=admin
        )
        session.commit()
    store.train_and_store(framework)  # a new model does not bring it back
    with session_scope(framework) as session:
        project = factories.project_by_code(session, "CYB-RANSOM")
        found = suggestions_for_project(session=session, project=project, limits={"objective": 38})
        assert dismissed not in _codes(found)
        assert "4.2" not in _codes(found)
        assert found.objectives and len(found.objectives) <= 36
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity_type == "suggestion")
        ).all()
        assert [e.action for e in events] == ["dismiss"]
        assert describe(events[0]).startswith(f"{admin.user.full_name} dismissed the suggestion")


def test_accepting_tags_the_project_as_significant_and_is_audited(framework):
    with session_scope(framework) as session:
        admin = _principal(session)
        project = factories.project(session, title="Asset recovery network")
        accept_suggestion(
            session=session,
            project=project,
            kind="objective",
            code="5.5",
            expected_version=project.version,
            principal=admin,
        )
        session.commit()
        tag = session.exec(select(ObjectiveTag).where(ObjectiveTag.project_id == project.id)).one()
        assert tag.significance == 1
        actions = [
            (e.entity_type, e.action)
            for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        ]
        assert actions[-2:] == [("objective_tag", "tag"), ("suggestion", "accept")]
        with pytest.raises(InputError) as refused:
            accept_suggestion(
                session=session,
                project=project,
                kind="objective",
                code="5.5",
                expected_version=project.version,
                principal=admin,
            )
        assert "already tagged" in refused.value.errors["code"]
        with pytest.raises(InputError) as unknown:
            dismiss_suggestion(
                session=session, project=project, kind="objective", code="9.9", principal=admin
            )
        assert "unknown objective" in unknown.value.errors["code"]
        other = _principal(session, role="manager", programmes=["CT"])
        with pytest.raises(NotAllowed):
            dismiss_suggestion(
                session=session, project=project, kind="theme", code="I", principal=other
            )
        assert session.exec(select(SuggestionDismissal)).all() == []


def test_training_stores_one_model_that_another_process_loads(framework):
    with session_scope(framework) as session:
        for n in range(3):
            project = factories.project(
                session, title=f"Wildlife crime operation {n}", summary="Poaching of rhinos."
            )
            factories.objective_tag(session, project, "7.3")
        target = factories.project(
            session, code="OEC-IDLE", title="Rhino poaching", status="active"
        )
    report = store.train_and_store(framework)
    assert report.projects == 3 and report.ranked == 4
    assert store.train_and_store(framework) is None  # nothing changed
    store._held.clear()  # as another process: it has no model yet
    with session_scope(framework) as session:
        current = store.current_model(session)
        assert current.trained_at is not None and current.model.learned_from == 3
        found = suggestions_for_project(
            session=session, project=factories.project_by_code(session, "OEC-IDLE")
        )
        assert found.objectives[0].code == "7.3"
        assert found.objectives[0].similar and found.objectives[0].similar[0].code.startswith(
            "TEST-"
        )
        assert "poaching" in found.objectives[0].words
        likely = likely_projects(session=session, kind="objective", code="7.3")
        assert [p.code for p in likely] == [target.code]
        # A project tagged since is not offered again as likely to serve it.
        factories.objective_tag(session, factories.project_by_code(session, "OEC-IDLE"), "7.3")
        assert likely_projects(session=session, kind="objective", code="7.3") == []
        session.commit()
    assert store.train_and_store(framework) is not None  # a tag changed: trained again


def test_a_stored_model_round_trips_and_never_unpickles(framework, monkeypatch):
    store.train_and_store(framework)
    with session_scope(framework) as session:
        current = store.current_model(session)
        data = current.model.to_bytes()
    again = SuggestionModel.from_bytes(data)
    text = document("Border document fraud", "Forged passports at airports.")
    assert again.suggest(text) == current.model.suggest(text)
    # A file holding a pickled object is refused, not run.
    hostile = io.BytesIO()
    np.savez(hostile, meta=np.array([{"format": 1}], dtype=object))
    with pytest.raises(ValueError):
        SuggestionModel.from_bytes(hostile.getvalue())
    monkeypatch.setattr(model_module, "FORMAT", 2)
    with pytest.raises(ValueError):
        SuggestionModel.from_bytes(data)


def test_evidence_words_count(framework):
    with session_scope(framework) as session:
        project = factories.project(session, code="EVID-1", title="Programme support", summary="")

        def sectors(session, ids):
            return {project.id: ["Wildlife, biodiversity, poaching of threatened species"]}

        register_evidence(sectors)
        try:
            found = suggestions_for_project(session=session, project=project)
        finally:
            from tracker.services.suggestions import text

            text._SOURCES.remove(sectors)
        assert found.objectives[0].code == "7.3"


def test_the_screening_queue_walks_a_managers_unscreened_projects(framework):
    with session_scope(framework) as session:
        manager = _principal(session, role="manager", programmes=["CYB"])
        for code in ("CYB-1", "CYB-2", "CYB-3"):
            factories.project(session, code=code)
        factories.project(session, code="CYB-0", screened_at=factories.utcnow())
        factories.project(session, code="CYB-9", status="completed")
        ct = factories.programme(session, "CT")
        factories.project(session, code="CT-1", programme_id=ct.id)
        queue = screening_queue(session=session, principal=manager)
        assert (queue.project.code, queue.position, queue.waiting) == ("CYB-1", 1, 3)
        assert (queue.screened, queue.total, queue.percent_screened) == (1, 4, 25)
        assert screening_queue(session=session, principal=manager, after="CYB-1").project.code == (
            "CYB-2"
        )
        # Past the end, from the start again; a project not waiting is not shown.
        assert screening_queue(session=session, principal=manager, after="CYB-3").project.code == (
            "CYB-1"
        )
        assert screening_queue(session=session, principal=manager, at="CT-1").project.code == (
            "CYB-1"
        )


def test_the_scheduler_retrains_when_tags_change(framework):
    from tracker.config import Settings
    from tracker.scheduler import build_scheduler

    scheduler = build_scheduler(engine=framework, settings=Settings(env="test"), blocking=False)
    job = scheduler.get_job("suggestions.train")
    assert job is not None and job.trigger.interval.total_seconds() == 60

    def stored():
        with session_scope(framework) as session:
            row = store.stored_model(session)
            return (row.id, row.projects) if row else None

    job.func()
    first = stored()
    assert first is not None and first[1] == 0
    job.func()
    assert stored() == first  # nothing changed, nothing trained
    with session_scope(framework) as session:
        factories.objective_tag(session, factories.project(session), "2.5")
    job.func()
    assert stored()[1] == 1 and stored()[0] != first[0]
