"""The `tracker` command, run as a person would run it."""

from __future__ import annotations

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.config import get_settings
from tracker.db import make_engine, session_scope
from tracker.models import Framework, Project


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_setup_twice_adds_only_what_is_missing(cli, database_url):
    first = cli.invoke(app, ["setup", "--demo-projects", "25"])
    assert first.exit_code == 0, first.output
    assert "Demo portfolio: added 25 projects" in first.output
    second = cli.invoke(app, ["setup", "--demo-projects", "25"])
    assert second.exit_code == 0, second.output
    assert "Reference data: already up to date." in second.output
    assert "Framework GPG-2023: already up to date, nothing changed." in second.output
    assert "projects already exist, nothing added" in second.output
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 25
        assert session.exec(select(func.count()).select_from(Framework)).one() == 1
    engine.dispose()


def test_framework_load_reports_problems_and_fails(cli, tmp_path):
    assert cli.invoke(app, ["reference", "load"]).exit_code == 0
    path = tmp_path / "broken.yaml"
    path.write_text(
        'code: B\nname: B\nversion: "1"\ngoals:\n'
        "  - {code: G, short_name: G, statement: S, sdgs: [99], objectives: [{code: 1.1}]}\n",
        encoding="utf-8",
    )
    result = cli.invoke(app, ["framework", "load", str(path)])
    assert result.exit_code == 1
    assert f"{path} was not loaded; 3 problem(s):" in result.output
    assert f"{path}: goals[0].objectives[0].code: must be text" in result.output
    assert f"{path}: goals[0].objectives[0].statement: required field is missing" in result.output
    assert f"{path}: goals[0].sdgs[0]: unknown SDG 99; allowed: 1 to 17" in result.output


def test_db_check_passes_on_a_migrated_database(cli):
    result = cli.invoke(app, ["db", "check"])
    assert result.exit_code == 0
    assert "matches the models" in result.output
