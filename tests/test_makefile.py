"""A newcomer's first screen: the Makefile finds a Python without printing what it tried, and
stopping `make run` (Ctrl-C, or SIGTERM to its process group) ends the server gracefully with
no `make: ***` line.

The `make run` cases use the folder that test_make_run uses too: the project's Makefile, a
stand-in virtual environment whose `tracker serve` is the real one, and a small migrated
database.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.files import make_run_folder
from tests.waiting import free_port, wait_until
from tracker.config import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

# What a pyenv shim says for a version that is installed but not selected.
SHIM = """#!/bin/sh
echo "pyenv: $(basename "$0"): command not found" >&2
echo "The \\`$(basename "$0")' command exists in these Python versions:" >&2
exit 127
"""


def _environment(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRACKER_", "MAKE")) and key not in ("MFLAGS", "PYTHON")
    }
    return {**env, **extra}


def test_the_python_probe_prints_nothing_for_names_that_do_not_run(tmp_path):
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python3.13", "python3.12"):
        (shims / name).write_text(SHIM)
        (shims / name).chmod(0o755)
    env = _environment(PATH=f"{shims}:{os.environ['PATH']}")
    result = subprocess.run(
        [
            "make",
            "-f",
            str(PROJECT_ROOT / "Makefile"),
            "--eval",
            "which: ; @echo $(PYTHON)",
            "which",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    chosen = result.stdout.strip()
    assert chosen in ("python3.11", "python3") and shutil.which(chosen, path=env["PATH"])
    help_ = subprocess.run(
        ["make", "-f", str(PROJECT_ROOT / "Makefile"), "help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert help_.stderr == "" and "pyenv" not in help_.stdout


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder with the Makefile, a stand-in virtual environment, and a migrated database."""
    return make_run_folder(tmp_path)


def _default_signals() -> None:
    # As from a terminal: make starts with SIGINT and SIGTERM at their default, whatever the
    # test runner ignores.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_make_run_ends_quietly(project: Path, sig):
    port = free_port()
    server = subprocess.Popen(
        ["make", "run", "VENV=venv", f"TRACKER_PORT={port}"],
        cwd=project,
        env=_environment(TRACKER_DATABASE_URL=f"sqlite:///{project / 'tracker.db'}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_default_signals,
    )

    def serving() -> bool:
        assert server.poll() is None, server.stdout.read().decode()
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200

    try:
        wait_until(
            serving,
            timeout=30,
            interval=0.05,
            what="make run to serve",
            ignore=(httpx.TransportError,),
        )
    finally:
        os.killpg(server.pid, sig)  # the whole process group, as a terminal sends Ctrl-C
        output = server.communicate(timeout=30)[0].decode()
    assert "Shutting down" in output and "Finished server process" in output
    assert "make: ***" not in output and "Error" not in output
    assert "Traceback" not in output and "Aborted" not in output
    # make itself ends by the signal it was sent, as a stopped program should; its recipe
    # did not fail, so it has nothing to report.
    assert server.returncode == -sig
