"""`make run` serves with a secret key of its own: random, made once, kept in var/secret_key
(mode 600), the same after a restart; a key set in the environment or in .env wins.

Each case runs the project's Makefile in a folder of its own, with a stand-in virtual
environment whose `tracker setup` does nothing and whose `tracker serve` is the real one on a
small migrated database: the served app is asked for a form, and its CSRF token tells which key
signed it.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
from pathlib import Path

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup

from tests.files import make_run_folder
from tests.waiting import free_port, wait_until
from tracker.config import PLACEHOLDER_SECRET
from tracker.security import CSRF_COOKIE
from tracker.services.accounts.secrets import sign

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder with the Makefile, a stand-in virtual environment, and a migrated database."""
    return make_run_folder(tmp_path)


def _run(project: Path, **env: str) -> tuple[str, str, str]:
    """`make run` until the server answers: the CSRF seed and the token that the login form
    holds, and what make printed."""
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRACKER_", "MAKE")) and key != "MFLAGS"
    }
    environment.update(TRACKER_DATABASE_URL=f"sqlite:///{project / 'tracker.db'}", **env)
    server = subprocess.Popen(
        ["make", "run", "VENV=venv", f"TRACKER_PORT={port}"],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        seed, token = _login_form(f"http://127.0.0.1:{port}", server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    return seed, token, output


def _login_form(base_url: str, server: subprocess.Popen) -> tuple[str, str]:
    def answered():
        if server.poll() is not None:
            raise AssertionError(server.stdout.read().decode())
        with httpx.Client(base_url=base_url, timeout=5) as client:
            page = client.get("/login")
        field = BeautifulSoup(page.text, "lxml").find("input", attrs={"name": "csrf_token"})
        return page.cookies[CSRF_COOKIE], field["value"]

    return wait_until(
        answered,
        timeout=30,
        interval=0.05,
        what=f"make run to serve {base_url}",
        ignore=(httpx.TransportError,),
    )


def _signed_with(key: str, seed: str, token: str) -> bool:
    return sign(key, "csrf", seed, "") == token


def test_make_run_makes_a_key_once_keeps_it_private_and_serves_with_it(project):
    seed, token, output = _run(project)
    key_file = project / "var" / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 32 and key != PLACEHOLDER_SECRET
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _signed_with(key, seed, token)
    assert not _signed_with(PLACEHOLDER_SECRET, seed, token)
    assert "Made a secret key in var/secret_key" in output and key not in output

    # A restart keeps the key, so what it signed before still holds.
    seed_again, token_again, output = _run(project)
    assert key_file.read_text().strip() == key
    assert _signed_with(key, seed_again, token_again)
    assert "Made a secret key" not in output and key not in output


def test_each_project_gets_its_own_key(project, tmp_path_factory):
    """The key is made by the Makefile's own rule, which `make run` depends on (the test
    above shows it serving with that key); here two folders each make theirs."""
    other = tmp_path_factory.mktemp("other")
    shutil.copytree(project, other, dirs_exist_ok=True)
    for folder in (project, other):
        made = subprocess.run(
            ["make", "VENV=venv", "var/secret_key"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stdout + made.stderr
    keys = [(folder / "var" / "secret_key").read_text().strip() for folder in (project, other)]
    assert all(len(key) >= 32 for key in keys) and keys[0] != keys[1]


def test_a_key_set_in_the_environment_wins(project):
    chosen = "k" * 48
    seed, token, _ = _run(project, TRACKER_SECRET_KEY=chosen)
    assert _signed_with(chosen, seed, token)


def test_a_key_set_in_dot_env_wins(project):
    chosen = "d" * 48
    (project / ".env").write_text(f"# the deployment's key\nexport TRACKER_SECRET_KEY={chosen}\n")
    seed, token, _ = _run(project)
    assert _signed_with(chosen, seed, token)


def test_a_key_file_too_short_is_refused(project):
    (project / "var").mkdir()
    (project / "var" / "secret_key").write_text("short\n")
    result = subprocess.run(
        ["make", "run", "VENV=venv"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "too short to be a secret key" in result.stdout + result.stderr
