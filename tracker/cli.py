"""The `tracker` command.

It speaks the language of the terminal (TRACKER_LANGUAGE, else LANGUAGE, LC_ALL, LC_MESSAGES,
LANG: see `locales.from_environment`): what it prints for a person to read, its --help and the
reports of what it loaded. What other programs read stays as it is: a digest previewed, files
written, revision ids, codes.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import click
import typer
from babel.lists import format_list
from typer.core import TyperGroup

from tracker import formats, locales
from tracker.config import PROJECT_ROOT, get_settings
from tracker.db import engine_from_settings, session_scope
from tracker.locales import N_
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

# The language of what the command prints; set from the environment when it starts.
LANG = locales.DEFAULT


def _(message: str, /, **values) -> str:
    """A sentence in the command's language, its %(name)s filled in (numbers as the language
    writes them; Texts said in it)."""
    return formats.Text(message, **values).in_locale(LANG)


def ngettext(singular: str, plural: str, n: int, /, **values) -> str:
    """A sentence with a count, by the language's plural rule; %(num)s is the count."""
    return formats.Text.counted(singular, plural, n, **values).in_locale(LANG)


def _said(value) -> str:
    return str(formats.said(value, locale=LANG))


def _and(items) -> str:
    """CYB and FCAC, as the language lists names."""
    return format_list([str(item) for item in items], locale=LANG)


class _Tracker(TyperGroup):
    """The `tracker` group: reads the language before anything is parsed or shown, and says
    every command's, group's and option's help in it."""

    def main(self, *args, **kwargs):
        global LANG
        try:
            LANG = _language()
        except locales.UnknownLanguage as exc:
            typer.secho(str(exc), fg=typer.colors.RED, err=True)
            sys.exit(2)
        _translate_help(self)
        _say_typers_words()
        _say_clicks_words()
        return super().main(*args, **kwargs)


def _language() -> str:
    """The terminal's language, or TRACKER_LANGUAGE from the environment or, as any setting may
    be, from a line of .env in the working directory."""
    environ = dict(os.environ)
    if not (environ.get(locales.ENVIRONMENT_VARIABLE) or "").strip():
        from dotenv import dotenv_values  # what pydantic-settings reads .env with

        chosen = dotenv_values(".env").get(locales.ENVIRONMENT_VARIABLE)
        if chosen:
            environ[locales.ENVIRONMENT_VARIABLE] = chosen
    return locales.from_environment(environ)


HELP_OPTION = N_("Show this message and exit.")
# The words Typer writes around the help (its panels' titles, the notes after an option) and
# around a refused command line (click's own sentence in it stays English).
TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
# What Typer's copy of Click writes in English around a command line it refuses, and the
# sentences Typer asks gettext for (said through `_` once the command's language is known).
USAGE = N_("Usage:")
# Why a value on the command line was refused, as Pydantic (which Typer checks values with)
# writes it in English.
VALUE_REASONS = {
    "Input should be a valid integer": N_("must be a whole number, written in digits"),
    "Input should be a valid number": N_("must be a number, written in digits"),
    "Input should be a valid boolean": N_("must be true or false"),
    "Input should be a valid date": N_("must be a date such as 2026-03-12"),
}
TYPER_SENTENCES = (
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
    N_("(dynamic)"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
)
EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)$", re.S)


def _say_typers_words() -> None:
    """Typer keeps them in its module (read as it writes the help): set for this run."""
    try:
        from typer import rich_utils
    except ImportError:  # without Rich, Typer writes click's plain help
        return
    for name, message in TYPER_WORDS.items():
        if isinstance(getattr(rich_utils, name, None), str):
            setattr(rich_utils, name, formats.gettext(message, locale=LANG))


def _said_refusal(error: Exception) -> str | None:
    """A refused command line's reason in the command's language: Typer's copy of Click
    writes its own in English, without gettext. None for anything else (a Text of ours, a
    value's own reason), which is shown as it is."""
    from typer._click import exceptions as refused

    def hint(error) -> str:
        if error.param_hint is not None:
            names = error.param_hint
            return " / ".join(names) if isinstance(names, list | tuple) else str(names)
        return error.param.get_error_hint() if error.param is not None else ""

    if isinstance(error, refused.NoSuchOption):
        said = _("No such option: %(option)s", option=error.option_name)
        if error.possibilities:
            said += " " + _(
                "(Possible options: %(options)s)", options=_and(sorted(error.possibilities))
            )
        return said
    if isinstance(error, refused.MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param else "")
        missing = {
            "option": N_("Missing option %(name)s."),
            "argument": N_("Missing argument %(name)s."),
        }.get(kind, N_("Missing parameter %(name)s."))
        return _(missing, name=hint(error))
    if isinstance(error, refused.BadParameter):
        reasons = (_(said) for english, said in VALUE_REASONS.items() if english in error.message)
        reason = next(reasons, _said(error.message))
        return _("Invalid value for %(name)s: %(reason)s", name=hint(error), reason=reason)
    if isinstance(error, refused.UsageError) and (extra := EXTRA_ARGUMENTS.match(error.message)):
        return _("Got unexpected extra arguments: %(arguments)s", arguments=extra["args"])
    return None


def _say_clicks_words() -> None:
    """Typer's copy of Click writes "Usage:" and its refusals in English: say them in the
    command's language (set for this run, as Typer's own words are)."""
    try:
        from typer import core, rich_utils
        from typer._click import formatting
    except ImportError:
        return
    usage = _(USAGE) + " "
    write_usage = getattr(formatting.HelpFormatter.write_usage, "_english", None)
    write_usage = write_usage or formatting.HelpFormatter.write_usage

    def write_usage_said(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, usage if prefix is None else prefix)

    write_usage_said._english = write_usage  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = write_usage_said  # type: ignore[method-assign]
    core._ = lambda message: _(message)  # "Missing command.", "No such command 'x'."
    show = getattr(rich_utils.rich_format_error, "_english", rich_utils.rich_format_error)

    def rich_format_error(error) -> None:
        said = _said_refusal(error)
        if said is not None:
            error.format_message = lambda: said
        show(error)

    rich_format_error._english = show  # type: ignore[attr-defined]
    rich_utils.rich_format_error = rich_format_error


def _translate_help(command: click.Command) -> None:
    if getattr(command, "_help_said", None) == LANG:
        return
    english = command.__dict__.setdefault("_english_help", {})
    targets = [(command, "help"), (command, "short_help")]
    targets += [(param, "help") for param in command.params]
    for item, attribute in targets:
        key = (id(item), attribute)
        if key not in english:
            english[key] = getattr(item, attribute, None)
        if english[key]:
            setattr(item, attribute, formats.gettext(english[key], locale=LANG))
    offer_help = command.get_help_option

    def get_help_option(ctx: click.Context):
        option = offer_help(ctx)
        if option is not None:
            option.help = formats.gettext(HELP_OPTION, locale=LANG)
        return option

    if not getattr(offer_help, "_said", False):
        get_help_option._said = True  # type: ignore[attr-defined]
        command.get_help_option = get_help_option  # type: ignore[method-assign]
    command._help_said = LANG  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub)


app = typer.Typer(
    cls=_Tracker,
    help=N_("Portfolio Alignment Tracker."),
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help=N_("Database schema."), no_args_is_help=True)
framework_app = typer.Typer(help=N_("Strategic frameworks."), no_args_is_help=True)
reference_app = typer.Typer(
    help=N_("Regions, countries, programmes, SDGs, currencies."), no_args_is_help=True
)
demo_app = typer.Typer(help=N_("The demo portfolio."), no_args_is_help=True)
user_app = typer.Typer(help=N_("Accounts."), no_args_is_help=True)
digest_app = typer.Typer(help=N_("Digests by email."), no_args_is_help=True)
coverage_app = typer.Typer(help=N_("The pre-aggregated coverage cube."), no_args_is_help=True)
history_app = typer.Typer(help=N_("Coverage over time."), no_args_is_help=True)
report_app = typer.Typer(help=N_("Reports."), no_args_is_help=True)
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


@db_app.command("upgrade", help=N_("Migrate the database to the latest schema (or to REVISION)."))
def db_upgrade(
    revision: Annotated[str, typer.Argument(help=N_("Target revision."))] = "head",
) -> None:
    schema.upgrade(database_url=get_settings().database_url, revision=revision)
    typer.echo(_("Database at revision %(revision)s.", revision=revision))


@db_app.command("downgrade", help=N_("Undo migrations down to REVISION."))
def db_downgrade(
    revision: Annotated[str, typer.Argument(help=N_("Target revision, or base."))],
) -> None:
    schema.downgrade(database_url=get_settings().database_url, revision=revision)
    typer.echo(_("Database at revision %(revision)s.", revision=revision))


@db_app.command("check", help=N_("Fail when the tables differ from what the models describe."))
def db_check() -> None:
    changes = schema.pending_changes(engine=engine_from_settings())
    if changes:
        raise _fail(
            _("The database differs from the models:") + "\n" + "\n".join(map(str, changes))
        )
    typer.echo(_("The database matches the models."))


@reference_app.command(
    "load", help=N_("Add or update regions, countries, programmes, SDGs and currencies.")
)
def reference_load() -> None:
    try:
        with session_scope(engine_from_settings()) as session:
            report = load_reference_data(session=session)
    except ReferenceDataError as exc:
        raise _fail(_said(exc.args[0] if exc.args else exc)) from None
    typer.echo(_said(report.summary()))


@reference_app.command(
    "build-sdgs",
    help=N_("Rebuild the SDG seed (17 goals, 169 targets, four languages) from the UN's titles."),
)
def reference_build_sdgs(
    source: Annotated[
        Path,
        typer.Argument(
            help=N_(
                "A folder with en, fr, es and ar sub-folders of global_goals.yml and "
                "global_targets.yml (the Open SDG project's sdg-translations)."
            )
        ),
    ],
    output: Annotated[Path, typer.Option(help=N_("Where to write the seed."))] = Path(
        "seeds/reference/sdgs.yaml"
    ),
) -> None:
    from tracker.services.reference.sdg_source import render

    try:
        text = render(source)
    except (OSError, KeyError) as exc:
        raise _fail(
            _(
                "%(folder)s is not a folder of SDG titles in en, fr, es and ar: %(problem)s",
                folder=str(source),
                problem=str(exc),
            )
        ) from None
    output.write_text(text, encoding="utf-8")
    typer.echo(
        ngettext(
            "Wrote %(file)s: 17 SDGs and %(num)s target.",
            "Wrote %(file)s: 17 SDGs and %(num)s targets.",
            text.count("- code:"),
            file=str(output),
        )
    )


def _not_loaded(file: Path, exc: FrameworkFileError) -> typer.Exit:
    heading = ngettext(
        "%(file)s was not loaded; %(num)s problem(s):",
        "%(file)s was not loaded; %(num)s problem(s):",
        len(exc.problems),
        file=str(file),
    )
    return _fail(heading + "\n" + _said(str(exc)))


@framework_app.command(
    "load",
    help=N_("Validate a framework file and add or update it, matching everything by code."),
)
def framework_load(
    file: Annotated[Path, typer.Argument(help=N_("A framework YAML file."))],
    activate: Annotated[bool, typer.Option(help=N_("Make this the active framework."))] = False,
) -> None:
    try:
        with session_scope(engine_from_settings()) as session:
            report = load_framework(session=session, path=file, activate=activate)
    except FrameworkFileError as exc:
        raise _not_loaded(file, exc) from None
    typer.echo(_said(report.summary()))


@framework_app.command(
    "load-translation",
    help=N_(
        "Validate a translation of the framework (French, Spanish or Arabic) and store it: "
        "every goal, objective, theme and statement must be in it. An official translation "
        "replaces an unofficial one."
    ),
)
def framework_load_translation(
    file: Annotated[Path, typer.Argument(help=N_("A translation file of a loaded framework."))],
) -> None:
    try:
        with session_scope(engine_from_settings()) as session:
            report = load_translation(session=session, path=file)
    except FrameworkFileError as exc:
        raise _not_loaded(file, exc) from None
    typer.echo(_said(report.summary()))


def _load_shipped_translations(framework_file: Path) -> None:
    """The working translations shipped beside a framework file, for languages without one."""
    try:
        with session_scope(engine_from_settings()) as session:
            reports = load_shipped_translations(session=session, framework_file=framework_file)
    except FrameworkFileError as exc:
        raise _fail(_("A shipped translation was not loaded:") + "\n" + _said(str(exc))) from None
    for report in reports:
        typer.echo(_said(report.summary()))


@demo_app.command("seed", help=N_("Add a realistic demo portfolio."))
def demo_seed(
    projects: Annotated[
        int, typer.Option(min=1, max=1_000_000, help=N_("How many projects."))
    ] = 300,
    seed: Annotated[
        int, typer.Option(help=N_("Random seed; the same seed gives the same portfolio."))
    ] = 2023,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help=N_("Do nothing when projects exist."))
    ] = False,
    today: Annotated[
        str | None, typer.Option(help=N_("Pretend today is this date (YYYY-MM-DD)."))
    ] = None,
) -> None:
    day = date.fromisoformat(today) if today else None
    try:
        with session_scope(engine_from_settings()) as session:
            if if_empty and not portfolio_is_empty(session=session):
                typer.echo(_("Demo portfolio: projects already exist, nothing added."))
                return
            added = seed_demo_portfolio(session=session, projects=projects, seed=seed, today=day)
    except DemoDataError as exc:
        raise _fail(_said(exc.args[0] if exc.args else exc)) from None
    typer.echo(
        ngettext(
            "Demo portfolio: added %(num)s project (seed %(seed)s).",
            "Demo portfolio: added %(num)s projects (seed %(seed)s).",
            added,
            seed=str(seed),
        )
    )


@coverage_app.command(
    "rebuild", help=N_("Compute the coverage cube again from the projects, tags and places.")
)
def coverage_rebuild(
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help=N_("Do nothing when the cube is up to date."))
    ] = False,
) -> None:
    from tracker.services.coverage import cube

    engine = engine_from_settings()
    rebuilt = cube.refresh(engine) if if_stale else cube.rebuild(engine)
    if rebuilt is None:
        typer.echo(_("Coverage cube: up to date."))
    else:
        typer.echo(
            ngettext(
                "Coverage cube: rebuilt from %(num)s project.",
                "Coverage cube: rebuilt from %(num)s projects.",
                rebuilt,
            )
        )


@history_app.command(
    "rebuild",
    help=N_(
        "Build coverage over time again from the audit trail and the projects' dates, then "
        "store every missing weekly snapshot of the last WEEKS weeks (two years unless told)."
    ),
)
def history_rebuild(
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help=N_("Do nothing when the history is up to date."))
    ] = False,
    weeks: Annotated[
        int,
        typer.Option(
            min=1, max=MAX_WEEKS, help=N_("Weeks of snapshots to store, the latest first.")
        ),
    ] = MAX_WEEKS,
) -> None:
    from tracker.services.digests.backfill import backfill as backfill_snapshots
    from tracker.services.history import follow, replay

    engine = engine_from_settings()
    with session_scope(engine) as session:
        fresh = follow.is_fresh(session)
    if not (if_stale and fresh):
        versions = replay.rebuild(engine)
        typer.echo(
            ngettext(
                "Coverage over time: %(num)s project version built.",
                "Coverage over time: %(num)s project versions built.",
                versions,
            )
        )
    else:
        typer.echo(_("Coverage over time: up to date."))
    stored = backfill_snapshots(engine, weeks=weeks)
    typer.echo(
        ngettext(
            "Weekly snapshots: %(num)s stored.",
            "Weekly snapshots: %(num)s stored.",
            stored,
        )
    )


def _size(data: bytes | int) -> formats.Text:
    """How big a file is (its bytes, or how many)."""
    size = data if isinstance(data, int) else len(data)
    return formats.Text.counted("%(num)s byte", "%(num)s bytes", size)


@report_app.command(
    "board-pack",
    help=N_(
        "Write the board pack (PDF, A4) of the whole portfolio or of some programmes and a region."
    ),
)
def report_board_pack(
    file: Annotated[Path, typer.Argument(help=N_("Where to write the PDF."))],
    programme: Annotated[
        list[str] | None, typer.Option(help=N_("A programme code; repeat."))
    ] = None,
    region: Annotated[str | None, typer.Option(help=N_("A region code."))] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=N_("A past day (YYYY-MM-DD)."))
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=N_("The language it is written in: en, fr, es or ar (default: the command's)."),
        ),
    ] = None,
) -> None:
    from tracker.fields import read_params
    from tracker.services.coverage.params import CoverageParams
    from tracker.services.reports.board_pack import build_board_pack

    pairs = [("programme", p) for p in programme or []]
    pairs += [(k, v) for k, v in (("region", region), ("as_of", as_of)) if v]
    language = LANG if lang is None else (lang if lang in locales.LANGUAGES else None)
    if language is None:
        raise _fail(_("--lang: must be one of %(codes)s.", codes=", ".join(locales.LANGUAGES)))
    try:
        with session_scope(engine_from_settings()) as session:
            pack = build_board_pack(
                session=session, params=read_params(CoverageParams, pairs), locale=language
            )
    except InputError as exc:
        raise _input_problems(exc, _("The board pack was not written:")) from None
    file.write_bytes(pack.pdf)
    typer.echo(_("Board pack: %(file)s (%(size)s).", file=str(file), size=_size(pack.pdf)))


@coverage_app.command(
    "check",
    help=N_("Compare the stored coverage cube with one computed now; fail on any difference."),
)
def coverage_check() -> None:
    from tracker.services.coverage import cube

    with session_scope(engine_from_settings()) as session:
        problems = cube.differences(session)
    if problems:
        heading = ngettext(
            "%(num)s cube cell differs:", "%(num)s cube cells differ:", len(problems)
        )
        raise _fail(heading + "\n" + "\n".join(problems[:20]))
    typer.echo(_("Coverage cube: every cell matches the projects."))


def _input_problems(exc: InputError, heading: str | None = None) -> typer.Exit:
    lines = [f"{field}: {_said(message)}" for field, message in exc.errors.items()]
    return _fail("\n".join([heading, *lines] if heading else lines))


@user_app.command("add", help=N_("Create an account."))
def user_add(
    email: Annotated[str, typer.Argument(help=N_("Email address; it is also the sign-in name."))],
    role: Annotated[str, typer.Option(help=N_("admin, manager or viewer."))] = "viewer",
    programme: Annotated[
        list[str] | None,
        typer.Option("--programme", help=N_("Programme code a manager may edit; repeat for more.")),
    ] = None,
    name: Annotated[str | None, typer.Option(help=N_("Full name; asked for when missing."))] = None,
    password: Annotated[
        bool,
        typer.Option(help=N_("Ask for a password now (else use `tracker user set-password`).")),
    ] = True,
    break_glass: Annotated[
        bool,
        typer.Option(
            "--break-glass",
            help=N_("An administrator who signs in with a password even when passwords are off."),
        ),
    ] = False,
) -> None:
    full_name = name or typer.prompt(_("Full name"))
    secret = None
    if password:
        secret = typer.prompt(
            _("Password"),
            hide_input=True,
            confirmation_prompt=_("Repeat the password"),
        )
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
        raise _input_problems(exc, _("The account was not created:")) from None
    created = {
        "admin": N_("Created admin %(name)s <%(email)s>."),
        "manager": N_("Created manager %(name)s <%(email)s>."),
        "viewer": N_("Created viewer %(name)s <%(email)s>."),
    }
    if break_glass:
        message = N_("Created break-glass administrator %(name)s <%(email)s>.")
    else:
        message = created[user.role]
    typer.echo(_(message, name=user.full_name, email=user.email))


@user_app.command(
    "link",
    help=N_(
        "Make an existing account the one a person signs in to with the organisation's "
        "provider (TRACKER_OIDC_ISSUER), by their subject there; the refused sign-in's audit "
        "event names it."
    ),
)
def user_link(
    email: Annotated[str, typer.Argument(help=N_("The account's email."))],
    subject: Annotated[str, typer.Argument(help=N_("The person's subject (sub) at the provider."))],
) -> None:
    settings = get_settings()
    if not settings.oidc_enabled:
        raise _fail(_("Set TRACKER_OIDC_ISSUER and TRACKER_OIDC_CLIENT_ID first."))
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
        raise _input_problems(exc, _("The account was not linked:")) from None
    except NotFound:
        raise _fail(_("There is no account for %(email)s.", email=email)) from None
    typer.echo(
        _(
            "%(email)s now signs in as %(subject)s at %(issuer)s.",
            email=user.email,
            subject=subject,
            issuer=settings.oidc_issuer,
        )
    )


@user_app.command("set-password", help=N_("Set a new password for an account; its sessions end."))
def user_set_password(
    email: Annotated[str, typer.Argument(help=N_("The account's email."))],
) -> None:
    secret = typer.prompt(
        _("New password"), hide_input=True, confirmation_prompt=_("Repeat the password")
    )
    try:
        with session_scope(engine_from_settings()) as session:
            set_password(session=session, email=email, password=secret, confirm=secret, actor=None)
    except InputError as exc:
        raise _input_problems(exc, _("The password was not changed:")) from None
    except NotFound:
        raise _fail(_("There is no account for %(email)s.", email=email)) from None
    typer.echo(_("Password changed for %(email)s; any open sessions have ended.", email=email))


@app.command(
    "setup",
    help=N_(
        "Migrate, load reference data and the Global Policing Goals, and seed a demo "
        "portfolio and demo accounts into an empty database. Safe to run again: it only adds "
        "what is missing."
    ),
)
def setup(
    demo_projects: Annotated[
        int, typer.Option(help=N_("Demo projects for an empty database; 0 for none."))
    ] = 300,
    demo_users: Annotated[
        bool, typer.Option(help=N_("Create demo accounts when there are no accounts."))
    ] = True,
) -> None:
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
        typer.echo(_("No demo accounts in production; create accounts with `tracker user add`."))
    elif demo_users:
        with session_scope(engine_from_settings()) as session:
            accounts = ensure_demo_users(session=session)
        settings = get_settings()
        sign_in = settings.public_url + "/login"
        if accounts:
            typer.echo("\n" + _("Sign in at %(address)s with a demo account:", address=sign_in))
        for account in accounts:
            if account.programmes:
                who = _(
                    "%(name)s, edits %(programmes)s",
                    name=account.full_name,
                    programmes=_and(account.programmes),
                )
            else:
                who = account.full_name
            # Set out as a table: the role (as --role names it), the email, the password.
            typer.echo(
                "  "
                + _(
                    "%(role)s %(email)s password %(password)s(%(who)s)",
                    role=account.role.ljust(8),
                    email=account.email.ljust(22),
                    password=account.password.ljust(18),
                    who=who,
                )
            )


def _train_report(report) -> str:
    return _(
        "Suggestion model: learned from %(tagged)s, ranked %(ranked)s; %(size)s MB stored, "
        "in %(seconds)s s.",
        tagged=formats.Text.counted(
            "%(num)s tagged projects", "%(num)s tagged projects", report.projects
        ),
        ranked=formats.Text.counted("%(num)s project", "%(num)s projects", report.ranked),
        size=_decimal(report.size_bytes / 1e6),
        seconds=_decimal(report.seconds),
    )


def _decimal(value: float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(round(value, 1), format="#,##0.0", locale=LANG)


@app.command(
    "suggest",
    help=N_("Train the suggestion model now (train), or print the suggestions for project CODE."),
)
def suggest(
    what: Annotated[
        str, typer.Argument(metavar="train|CODE", help=N_("train, or a project's code."))
    ],
) -> None:
    from tracker.services.suggestions import store
    from tracker.services.suggestions.suggest import suggestions_for_project

    engine = engine_from_settings()
    if what == "train":
        report = store.train_and_store(engine)
        if report is None:
            with session_scope(engine) as session:
                stored = store.stored_model(session)
            if stored is None:
                typer.echo(_("Suggestion model: no active framework, nothing to learn."))
            else:
                typer.echo(
                    _("Suggestion model: up to date (nothing changed since it was trained).")
                )
            return
        typer.echo(_train_report(report))
        return
    from tracker.services.projects.detail import get_project

    with session_scope(engine) as session:
        try:
            project = get_project(session=session, code=what)
        except NotFound:
            raise _fail(_("There is no project %(code)s.", code=what)) from None
        found = suggestions_for_project(session=session, project=project)
        typer.echo(f"{project.code} {project.title}")
        for title, items in ((_("Objectives:"), found.objectives), (_("Themes:"), found.themes)):
            typer.echo(title)
            if not items:
                typer.echo("  " + _("none to suggest"))
            for item in items:
                typer.echo(f"  {item.code:<6} {item.score:.3f}  {_said(item.label)}")
                typer.echo(f"         {_said(item.reason)}")
        if found.trained_at is None:
            typer.echo(_("From the framework's statements alone: run `tracker suggest train`."))
        else:
            typer.echo(
                ngettext(
                    "Model trained %(when)s on %(num)s tagged projects.",
                    "Model trained %(when)s on %(num)s tagged projects.",
                    found.learned_from,
                    when=formats.format_datetime(found.trained_at, locale=LANG),
                )
            )


@app.command(
    "scheduler",
    help=N_("Run the scheduler: digests, the outbox, weekly snapshots. Run exactly one."),
)
def scheduler() -> None:
    from tracker.scheduler import build_scheduler

    settings = get_settings()
    if not settings.mail_enabled:
        typer.echo(_("TRACKER_SMTP_HOST is not set: digests are written to the outbox and wait."))
    typer.echo(_("Scheduler running (Ctrl+C to stop)."))
    try:
        build_scheduler(engine=engine_from_settings(), settings=settings, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        typer.echo(_("Scheduler stopped."))


@digest_app.command(
    "preview",
    help=N_("Print the next digest of someone's first subscription, as it would be sent now."),
)
def digest_preview(
    email: Annotated[str, typer.Argument(help=N_("The subscriber's email."))],
    html: Annotated[
        bool, typer.Option("--html", help=N_("Print the HTML part instead of text."))
    ] = False,
) -> None:
    from tracker.services.digests.preview import preview_for_email

    settings = get_settings()
    with session_scope(engine_from_settings()) as session:
        try:
            rendered = preview_for_email(session=session, settings=settings, email=email)
        except NotFound as exc:
            if exc.what == "account":
                raise _fail(_("There is no account for %(email)s.", email=email)) from None
            raise _fail(_("There is no digest for %(email)s.", email=email)) from None
    # The digest itself, as it is sent: its header line and its words are the email's.
    typer.echo(f"Subject: {rendered.subject}\n")
    typer.echo(rendered.html if html else rendered.text)


@digest_app.command("send", help=N_("Enqueue the digests that are due and send the outbox."))
def digest_send(
    now: Annotated[
        bool, typer.Option("--now", help=N_("Enqueue what is due now and send it."))
    ] = False,
) -> None:
    from tracker.services.digests import outbox

    if not now:
        raise _fail(_("Say --now to enqueue and send what is due now."))
    settings = get_settings()
    engine = engine_from_settings()
    written = outbox.enqueue_due(engine=engine, settings=settings)
    if not settings.mail_enabled:
        typer.echo(
            ngettext(
                "%(num)s digest(s) written; TRACKER_SMTP_HOST is not set, so none sent.",
                "%(num)s digest(s) written; TRACKER_SMTP_HOST is not set, so none sent.",
                written,
            )
        )
        return
    report = outbox.send_due(engine=engine, settings=settings)
    typer.echo(
        _(
            "%(written)s written; %(sent)s sent, %(retrying)s to retry, %(failed)s failed.",
            written=formats.Text.counted("%(num)s digest(s)", "%(num)s digest(s)", written),
            sent=report.sent,
            retrying=report.retrying,
            failed=report.failed,
        )
    )


def _cli_principal():
    from tracker.models import User
    from tracker.services.accounts.permissions import Principal

    user = User(
        id=None, email="command-line@localhost", full_name="Import (command line)", role="admin"
    )
    return Principal(user=user, programme_ids=frozenset(), via="session")


@app.command(
    "import",
    help=N_("Check a spreadsheet or IATI file and report every problem; with --commit, import it."),
)
def import_file(
    first: Annotated[
        str,
        typer.Argument(
            metavar="[iati] FILE", help=N_("A CSV or XLSX file; or iati and an XML file.")
        ),
    ],
    second: Annotated[Path | None, typer.Argument(hidden=True)] = None,
    commit: Annotated[
        bool,
        typer.Option("--commit", help=N_("Write the rows (all or none). Without it: a dry run.")),
    ] = False,
    programme: Annotated[
        str, typer.Option(help=N_("Programme of IATI activities (CT, CYB, FCAC, OEC)."))
    ] = "",
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help=N_("IATI: import the activities that can be, skipping those that cannot."),
        ),
    ] = False,
    level: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=9,
            help=N_(
                "IATI: the level of parent and child activities to import "
                "[default: the lowest level that carries budgets]."
            ),
        ),
    ] = None,
) -> None:
    from tracker.services.exchange.iati.read import import_iati
    from tracker.services.exchange.spreadsheet.read import import_spreadsheet

    iati = first == "iati"
    path = second if iati else Path(first)
    if path is None or not path.is_file():
        raise _fail(_("No such file: %(file)s", file=str(path or first)))
    if iati and not programme:
        raise _fail(_("IATI activities need a programme: --programme CT, CYB, FCAC or OEC."))
    content = path.read_bytes()
    settings = get_settings()
    with (
        session_scope(engine_from_settings()) as session,
        typer.progressbar(
            length=1, label=_("Importing") if commit else _("Checking"), file=sys.stderr
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
        _print_report(report, commit=commit)


def _refused(report) -> typer.Exit:
    return _fail(
        _(
            "The file was refused and nothing was written: %(reason)s",
            reason=_said(report.refused),
        )
    )


def _print_iati_report(report, *, commit: bool, skip_invalid: bool) -> None:
    from tracker.services.exchange.iati.summary import report_lines

    if report.refused:
        raise _refused(report)
    for line in report_lines(report):
        typer.echo(_said(line))
    can = len(report.creates) + len(report.updates)
    cannot = len(report.unmapped)
    if report.committed:
        if report.skipped:
            typer.echo(
                ngettext(
                    "Imported: %(can)s written; %(num)s that cannot be was skipped.",
                    "Imported: %(can)s written; %(num)s that cannot be were skipped.",
                    report.skipped,
                    can=_activities(can),
                )
            )
        else:
            typer.echo(_("Imported: %(can)s written.", can=_activities(can)))
    elif cannot and not (skip_invalid and can):
        refused = ngettext(
            "%(num)s activity cannot be imported; nothing was written.",
            "%(num)s activities cannot be imported; nothing was written.",
            cannot,
        )
        if can:
            refused += " " + ngettext(
                "Add --skip-invalid to import the %(num)s other.",
                "Add --skip-invalid to import the %(num)s others.",
                can,
            )
        raise _fail(refused)
    elif cannot:
        typer.echo(
            ngettext(
                "Dry run: nothing was written. Add --commit to import, skipping the %(num)s "
                "that cannot be.",
                "Dry run: nothing was written. Add --commit to import, skipping the %(num)s "
                "that cannot be.",
                cannot,
            )
        )
    else:
        typer.echo(_("Dry run: nothing was written. Add --commit to import."))


def _activities(n: int) -> formats.Text:
    return formats.Text.counted("%(num)s activity is", "%(num)s activities are", n)


def _print_report(report, *, commit: bool) -> None:
    if report.refused:
        raise _refused(report)
    typer.echo(
        _(
            "%(rows)s: %(new)s, %(updates)s to update.",
            rows=formats.Text.counted("%(num)s rows", "%(num)s rows", report.rows),
            new=formats.Text.counted(
                "%(num)s new project(s)", "%(num)s new project(s)", len(report.creates)
            ),
            updates=len(report.updates),
        )
    )
    if report.problems:
        for problem in report.problems:
            typer.echo(f"  {_said(problem.render())}", err=True)
        raise _fail(
            ngettext(
                "%(num)s problem(s); nothing was written.",
                "%(num)s problem(s); nothing was written.",
                len(report.problems),
            )
        )
    if report.committed:
        typer.echo(_("Imported: every row is written."))
    elif not commit:
        typer.echo(_("Dry run: nothing was written. Add --commit to import."))


@app.command(
    "export",
    help=N_("Write projects with their tags as CSV or XLSX, or as IATI 2.03 XML."),
)
def export(
    kind: Annotated[str, typer.Argument(help=N_("projects or iati"))],
    file: Annotated[
        Path,
        typer.Argument(help=N_("Where to write: .csv or .xlsx for projects, .xml for iati")),
    ],
    code: Annotated[
        list[str] | None,
        typer.Option("--code", help=N_("Only these projects (repeatable).")),
    ] = None,
) -> None:
    from tracker.services.exchange.iati.write import iati_chunks
    from tracker.services.exchange.spreadsheet.write import csv_chunks, row_chunks, xlsx_file

    if kind not in ("projects", "iati"):
        raise _fail(_("Export projects or iati."))
    # Written as it is made, a few hundred projects at a time, whatever the portfolio's size.
    with session_scope(engine_from_settings()) as session:
        if kind == "iati":
            pieces = iati_chunks(session=session, settings=get_settings(), codes=code)
        else:
            rows = row_chunks(session=session, codes=code)
            xlsx = file.suffix.lower() == ".xlsx"
            pieces = xlsx_file(rows) if xlsx else csv_chunks(rows)
        size = 0
        with file.open("wb") as out:
            for piece in pieces:
                size += out.write(piece)
    if kind == "projects":
        typer.echo(_("Wrote %(file)s (%(size)s).", file=str(file), size=_size(size)))


@app.command("serve", help=N_("Serve the web application."))
def serve(
    host: Annotated[
        str | None, typer.Option(help=N_("Address to listen on [TRACKER_HOST]."))
    ] = None,
    port: Annotated[int | None, typer.Option(help=N_("Port [TRACKER_PORT]."))] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help=N_("Worker processes [TRACKER_WORKERS]."))
    ] = None,
    reload: Annotated[
        bool, typer.Option(help=N_("Restart on code changes (development)."))
    ] = False,
) -> None:
    import uvicorn

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    if settings.embedded_scheduler and (workers or settings.workers) > 1:
        raise _fail(
            _(
                "TRACKER_EMBEDDED_SCHEDULER runs the scheduler in every worker; with several "
                "workers turn it off and run one `tracker scheduler` beside them."
            )
        )
    address = f"http://{host}:{port}"
    typer.echo(
        _(
            "Serving the tracker on %(address)s  (Ctrl+C to stop)",
            address=address,
        )
    )
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
