"""The `tracker` command, run as a person would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import func, select
from typer.testing import CliRunner

from tests import factories
from tests.conftest import GPG_FILE
from tests.files import spreadsheet_csv
from tests.names import PROGRAMMES
from tracker.cli import app
from tracker.config import get_settings
from tracker.db import make_engine, session_scope
from tracker.models import Framework, Project, User
from tracker.services.accounts.secrets import verify_password
from tracker.services.accounts.users import programme_codes


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    # English, whatever the terminal running the tests speaks (tests/test_cli_languages.py
    # runs the command in the others).
    monkeypatch.setenv("TRACKER_LANGUAGE", "en")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_setup_twice_adds_only_what_is_missing(cli, database_url):
    first = cli.invoke(app, ["setup", "--demo-projects", "25"])
    assert first.exit_code == 0, first.output
    assert "Demo portfolio: added 25 projects" in first.output
    for language in ("French", "Spanish", "Arabic"):
        assert (
            f"{language} translation of GPG-2023 (unofficial working translation): stored 7 goals"
            in first.output
        )
    assert "Weekly snapshots: 12 stored." in first.output  # the Overview's twelve weeks
    second = cli.invoke(app, ["setup", "--demo-projects", "25"])
    assert second.exit_code == 0, second.output
    assert "Reference data: already up to date." in second.output
    assert "Framework GPG-2023: already up to date, nothing changed." in second.output
    assert "projects already exist, nothing added" in second.output
    assert "translation of GPG-2023" not in second.output  # each language has one already
    assert "Weekly snapshots: 0 stored." in second.output
    # The older weeks, when asked for (the scheduler stores them a few at a time).
    older = cli.invoke(app, ["history", "rebuild", "--if-stale", "--weeks", "14"])
    assert "Weekly snapshots: 2 stored." in older.output, older.output
    refused = cli.invoke(app, ["history", "rebuild", "--weeks", "0"])
    assert refused.exit_code == 2 and "--weeks" in refused.output, refused.output
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


def test_framework_load_translation(cli, framework, tmp_path):
    shipped = GPG_FILE.with_name("gpg-2023.es.yaml")
    again = cli.invoke(app, ["framework", "load-translation", str(shipped)])
    assert again.exit_code == 0, again.output
    assert (
        "Spanish translation of GPG-2023 (unofficial working translation): already up to date"
        in again.output
    )
    official = tmp_path / "gpg-2023.es.official.yaml"
    official.write_text(
        shipped.read_text(encoding="utf-8").replace("official: false", "official: true"),
        encoding="utf-8",
    )
    loaded = cli.invoke(app, ["framework", "load-translation", str(official)])
    assert loaded.exit_code == 0, loaded.output
    assert (
        "Spanish translation of GPG-2023 (official): stored 7 goals, 38 objectives" in loaded.output
    )
    assert "it replaces the unofficial working translation" in loaded.output
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        shipped.read_text(encoding="utf-8").replace('- code: "4.4"', '- code: "4.9"'),
        encoding="utf-8",
    )
    refused = cli.invoke(app, ["framework", "load-translation", str(broken)])
    assert refused.exit_code == 1
    assert f"{broken} was not loaded; 2 problem(s):" in refused.output
    assert f'{broken}: goals[3].objectives[3].code: unknown objective "4.9"' in refused.output
    assert f'{broken}: goals[3].objectives: objective "4.4" is missing' in refused.output


def test_db_check_passes_on_a_migrated_database(cli):
    result = cli.invoke(app, ["db", "check"])
    assert result.exit_code == 0
    assert "matches the models" in result.output


def test_user_add_and_set_password(cli, database_url):
    assert cli.invoke(app, ["reference", "load"]).exit_code == 0
    added = cli.invoke(
        app,
        [
            "user",
            "add",
            "Ana.Costa@example.org",
            "--role",
            "manager",
            "--programme",
            "CYB",
            "--programme",
            "FCAC",
            "--name",
            "Ana Costa",
        ],
        input="first password\nfirst password\n",
    )
    assert added.exit_code == 0, added.output
    assert "Created manager Ana Costa <ana.costa@example.org>." in added.output
    refused = cli.invoke(
        app,
        [
            "user",
            "add",
            "x@example.org",
            "--role",
            "manager",
            "--programme",
            "NOPE",
            "--name",
            "X",
            "--no-password",
        ],
    )
    assert refused.exit_code == 1
    assert f"programmes: unknown programme NOPE; allowed: {PROGRAMMES}" in refused.output
    short = cli.invoke(
        app, ["user", "set-password", "ana.costa@example.org"], input="short\nshort\n"
    )
    assert short.exit_code == 1
    assert "password: must be at least 10 characters long" in short.output
    changed = cli.invoke(
        app,
        ["user", "set-password", "ana.costa@example.org"],
        input="second password\nsecond password\n",
    )
    assert changed.exit_code == 0, changed.output
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.email == "ana.costa@example.org")).one()
        assert verify_password("second password", user.password_hash)[0]
        assert sorted(programme_codes(session=session, user_id=user.id)) == ["CYB", "FCAC"]
    engine.dispose()
    missing = cli.invoke(
        app,
        ["user", "set-password", "nobody@example.org"],
        input="long enough pw\nlong enough pw\n",
    )
    assert (
        missing.exit_code == 1 and "There is no account for nobody@example.org." in missing.output
    )


def test_setup_prints_demo_logins(cli):
    result = cli.invoke(app, ["setup", "--demo-projects", "5"])
    assert result.exit_code == 0, result.output
    assert "admin    admin@example.org      password demo-admin-pass" in result.output
    assert "(Ana Costa, edits CYB and FCAC)" in result.output


def test_digest_preview_and_send_now(cli, database_url, smtp_server, monkeypatch):
    assert cli.invoke(app, ["setup", "--demo-projects", "20"]).exit_code == 0
    preview = cli.invoke(app, ["digest", "preview", "manager@example.org"])
    assert preview.exit_code == 0, preview.output
    assert preview.output.startswith("Subject: Weekly portfolio digest")
    assert "Hello Ana Costa," in preview.output
    assert cli.invoke(app, ["digest", "preview", "nobody@example.org"]).exit_code == 1

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for user in session.exec(select(User)).all():
            factories.subscription(
                session,
                user,
                frequency="daily",
                hour=0,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
    engine.dispose()
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(smtp_server.port))
    get_settings.cache_clear()
    sent = cli.invoke(app, ["digest", "send", "--now"])
    assert sent.exit_code == 0, sent.output
    assert "3 digest(s) written; 3 sent" in sent.output
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "admin@example.org",
        "manager@example.org",
        "viewer@example.org",
    ]
    again = cli.invoke(app, ["digest", "send", "--now"])
    assert "0 digest(s) written" in again.output


def test_import_and_export_from_the_command_line(cli, database_url, tmp_path):
    from tracker.services.exchange.spreadsheet.columns import EXAMPLE

    assert cli.invoke(app, ["setup", "--demo-projects", "0", "--no-demo-users"]).exit_code == 0
    good = tmp_path / "good.csv"
    good.write_bytes(spreadsheet_csv([EXAMPLE]))
    dry = cli.invoke(app, ["import", str(good)])
    assert dry.exit_code == 0, dry.output
    assert "1 rows: 1 new project(s), 0 to update." in dry.output
    assert "Dry run: nothing was written." in dry.output
    done = cli.invoke(app, ["import", str(good), "--commit"])
    assert "Imported: every row is written." in done.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(spreadsheet_csv([{**EXAMPLE, "code": "X-1", "status": "dormant"}]))
    refused = cli.invoke(app, ["import", str(bad), "--commit"])
    assert refused.exit_code == 1
    assert 'row 2, column status "dormant": unknown status "dormant"' in refused.output
    assert "1 problem(s); nothing was written." in refused.output
    iati = cli.invoke(
        app, ["import", "iati", "tests/data/iati/activity-standard-example-annotated.xml"]
    )
    assert iati.exit_code == 1 and "need a programme" in iati.output
    out = tmp_path / "out.xml"
    assert cli.invoke(app, ["export", "iati", str(out)]).exit_code == 0
    assert out.read_bytes().count(b"<iati-activity ") == 1
    xlsx = tmp_path / "out.xlsx"
    assert cli.invoke(app, ["export", "projects", str(xlsx)]).exit_code == 0
    assert xlsx.read_bytes().startswith(b"PK")


def test_iati_files_skipping_what_cannot_be_imported_and_choosing_a_level(cli, database_url):
    assert cli.invoke(app, ["setup", "--demo-projects", "0", "--no-demo-users"]).exit_code == 0
    publishers = "tests/data/iati/publishers/"
    foreign = ["import", "iati", publishers + "foreign-ministry-2.01.xml", "--programme", "FCAC"]
    refused = cli.invoke(app, [*foreign, "--commit"])
    assert refused.exit_code == 1
    assert "5 can be imported (5 new project(s), 0 to update; 5 with notes), 2 cannot be" in (
        refused.output
    )
    assert "    note: its budget lines add up to -280,662.76 EUR; imported without a budget" in (
        refused.output
    )
    assert "  XI-IATI-EXMFA-4000006: the budget for 2025-01-01 to 2025-12-31 has no currency" in (
        refused.output
    )
    assert "2 activities cannot be imported; nothing was written. Add --skip-invalid to " in (
        refused.output
    )
    done = cli.invoke(app, [*foreign, "--commit", "--skip-invalid"])
    assert done.exit_code == 0, done.output
    assert "Imported: 5 activities are written; 2 that cannot be were skipped." in done.output

    hierarchy = ["import", "iati", publishers + "development-ministry-2.01-hierarchy.xml"]
    parents = cli.invoke(app, [*hierarchy, "--programme", "OEC", "--level", "1"])
    assert parents.exit_code == 0, parents.output
    assert "levels 1, 2; level 1 is imported. Choose another with --level." in parents.output
    assert (
        "  XI-IATI-EXDEV-P100 Countering organised crime in East Africa [level 1: will be "
        "imported, with notes]\n    XI-IATI-EXDEV-P100-C1 Financial investigation units in "
        "Kenya and Uganda [level 2: counted in XI-IATI-EXDEV-P100]"
    ) in parents.output
    old = cli.invoke(app, ["import", "iati", publishers + "old-1.05.xml", "--programme", "OEC"])
    assert old.exit_code == 1 and "the file is IATI version 1.05" in old.output


def test_coverage_rebuild_and_check(cli, database_url):
    assert cli.invoke(app, ["setup", "--demo-projects", "20", "--no-demo-users"]).exit_code == 0
    checked = cli.invoke(app, ["coverage", "check"])
    assert checked.exit_code == 0, checked.output
    assert "every cell matches the projects" in checked.output
    assert "up to date" in cli.invoke(app, ["coverage", "rebuild", "--if-stale"]).output

    # A change made behind the tracker's back (plain SQL) is found, and a rebuild mends it.
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE project SET budget_amount = budget_amount * 2"))
    engine.dispose()
    broken = cli.invoke(app, ["coverage", "check"])
    assert broken.exit_code == 1
    assert "cube cells differ" in broken.output
    rebuilt = cli.invoke(app, ["coverage", "rebuild"])
    assert "Coverage cube: rebuilt from 20 projects." in rebuilt.output
    assert cli.invoke(app, ["coverage", "check"]).exit_code == 0


def test_a_command_in_its_own_process_keeps_the_cube_in_step(cli, database_url):
    """Commands that write projects load the coverage listeners themselves, not only when the
    web application happens to import them."""
    assert cli.invoke(app, ["setup", "--demo-projects", "0", "--no-demo-users"]).exit_code == 0
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url}
    seed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tracker.cli import app; app()",
            "demo",
            "seed",
            "--projects",
            "15",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert seed.returncode == 0, seed.stderr
    rebuilt = cli.invoke(app, ["coverage", "rebuild", "--if-stale"])
    assert "Coverage cube: up to date." in rebuilt.output
    assert cli.invoke(app, ["coverage", "check"]).exit_code == 0


def test_a_break_glass_administrator_and_linking_an_account(cli, database_url, monkeypatch):
    refused = cli.invoke(
        app,
        ["user", "add", "bg@example.org", "--role", "viewer", "--name", "B", "--break-glass"],
        input="a long password\na long password\n",
    )
    assert refused.exit_code == 1
    assert "role: a break-glass account is an administrator (role admin)" in refused.output
    added = cli.invoke(
        app,
        [
            "user",
            "add",
            "bg@example.org",
            "--role",
            "admin",
            "--name",
            "Break Glass",
            "--break-glass",
        ],
        input="a long password\na long password\n",
    )
    assert added.exit_code == 0, added.output
    assert "Created break-glass administrator Break Glass <bg@example.org>." in added.output

    unset = cli.invoke(app, ["user", "link", "bg@example.org", "abc-123"])
    assert unset.exit_code == 1 and "Set TRACKER_OIDC_ISSUER" in unset.output
    monkeypatch.setenv("TRACKER_OIDC_ISSUER", "https://login.example.org/realms/staff")
    monkeypatch.setenv("TRACKER_OIDC_CLIENT_ID", "tracker")
    get_settings.cache_clear()
    linked = cli.invoke(app, ["user", "link", "BG@example.org", "abc-123"])
    assert linked.exit_code == 0, linked.output
    assert "bg@example.org now signs in as abc-123 at https://login.example.org/realms/staff" in (
        linked.output
    )
    assert cli.invoke(app, ["user", "link", "nobody@example.org", "x"]).exit_code == 1
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.email == "bg@example.org")).one()
        assert (user.break_glass, user.role, user.oidc_subject) == (True, "admin", "abc-123")
        assert user.oidc_issuer == "https://login.example.org/realms/staff"
    engine.dispose()
