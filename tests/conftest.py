"""Databases for tests: every test that asks for `database_url` runs on SQLite and PostgreSQL.

SQLite: the schema is migrated once into a template file, which each test copies.
PostgreSQL: one database per test session (and per xdist worker), migrated once and
truncated before each test. Set TRACKER_TEST_POSTGRES_URL to a database the tests may use to
create others; by default the local `test` database. Without PostgreSQL the cases are skipped,
except on CI (CI=true), where its absence fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Cheap password hashing for tests; set before any settings are read.
os.environ.setdefault("TRACKER_ARGON2_TIME_COST", "1")
os.environ.setdefault("TRACKER_ARGON2_MEMORY_KIB", "64")
os.environ.setdefault("TRACKER_ARGON2_PARALLELISM", "1")

import pytest
import uvicorn
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from tracker.app import create_app
from tracker.config import Settings
from tracker.db import make_engine, session_scope
from tracker.services import schema
from tracker.services.framework_loader import load_framework
from tracker.services.reference import load_reference_data

PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATA = Path(__file__).parent / "data"
GPG_FILE = Path(__file__).parent.parent / "seeds" / "frameworks" / "gpg-2023.yaml"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


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


def create_postgres_database(admin_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    schema.upgrade(database_url=f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_session_database(postgres_admin_url) -> Iterator[str]:
    url = create_postgres_database(postgres_admin_url, "tracker_test")
    schema.upgrade(database_url=url)
    yield url
    drop_postgres_database(postgres_admin_url, url)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_session_database")
    _truncate_all(url)
    return url


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
    """Reference data and the Global Policing Goals, loaded and committed."""
    with session_scope(engine) as session:
        load_reference_data(session=session)
        load_framework(session=session, path=GPG_FILE)
    return engine


@pytest.fixture
def client_factory(engine) -> Callable[..., TestClient]:
    def make(*, raise_server_exceptions: bool = True, **settings) -> TestClient:
        app = create_app(
            Settings(
                database_url=engine.url.render_as_string(hide_password=False),
                env="test",
                **settings,
            ),
            engine=engine,
        )
        return TestClient(app, raise_server_exceptions=raise_server_exceptions)

    return make


@pytest.fixture
def client(client_factory) -> TestClient:
    return client_factory()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(engine) -> Iterator[str]:
    """The app served by uvicorn in a thread on a free port: real concurrent requests."""
    port = _free_port()
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), env="test", port=port
    )
    app = create_app(settings, engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# Accounts and signed-in browsers

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    password: str
    role: str


@pytest.fixture
def accounts(framework) -> dict[str, Account]:
    """An administrator, a viewer, and managers of Cybercrime ("this" programme in tests)
    and of Counter-Terrorism ("another" programme)."""
    from tracker.services.users import create_user

    made = {}
    with session_scope(framework) as session:
        for key, role, programmes in (
            ("admin", "admin", []),
            ("viewer", "viewer", []),
            ("manager_this", "manager", ["CYB"]),
            ("manager_other", "manager", ["CT"]),
        ):
            user = create_user(
                session=session,
                email=f"{key.replace('_', '.')}@example.org",
                full_name=key.replace("_", " ").title(),
                role=role,
                programmes=programmes,
                actor=None,
                password=PASSWORD,
            )
            made[key] = Account(user.id, user.email, PASSWORD, role)
    return made


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token that the page at `path` gives its forms, read as a browser would."""
    page = BeautifulSoup(client.get(path).text, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no CSRF field on {path}"
    return field["value"]


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
    import socket

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
