"""The `tracker` command."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tracker.config import PROJECT_ROOT, get_settings
from tracker.db import engine_from_settings, session_scope
from tracker.services import schema
from tracker.services.accounts.users import create_user, link_to_provider, set_password
from tracker.services.demo import seed_demo_portfolio
from tracker.services.demo.accounts import ensure_demo_users
from tracker.services.demo.generator import DemoDataError, portfolio_is_empty
from tracker.services.errors import InputError, NotFound
from tracker.services.framework.loader import FrameworkFileError, load_framework
from tracker.services.framework.translation_loader import (
    load_shipped_translations,
    load_translation,
)
from tracker.services.history.snapshots import MAX_WEEKS, OVERVIEW_WEEKS
from tracker.services.reference.load import ReferenceDataError, load_reference_data

DEFAULT_FRAMEWORK = PROJECT_ROOT / "seeds" / "frameworks" / "gpg-2023.yaml"

app = typer.Typer(help="Portfolio Alignment Tracker.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
framework_app = typer.Typer(help="Strategic frameworks.", no_args_is_help=True)
reference_app = typer.Typer(
    help="Regions, countries, programmes, SDGs, currencies.", no_args_is_help=True
)
demo_app = typer.Typer(help="The demo portfolio.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
digest_app = typer.Typer(help="Digests by email.", no_args_is_help=True)
coverage_app = typer.Typer(help="The pre-aggregated coverage cube.", no_args_is_help=True)
history_app = typer.Typer(help="Coverage over time.", no_args_is_help=True)
report_app = typer.Typer(help="Reports.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(framework_app, name="framework")
app.add_typer(reference_app, name="reference")
app.add_typer(demo_app, name="demo")
app.add_typer(user_app, name="user")
app.add_typer(digest_app, name="digest")
app.add_typer(coverage_app, name="coverage")
app.add_typer(history_app, name="history")
app.add_typer(report_app, name="report")


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Migrate the database to the latest schema (or to REVISION)."""
    schema.upgrade(database_url=get_settings().database_url, revision=revision)
    typer.echo(f"Database at revision {revision}.")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or base.")],
) -> None:
    """Undo migrations down to REVISION."""
    schema.downgrade(database_url=get_settings().database_url, revision=revision)
    typer.echo(f"Database at revision {revision}.")


@db_app.command("check")
def db_check() -> None:
    """Fail when the tables differ from what the models describe."""
    changes = schema.pending_changes(engine=engine_from_settings())
    if changes:
        raise _fail("The database differs from the models:\n" + "\n".join(map(str, changes)))
    typer.echo("The database matches the models.")


@reference_app.command("load")
def reference_load() -> None:
    """Add or update regions, countries, programmes, SDGs and currencies."""
    try:
        with session_scope(engine_from_settings()) as session:
            report = load_reference_data(session=session)
    except ReferenceDataError as exc:
        raise _fail(str(exc)) from None
    typer.echo(report.summary())


@reference_app.command("build-sdgs")
def reference_build_sdgs(
    source: Annotated[
        Path,
        typer.Argument(
            help="A folder with en, fr, es and ar sub-folders of global_goals.yml and "
            "global_targets.yml (the Open SDG project's sdg-translations)."
        ),
    ],
    output: Annotated[Path, typer.Option(help="Where to write the seed.")] = Path(
        "seeds/reference/sdgs.yaml"
    ),
) -> None:
    """Rebuild the SDG seed (17 goals, 169 targets, four languages) from the UN's titles."""
    from tracker.services.reference.sdg_source import render

    try:
        text = render(source)
    except (OSError, KeyError) as exc:
        raise _fail(f"{source} is not a folder of SDG titles in en, fr, es and ar: {exc}") from None
    output.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {output}: 17 SDGs and {text.count('- code:')} targets.")


@framework_app.command("load")
def framework_load(
    file: Annotated[Path, typer.Argument(help="A framework YAML file.")],
    activate: Annotated[bool, typer.Option(help="Make this the active framework.")] = False,
) -> None:
    """Validate a framework file and add or update it, matching everything by code."""
    try:
        with session_scope(engine_from_settings()) as session:
            report = load_framework(session=session, path=file, activate=activate)
    except FrameworkFileError as exc:
        raise _fail(f"{file} was not loaded; {len(exc.problems)} problem(s):\n{exc}") from None
    typer.echo(report.summary())


@framework_app.command("load-translation")
def framework_load_translation(
    file: Annotated[Path, typer.Argument(help="A translation file of a loaded framework.")],
) -> None:
    """Validate a translation of the framework (French, Spanish or Arabic) and store it: every
    goal, objective, theme and statement must be in it. An official translation replaces an
    unofficial one."""
    try:
        with session_scope(engine_from_settings()) as session:
            report = load_translation(session=session, path=file)
    except FrameworkFileError as exc:
        raise _fail(f"{file} was not loaded; {len(exc.problems)} problem(s):\n{exc}") from None
    typer.echo(report.summary())


def _load_shipped_translations(framework_file: Path) -> None:
    """The working translations shipped beside a framework file, for languages without one."""
    try:
        with session_scope(engine_from_settings()) as session:
            reports = load_shipped_translations(session=session, framework_file=framework_file)
    except FrameworkFileError as exc:
        raise _fail(f"A shipped translation was not loaded:\n{exc}") from None
    for report in reports:
        typer.echo(report.summary())


@demo_app.command("seed")
def demo_seed(
    projects: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many projects.")] = 300,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same portfolio.")
    ] = 2023,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when projects exist.")
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="Pretend today is this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Add a realistic demo portfolio."""
    day = date.fromisoformat(today) if today else None
    try:
        with session_scope(engine_from_settings()) as session:
            if if_empty and not portfolio_is_empty(session=session):
                typer.echo("Demo portfolio: projects already exist, nothing added.")
                return
            added = seed_demo_portfolio(session=session, projects=projects, seed=seed, today=day)
    except DemoDataError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Demo portfolio: added {added} projects (seed {seed}).")


@coverage_app.command("rebuild")
def coverage_rebuild(
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Do nothing when the cube is up to date.")
    ] = False,
) -> None:
    """Compute the coverage cube again from the projects, tags and places."""
    from tracker.services.coverage import cube

    engine = engine_from_settings()
    rebuilt = cube.refresh(engine) if if_stale else cube.rebuild(engine)
    if rebuilt is None:
        typer.echo("Coverage cube: up to date.")
    else:
        typer.echo(f"Coverage cube: rebuilt from {rebuilt} projects.")


@history_app.command("rebuild")
def history_rebuild(
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Do nothing when the history is up to date.")
    ] = False,
    weeks: Annotated[
        int,
        typer.Option(min=1, max=MAX_WEEKS, help="Weeks of snapshots to store, the latest first."),
    ] = MAX_WEEKS,
) -> None:
    """Build coverage over time again from the audit trail and the projects' dates, then
    store every missing weekly snapshot of the last WEEKS weeks (two years unless told)."""
    from tracker.services.digests.backfill import backfill as backfill_snapshots
    from tracker.services.history import follow, replay

    engine = engine_from_settings()
    with session_scope(engine) as session:
        fresh = follow.is_fresh(session)
    if not (if_stale and fresh):
        versions = replay.rebuild(engine)
        typer.echo(f"Coverage over time: {versions} project versions built.")
    else:
        typer.echo("Coverage over time: up to date.")
    typer.echo(f"Weekly snapshots: {backfill_snapshots(engine, weeks=weeks)} stored.")


@report_app.command("board-pack")
def report_board_pack(
    file: Annotated[Path, typer.Argument(help="Where to write the PDF.")],
    programme: Annotated[list[str] | None, typer.Option(help="A programme code; repeat.")] = None,
    region: Annotated[str | None, typer.Option(help="A region code.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="A past day (YYYY-MM-DD).")] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="The language it is written in: en, fr, es or ar.")
    ] = "en",
) -> None:
    """Write the board pack (PDF, A4) of the whole portfolio or of some programmes and a
    region, in English, French, Spanish or Arabic."""
    from tracker import locales
    from tracker.fields import read_params
    from tracker.services.coverage.params import CoverageParams
    from tracker.services.reports.board_pack import build_board_pack

    pairs = [("programme", p) for p in programme or []]
    pairs += [(k, v) for k, v in (("region", region), ("as_of", as_of)) if v]
    if lang not in locales.LANGUAGES:
        raise _fail(f"lang: must be one of {', '.join(locales.LANGUAGES)}")
    try:
        with session_scope(engine_from_settings()) as session:
            pack = build_board_pack(
                session=session, params=read_params(CoverageParams, pairs), locale=lang
            )
    except InputError as exc:
        raise _input_problems(exc) from None
    file.write_bytes(pack.pdf)
    typer.echo(f"Board pack: {file} ({len(pack.pdf):,} bytes).")


@coverage_app.command("check")
def coverage_check() -> None:
    """Compare the stored coverage cube with one computed now; fail on any difference."""
    from tracker.services.coverage import cube

    with session_scope(engine_from_settings()) as session:
        problems = cube.differences(session)
    if problems:
        raise _fail(f"{len(problems)} cube cells differ:\n" + "\n".join(problems[:20]))
    typer.echo("Coverage cube: every cell matches the projects.")


def _input_problems(exc: InputError) -> typer.Exit:
    return _fail("\n".join(f"{field}: {message}" for field, message in exc.errors.items()))


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="Email address; it is also the sign-in name.")],
    role: Annotated[str, typer.Option(help="admin, manager or viewer.")] = "viewer",
    programme: Annotated[
        list[str] | None,
        typer.Option("--programme", help="Programme code a manager may edit; repeat for more."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Full name; asked for when missing.")] = None,
    password: Annotated[
        bool, typer.Option(help="Ask for a password now (else use `tracker user set-password`).")
    ] = True,
    break_glass: Annotated[
        bool,
        typer.Option(
            "--break-glass",
            help="An administrator who signs in with a password even when passwords are off.",
        ),
    ] = False,
) -> None:
    """Create an account."""
    full_name = name or typer.prompt("Full name")
    secret = None
    if password:
        secret = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope(engine_from_settings()) as session:
            user = create_user(
                session=session,
                email=email,
                full_name=full_name,
                role=role,
                programmes=programme or [],
                actor=None,
                password=secret,
                break_glass=break_glass,
            )
    except InputError as exc:
        raise _input_problems(exc) from None
    kind = "break-glass administrator" if break_glass else user.role
    typer.echo(f"Created {kind} {user.full_name} <{user.email}>.")


@user_app.command("link")
def user_link(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    subject: Annotated[str, typer.Argument(help="The person's subject (sub) at the provider.")],
) -> None:
    """Make an existing account the one a person signs in to with the organisation's provider
    (TRACKER_OIDC_ISSUER), by their subject there; the refused sign-in's audit event names it."""
    settings = get_settings()
    if not settings.oidc_enabled:
        raise _fail("Set TRACKER_OIDC_ISSUER and TRACKER_OIDC_CLIENT_ID first.")
    try:
        with session_scope(engine_from_settings()) as session:
            user = link_to_provider(
                session=session,
                email=email,
                issuer=settings.oidc_issuer,
                subject=subject,
                actor=None,
            )
    except InputError as exc:
        raise _input_problems(exc) from None
    except NotFound:
        raise _fail(f"There is no account for {email}.") from None
    typer.echo(f"{user.email} now signs in as {subject} at {settings.oidc_issuer}.")


@user_app.command("set-password")
def user_set_password(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Set a new password for an account; its sessions end."""
    secret = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope(engine_from_settings()) as session:
            set_password(session=session, email=email, password=secret, confirm=secret, actor=None)
    except InputError as exc:
        raise _input_problems(exc) from None
    except NotFound:
        raise _fail(f"There is no account for {email}.") from None
    typer.echo(f"Password changed for {email}; any open sessions have ended.")


@app.command("setup")
def setup(
    demo_projects: Annotated[
        int, typer.Option(help="Demo projects for an empty database; 0 for none.")
    ] = 300,
    demo_users: Annotated[
        bool, typer.Option(help="Create demo accounts when there are no accounts.")
    ] = True,
) -> None:
    """Migrate, load reference data and the Global Policing Goals, and seed a demo portfolio
    and demo accounts into an empty database. Safe to run again: it only adds what is missing."""
    db_upgrade("head")
    reference_load()
    framework_load(DEFAULT_FRAMEWORK, activate=False)
    _load_shipped_translations(DEFAULT_FRAMEWORK)
    if demo_projects:
        demo_seed(projects=demo_projects, seed=2023, if_empty=True, today=None)
    coverage_rebuild(if_stale=True)
    # The weeks the Overview shows; the scheduler stores the older ones a few at a time.
    history_rebuild(if_stale=True, weeks=OVERVIEW_WEEKS)
    suggest("train")
    if demo_users and get_settings().env == "production":
        typer.echo("No demo accounts in production; create accounts with `tracker user add`.")
    elif demo_users:
        with session_scope(engine_from_settings()) as session:
            accounts = ensure_demo_users(session=session)
        settings = get_settings()
        if accounts:
            typer.echo(f"\nSign in at {settings.public_url}/login with a demo account:")
        for account in accounts:
            scope = f", edits {' and '.join(account.programmes)}" if account.programmes else ""
            typer.echo(
                f"  {account.role:<8} {account.email:<22} password {account.password:<18}"
                f"({account.full_name}{scope})"
            )


@app.command("suggest")
def suggest(
    what: Annotated[str, typer.Argument(metavar="train|CODE", help="train, or a project's code.")],
) -> None:
    """Train the suggestion model now (train), or print the suggestions for project CODE."""
    from tracker.services.suggestions import store
    from tracker.services.suggestions.suggest import suggestions_for_project

    engine = engine_from_settings()
    if what == "train":
        report = store.train_and_store(engine)
        if report is None:
            with session_scope(engine) as session:
                stored = store.stored_model(session)
            if stored is None:
                typer.echo("Suggestion model: no active framework, nothing to learn.")
            else:
                typer.echo("Suggestion model: up to date (nothing changed since it was trained).")
            return
        typer.echo(f"Suggestion model: {report}.")
        return
    from tracker.services.projects.detail import get_project

    with session_scope(engine) as session:
        try:
            project = get_project(session=session, code=what)
        except NotFound:
            raise _fail(f"There is no project {what}.") from None
        found = suggestions_for_project(session=session, project=project)
        typer.echo(f"{project.code} {project.title}")
        for title, items in (("Objectives", found.objectives), ("Themes", found.themes)):
            typer.echo(f"{title}:")
            if not items:
                typer.echo("  none to suggest")
            for item in items:
                typer.echo(f"  {item.code:<6} {item.score:.3f}  {item.label}")
                typer.echo(f"         {item.reason}")
        if found.trained_at is None:
            typer.echo("From the framework's statements alone: run `tracker suggest train`.")
        else:
            typer.echo(
                f"Model trained {found.trained_at:%Y-%m-%d %H:%M} UTC "
                f"on {found.learned_from:,} tagged projects."
            )


@app.command("scheduler")
def scheduler() -> None:
    """Run the scheduler: digests, the outbox, weekly snapshots. Run exactly one."""
    from tracker.scheduler import build_scheduler

    settings = get_settings()
    if not settings.mail_enabled:
        typer.echo("TRACKER_SMTP_HOST is not set: digests are written to the outbox and wait.")
    typer.echo("Scheduler running (Ctrl+C to stop).")
    try:
        build_scheduler(engine=engine_from_settings(), settings=settings, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        typer.echo("Scheduler stopped.")


@digest_app.command("preview")
def digest_preview(
    email: Annotated[str, typer.Argument(help="The subscriber's email.")],
    html: Annotated[
        bool, typer.Option("--html", help="Print the HTML part instead of text.")
    ] = False,
) -> None:
    """Print the next digest of someone's first subscription, as it would be sent now."""
    from tracker.services.digests.preview import preview_for_email

    settings = get_settings()
    with session_scope(engine_from_settings()) as session:
        try:
            rendered = preview_for_email(session=session, settings=settings, email=email)
        except NotFound as exc:
            raise _fail(f"No {exc.what} for {email}.") from None
    typer.echo(f"Subject: {rendered.subject}\n")
    typer.echo(rendered.html if html else rendered.text)


@digest_app.command("send")
def digest_send(
    now: Annotated[
        bool, typer.Option("--now", help="Enqueue what is due now and send it.")
    ] = False,
) -> None:
    """Enqueue the digests that are due and send the outbox."""
    from tracker.services.digests import outbox

    if not now:
        raise _fail("Say --now to enqueue and send what is due now.")
    settings = get_settings()
    engine = engine_from_settings()
    written = outbox.enqueue_due(engine=engine, settings=settings)
    if not settings.mail_enabled:
        typer.echo(f"{written} digest(s) written; TRACKER_SMTP_HOST is not set, so none sent.")
        return
    report = outbox.send_due(engine=engine, settings=settings)
    typer.echo(
        f"{written} digest(s) written; {report.sent} sent, {report.retrying} to retry, "
        f"{report.failed} failed."
    )


def _cli_principal():
    from tracker.models import User
    from tracker.services.accounts.permissions import Principal

    user = User(
        id=None, email="command-line@localhost", full_name="Import (command line)", role="admin"
    )
    return Principal(user=user, programme_ids=frozenset(), via="session")


@app.command("import")
def import_file(
    first: Annotated[
        str,
        typer.Argument(metavar="[iati] FILE", help="A CSV or XLSX file; or iati and an XML file."),
    ],
    second: Annotated[Path | None, typer.Argument(hidden=True)] = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="Write the rows (all or none). Without it: a dry run.")
    ] = False,
    programme: Annotated[
        str, typer.Option(help="Programme of IATI activities (CT, CYB, FCAC, OEC).")
    ] = "",
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="IATI: import the activities that can be, skipping those that cannot.",
        ),
    ] = False,
    level: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=9,
            help="IATI: the level of parent and child activities to import "
            "[default: the lowest level that carries budgets].",
        ),
    ] = None,
) -> None:
    """Check a spreadsheet or IATI file and report every problem; with --commit, import it."""
    from tracker.services.exchange.iati.read import import_iati
    from tracker.services.exchange.spreadsheet.read import import_spreadsheet

    iati = first == "iati"
    path = second if iati else Path(first)
    if path is None or not path.is_file():
        raise _fail(f"No such file: {path or first}")
    if iati and not programme:
        raise _fail("IATI activities need a programme: --programme CT, CYB, FCAC or OEC.")
    content = path.read_bytes()
    settings = get_settings()
    with (
        session_scope(engine_from_settings()) as session,
        typer.progressbar(
            length=1, label="Checking" if not commit else "Importing", file=sys.stderr
        ) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        if iati:
            report = import_iati(
                session=session,
                content=content,
                programme=programme,
                principal=_cli_principal(),
                settings=settings,
                commit=commit,
                progress=progress,
                level=level,
                skip_invalid=skip_invalid,
            )
        else:
            report = import_spreadsheet(
                session=session,
                filename=path.name,
                content=content,
                principal=_cli_principal(),
                settings=settings,
                commit=commit,
                progress=progress,
            )
    if iati:
        _print_iati_report(report, commit=commit, skip_invalid=skip_invalid)
    else:
        _print_report(report, iati=iati, commit=commit)


def _print_iati_report(report, *, commit: bool, skip_invalid: bool) -> None:
    from tracker.services.exchange.iati.summary import report_lines

    if report.refused:
        raise _fail(f"The file was refused and nothing was written: {report.refused}")
    for line in report_lines(report):
        typer.echo(line)
    can = len(report.creates) + len(report.updates)
    cannot = len(report.unmapped)
    if report.committed:
        skipped = f"; {report.skipped} that cannot be were skipped" if report.skipped else ""
        typer.echo(f"Imported: {can} activities are written{skipped}.")
    elif cannot and not (skip_invalid and can):
        hint = f" Add --skip-invalid to import the {can} others." if can else ""
        raise _fail(f"{cannot} activities cannot be imported; nothing was written.{hint}")
    else:
        skipped = f", skipping the {cannot} that cannot be" if cannot else ""
        typer.echo(f"Dry run: nothing was written. Add --commit to import{skipped}.")


def _print_report(report, *, iati: bool, commit: bool) -> None:
    if report.refused:
        raise _fail(f"The file was refused and nothing was written: {report.refused}")
    what = "activities" if iati else "rows"
    typer.echo(
        f"{getattr(report, what)} {what}: {len(report.creates)} new project(s), "
        f"{len(report.updates)} to update."
    )
    for note in getattr(report, "notes", []):
        typer.echo(f"  note: {note['activity']}: {note['note']}")
    problems = report.unmapped if iati else report.problems
    if problems:
        for problem in problems:
            typer.echo(
                f"  {problem['activity']}: cannot be imported: {problem['reason']}"
                if iati
                else f"  {problem.render()}",
                err=True,
            )
        raise _fail(f"{len(problems)} problem(s); nothing was written.")
    if report.committed:
        typer.echo("Imported: every row is written.")
    elif not commit:
        typer.echo("Dry run: nothing was written. Add --commit to import.")


@app.command("export")
def export(
    kind: Annotated[str, typer.Argument(help="projects or iati")],
    file: Annotated[
        Path, typer.Argument(help="Where to write: .csv or .xlsx for projects, .xml for iati")
    ],
    code: Annotated[
        list[str] | None, typer.Option("--code", help="Only these projects (repeatable).")
    ] = None,
) -> None:
    """Write projects with their tags as CSV or XLSX, or as IATI 2.03 XML."""
    from tracker.services.exchange.iati.write import iati_chunks
    from tracker.services.exchange.spreadsheet.write import project_rows, to_csv, to_xlsx

    with session_scope(engine_from_settings()) as session:
        if kind == "iati":  # written as it is made, a few hundred activities at a time
            with file.open("wb") as out:
                for chunk in iati_chunks(session=session, settings=get_settings(), codes=code):
                    out.write(chunk)
            return
        if kind == "projects":
            rows = project_rows(session=session, codes=code)
            data = to_xlsx(rows) if file.suffix.lower() == ".xlsx" else to_csv(rows)
        else:
            raise _fail("Export projects or iati.")
    file.write_bytes(data)
    typer.echo(f"Wrote {file} ({len(data):,} bytes).")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [TRACKER_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [TRACKER_PORT].")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes [TRACKER_WORKERS].")
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the web application."""
    import uvicorn

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    if settings.embedded_scheduler and (workers or settings.workers) > 1:
        raise _fail(
            "TRACKER_EMBEDDED_SCHEDULER runs the scheduler in every worker; with several "
            "workers turn it off and run one `tracker scheduler` beside them."
        )
    typer.echo(f"Serving the tracker on http://{host}:{port}  (Ctrl+C to stop)")
    uvicorn.run(
        "tracker.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else (workers or settings.workers),
        reload=reload,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
    )


@app.callback()
def _main() -> None:
    logging.basicConfig(
        level=get_settings().log_level, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
