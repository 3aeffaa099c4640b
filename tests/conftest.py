"""Databases for tests: a test that asks for `database_url` runs on SQLite, and on PostgreSQL
too where `_runs_on_postgresql` says so (services, models, migrations, the command line, and a
smoke set of web, API and browser tests).

SQLite: each level (see LEVELS) is a template file, which each test copies.
PostgreSQL: one database per test session (and per xdist worker), migrated once and put back
to the level before each test (see PostgresLevels). Set TRACKER_TEST_POSTGRES_URL to a
database the tests may use to create others; by default the local `test` database. Without
PostgreSQL the cases are skipped, except on CI (CI=true), where its absence fails the run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

# Cheap password hashing for tests; set before any settings are read.
os.environ.setdefault("TRACKER_ARGON2_TIME_COST", "1")
os.environ.setdefault("TRACKER_ARGON2_MEMORY_KIB", "64")
os.environ.setdefault("TRACKER_ARGON2_PARALLELISM", "1")

import lxml.html
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from tests.waiting import free_port, wait_until
from tracker.app import create_app
from tracker.config import Settings
from tracker.db import make_engine, session_scope
from tracker.services import schema
from tracker.services.framework.loader import load_framework
from tracker.services.framework.translation_loader import load_shipped_translations
from tracker.services.reference.load import load_reference_data

# Providers of OpenID Connect sign-in for the tests (tests/oidc.py).
pytest_plugins = ("tests.oidc",)

PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATA = Path(__file__).parent / "data"
GPG_FILE = Path(__file__).parent.parent / "seeds" / "frameworks" / "gpg-2023.yaml"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# All SQL lives in the services: their tests, the models', the migrations' and the command
# line's run on both databases. Web, API and browser tests run on SQLite, but for a smoke set
# marked `both_backends` (and tests that ask for a backend by name).
ON_BOTH_BACKENDS = (
    "tests/services/",
    "tests/models/",
    "tests/test_migrations.py",
    "tests/test_cli.py",
)


SMOKE_ON_POSTGRESQL = {
    "tests/web/test_project_forms.py::test_a_manager_registers_a_project",
    "tests/web/test_project_forms.py::test_a_stale_edit_gets_409_and_says_who",
    "tests/web/test_project_forms.py::test_tag_editor_adds_changes_and_removes_in_place",
    "tests/web/test_heatmap.py::test_heatmap_is_a_real_table_with_numbers_colours_and_gaps",
    "tests/web/test_dashboard.py::test_dashboard_shows_headlines_goals_gaps_and_changes",
    "tests/web/test_auth.py::test_sign_in_sets_a_strict_session_cookie_and_lands_on_next",
    "tests/web/test_imports.py::test_upload_check_then_import",
    "tests/web/test_digests.py::test_subscribe_and_preview",
    "tests/web/test_server_keeps_answering.py",
    "tests/web/test_hostile_inputs.py",
    "tests/api/test_projects_api.py::test_create_read_list_update_delete",
    "tests/api/test_projects_api.py::test_a_stale_update_gets_409",
    "tests/api/test_coverage_api.py::test_coverage_json",
    "tests/api/test_coverage_api.py::test_gaps_json",
    "tests/browser/test_projects.py::test_register_tag_and_close_a_gap",
}


def _runs_on_postgresql(item) -> bool:
    path = item.path.relative_to(Path(__file__).parent.parent).as_posix()
    if path.startswith(ON_BOTH_BACKENDS):
        return True
    if (marker := item.get_closest_marker("both_backends")) is not None:
        return marker.kwargs.get("only_if", True)
    if path in SMOKE_ON_POSTGRESQL or f"{path}::{item.originalname}" in SMOKE_ON_POSTGRESQL:
        return True
    return any("database_url" in str(marker.args[0]) for marker in item.iter_markers("parametrize"))


def pytest_collection_modifyitems(config, items):
    kept, left_out = [], []
    screenshots = bool(os.environ.get("TRACKER_SCREENSHOTS_DIR"))
    for item in items:
        if item.get_closest_marker("screenshots") and not screenshots:
            left_out.append(item)
            continue
        params = getattr(item, "callspec", None)
        backends = (
            {params.params.get("database_url"), params.params.get("fresh_database_url")}
            if params
            else set()
        )
        if "postgresql" in backends and not _runs_on_postgresql(item):
            left_out.append(item)
        else:
            kept.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_admin_url() -> str:
    url = os.environ.get("TRACKER_TEST_POSTGRES_URL", PG_DEFAULT_URL)
    return Settings(database_url=url).database_url  # normalises the driver


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = _postgres_admin_url()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = f"PostgreSQL is not reachable at {make_url(url).render_as_string()}: {exc.orig}"
        if _on_ci():
            pytest.fail(f"{reason}. On CI the PostgreSQL cases are required.", pytrace=False)
        pytest.skip(f"{reason}. Start it or set TRACKER_TEST_POSTGRES_URL to run these cases.")
    finally:
        engine.dispose()
    return url


def create_postgres_database(admin_url: str, prefix: str, template: str | None = None) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# Each test starts from one of three levels: migrated and empty; with the reference data and the
# framework (and its shipped translations); and with the test accounts too, the richest its
# fixtures ask for. The levels are built once per test session (and per xdist worker). SQLite:
# a template file per level, which each test copies. PostgreSQL: one database, whose tables are
# emptied and refilled from the level's rows (kept in a schema of their own) before each test,
# in one transaction.
LEVELS = ("empty", "framework", "accounts")


def _level(request) -> str:
    names = request.fixturenames
    if "accounts" in names:
        return "accounts"
    if "framework" in names:
        return "framework"
    return "empty"


def _fill(url: str, level: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        if level == "framework":
            load_reference_data(session=session)
            load_framework(session=session, path=GPG_FILE)
            # As `tracker setup` does: the working translations shipped beside it.
            load_shipped_translations(session=session, framework_file=GPG_FILE)
        elif level == "accounts":
            _create_accounts(session)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sqlite-templates")
    paths = {level: folder / f"{level}.db" for level in LEVELS}
    schema.upgrade(database_url=f"sqlite:///{paths['empty']}")
    for previous, level in itertools.pairwise(LEVELS):
        shutil.copyfile(paths[previous], paths[level])
        _fill(f"sqlite:///{paths[level]}", level)
    return paths


@pytest.fixture(scope="session")
def sqlite_template(sqlite_templates) -> Path:
    """The migrated, empty SQLite database that tests copy."""
    return sqlite_templates["empty"]


class PostgresLevels:
    """A PostgreSQL database for one test session (and xdist worker), put back to a level
    before each test: every table emptied, then refilled from the copy of the level's rows kept
    in schema `level_<name>`, and the sequences set back, all in one transaction. Copying the
    database for each test instead would cost a CREATE DATABASE, ten times as long.

    The coverage version sequence is left to run on, and moved on at each restore, so a version
    seen in one test is never seen again with other rows in the next: cached figures can not
    leak from test to test."""

    KEEP_RUNNING = {"coverage_version"}

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        metadata = MetaData()
        metadata.reflect(self.engine)
        self.tables = [t.name for t in metadata.sorted_tables if t.name != "alembic_version"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND is_generated = 'NEVER' "
                    "ORDER BY table_name, ordinal_position"
                )
            )
            self.columns: dict[str, str] = {}
            for table, column in rows:
                listed = self.columns.get(table)
                self.columns[table] = f'{listed}, "{column}"' if listed else f'"{column}"'
            self.superuser = connection.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        self.filled: dict[str, list[str]] = {}
        self.sequences: dict[str, list[tuple[str, int | None]]] = {}

    def keep(self, level: str) -> None:
        """Copy what the database holds now as `level`."""
        with self.engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA level_{level}"))
            filled = []
            for table in self.tables:
                connection.execute(
                    text(f'CREATE TABLE level_{level}."{table}" AS TABLE public."{table}"')
                )
                if connection.execute(text(f'SELECT EXISTS (TABLE public."{table}")')).scalar():
                    filled.append(table)
            self.filled[level] = filled
            self.sequences[level] = [
                (name, last)
                for name, last in connection.execute(
                    text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = 'public'"
                    )
                )
                if name not in self.KEEP_RUNNING
            ]

    def restore(self, level: str) -> None:
        with self.engine.begin() as connection:
            # Whatever the last test left connected (a server thread, a pool) lets go first.
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            if self.superuser:
                # DELETE with triggers off (the audit trail refuses deletes): on tables this
                # small it is far quicker than TRUNCATE, which makes new files for each table.
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                for table in reversed(self.tables):
                    connection.execute(text(f'DELETE FROM public."{table}"'))
            else:
                tables = ", ".join(f'public."{t}"' for t in self.tables)
                connection.execute(text(f"TRUNCATE {tables}"))
            for table in self.filled[level]:
                columns = self.columns[table]
                connection.execute(
                    text(
                        f'INSERT INTO public."{table}" ({columns}) OVERRIDING SYSTEM VALUE '
                        f'SELECT {columns} FROM level_{level}."{table}"'
                    )
                )
            for name, last in self.sequences[level]:
                if last is None:
                    connection.execute(text(f'ALTER SEQUENCE public."{name}" RESTART'))
                else:
                    connection.execute(text(f"SELECT setval('public.\"{name}\"', {int(last)})"))
            # The rows are the level's again, but not the last test's: figures cached under
            # the coverage version it left (in this process) must not answer this test.
            connection.execute(text("SELECT nextval('coverage_version')"))

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres_levels(postgres_admin_url) -> Iterator[PostgresLevels]:
    url = create_postgres_database(postgres_admin_url, "tracker_test")
    schema.upgrade(database_url=url)
    levels = PostgresLevels(url)
    levels.keep("empty")
    for level in LEVELS[1:]:
        _fill(url, level)
        levels.keep(level)
    yield levels
    levels.close()
    drop_postgres_database(postgres_admin_url, url)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """A migrated database on each backend: empty, or with the framework (and the accounts)
    already in it when the test asks for `framework` (or `accounts`)."""
    level = _level(request)
    if request.param == "sqlite":
        path = tmp_path / "tracker.db"
        shutil.copyfile(request.getfixturevalue("sqlite_templates")[level], path)
        yield f"sqlite:///{path}"
        return
    levels = request.getfixturevalue("postgres_levels")
    levels.restore(level)
    yield levels.url


@pytest.fixture(params=BACKENDS)
def fresh_database_url(request, tmp_path) -> Iterator[str]:
    """A database with nothing in it, not even the schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    url = create_postgres_database(admin, "tracker_fresh")
    yield url
    drop_postgres_database(admin, url)


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def framework(engine) -> Engine:
    """Reference data and the Global Policing Goals, loaded and committed (copied in from the
    template database that holds them)."""
    return engine


class AppPool:
    """Apps made by `create_app`, lent to one test (or server) at a time and then kept for the
    next. Making an app costs a tenth of a second (FastAPI builds the handling of each route
    anew for every app it includes the routers in), which came to an eighth of the suite's time
    when every test made its own. An app keeps two things of its own, `app.state.settings` and
    `app.state.engine`, which a lent app is given afresh; the rest of it (middleware, routes) is
    made from the settings, so apps are kept by their settings, apart from the database and the
    port, which the app reads from `app.state` as it serves."""

    def __init__(self):
        self.free: dict[str, list] = {}

    @contextmanager
    def lend(self, settings: Settings, engine: Engine) -> Iterator:
        key = settings.model_dump_json(exclude={"database_url", "port"})
        free = self.free.setdefault(key, [])
        app = free.pop() if free else create_app(settings, engine=engine)
        app.state.settings = settings
        app.state.engine = engine
        try:
            yield app
        finally:
            free.append(app)


APPS = AppPool()


@pytest.fixture
def client_factory(engine) -> Iterator[Callable[..., TestClient]]:
    with ExitStack() as lent:

        def make(*, raise_server_exceptions: bool = True, **settings) -> TestClient:
            app = lent.enter_context(
                APPS.lend(
                    Settings(
                        database_url=engine.url.render_as_string(hide_password=False),
                        env="test",
                        **settings,
                    ),
                    engine,
                )
            )
            return TestClient(app, raise_server_exceptions=raise_server_exceptions)

        yield make


@pytest.fixture
def client(client_factory) -> TestClient:
    return client_factory()


@contextmanager
def serving(
    engine, wrap=lambda app: app, log_level: str = "warning", **more_settings
) -> Iterator[str]:
    """The app on `engine` served by uvicorn in a thread on a free port, as its address, until
    the block ends: for real concurrent requests. `wrap` may put the app inside another;
    `more_settings` are settings of its own."""
    port = free_port()
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        env="test",
        port=port,
        **more_settings,
    )
    with APPS.lend(settings, engine) as app:
        server = uvicorn.Server(
            uvicorn.Config(wrap(app), host="127.0.0.1", port=port, log_level=log_level)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_until(lambda: server.started, what="the test server to start")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture
def live_server(engine) -> Iterator[str]:
    """The app served by uvicorn in a thread on a free port: real concurrent requests."""
    with serving(engine) as address:
        yield address


# Accounts and signed-in browsers

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    password: str
    role: str


ACCOUNTS = (
    ("admin", "admin", []),
    ("viewer", "viewer", []),
    ("manager_this", "manager", ["CYB"]),
    ("manager_other", "manager", ["CT"]),
)


def _email(key: str) -> str:
    return f"{key.replace('_', '.')}@example.org"


def _create_accounts(session: Session) -> None:
    from tracker.services.accounts.users import create_user

    for key, role, programmes in ACCOUNTS:
        create_user(
            session=session,
            email=_email(key),
            full_name=key.replace("_", " ").title(),
            role=role,
            programmes=programmes,
            actor=None,
            password=PASSWORD,
        )


@pytest.fixture
def accounts(framework) -> dict[str, Account]:
    """An administrator, a viewer, and managers of Cybercrime ("this" programme in tests)
    and of Counter-Terrorism ("another" programme), copied in from the template database."""
    from tracker.models import User

    with Session(framework) as session:
        ids = {u.email: u.id for u in session.exec(select(User))}
    return {
        key: Account(ids[_email(key)], _email(key), PASSWORD, role) for key, role, _ in ACCOUNTS
    }


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token that the page at `path` gives its forms, read as a browser would."""
    # lxml alone: the token is all this needs, and a whole BeautifulSoup tree costs ten times as
    # much on every sign-in and form post.
    values = lxml.html.fromstring(client.get(path).text).xpath('//input[@name="csrf_token"]/@value')
    assert values, f"no CSRF field on {path}"
    return values[0]


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra):
    token = csrf_of(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, **extra},
        follow_redirects=False,
    )


@pytest.fixture
def browser_for(client_factory, accounts) -> Callable[[str], TestClient]:
    """A client signed in as one of `accounts` (or anonymous for "anonymous")."""

    def make(who: str) -> TestClient:
        client = client_factory()
        if who != "anonymous":
            response = sign_in(client, accounts[who].email)
            assert response.status_code == 303, response.text
        return client

    return make


# A real SMTP server


class _Inbox:
    """Messages the SMTP server accepted; `refuse` makes it answer 451 that many times."""

    def __init__(self):
        self.messages: list = []
        self.raw: list[bytes] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        from email import message_from_bytes, policy

        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()
