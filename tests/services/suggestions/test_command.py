"""`tracker suggest train` and `tracker suggest CODE`, as a person runs them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests import factories
from tracker.cli import app
from tracker.config import get_settings
from tracker.db import make_engine, session_scope


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    # English, whatever the terminal running the tests speaks (tests/test_cli_languages.py
    # runs the command in the others).
    monkeypatch.setenv("TRACKER_LANGUAGE", "en")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_train_then_print_a_projects_suggestions(cli, framework, database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        tagged = factories.project(session, title="Wildlife crime", summary="Poaching of rhinos.")
        factories.objective_tag(session, tagged, "7.3")
        factories.project(
            session,
            code="OEC-CLI-1",
            title="Rangers against poaching",
            summary="Poaching of rhinos in national parks.",
        )
    engine.dispose()
    before = cli.invoke(app, ["suggest", "OEC-CLI-1"])
    assert before.exit_code == 0, before.output
    assert "From the framework's statements alone" in before.output
    trained = cli.invoke(app, ["suggest", "train"])
    assert trained.exit_code == 0, trained.output
    assert "learned from 1 tagged projects, ranked 2 projects" in trained.output
    again = cli.invoke(app, ["suggest", "train"])
    assert "up to date" in again.output
    result = cli.invoke(app, ["suggest", "OEC-CLI-1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "OEC-CLI-1 Rangers against poaching"
    assert lines[1] == "Objectives:" and lines[2].split()[0] == "7.3"
    assert "Words in common: “poaching rhinos”" in lines[3]
    assert "Tagged so: " in lines[3] and tagged.code in lines[3]
    assert "on 1 tagged projects" in result.output
    missing = cli.invoke(app, ["suggest", "NOPE-1"])
    assert missing.exit_code == 1 and "There is no project NOPE-1" in missing.output
