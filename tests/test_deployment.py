"""The production shape, checked without a Docker engine: the compose file, the reverse proxy's
configuration and the image."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from tracker.config import Settings

ROOT = Path(__file__).parent.parent
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_production_shape():
    services = _compose()["services"]
    assert set(services) == {"db", "migrate", "web", "proxy", "scheduler", "mail"}
    assert services["db"]["image"].startswith("postgres:")
    assert "db-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "healthcheck" in services["db"] and "healthcheck" in services["web"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "scheduler"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    # Exactly one scheduler: one service runs it, once, and the web never does.
    runs_scheduler = [n for n, s in services.items() if "scheduler" in (s.get("command") or [])]
    assert runs_scheduler == ["scheduler"]
    assert services["scheduler"]["deploy"]["replicas"] == 1
    assert "ports" not in services["scheduler"]
    assert services["web"]["environment"]["TRACKER_EMBEDDED_SCHEDULER"] == "false"
    assert "--workers" in services["web"]["command"]


def test_web_replicas_scale_behind_the_proxy():
    """`--scale web=3` works: no replica takes a host port; the proxy alone publishes one and
    reaches the replicas by their service name, with the configuration from the repository."""
    compose = _compose()
    web, proxy = compose["services"]["web"], compose["services"]["proxy"]
    assert "ports" not in web and web["expose"] == ["8000"]
    assert proxy["ports"] == ["8000:8000"]
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    config = HAPROXY_CFG.read_text(encoding="utf-8")
    assert re.search(r"^\s*server-template web \d+ web:8000$", config, re.M)
    assert re.search(r"^\s*bind :8000$", config, re.M)
    # Every replica's /healthz is checked, and an unhealthy one taken out.
    assert re.search(r"^\s*option httpchk$", config, re.M)
    assert re.search(r"http-check send meth GET uri /healthz\b", config)
    assert re.search(r"^\s*http-check expect status 200$", config, re.M)
    assert re.search(
        r"^\s*default-server check .*\bfall \d+ rise \d+\b.*resolvers docker", config, re.M
    )


def test_forwarded_headers_are_believed_from_the_proxy_alone():
    compose = _compose()
    proxy_address = compose["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    trusted = compose["services"]["web"]["environment"]["TRACKER_FORWARDED_ALLOW_IPS"]
    assert trusted == proxy_address
    # The proxy replaces whatever the client sent rather than appending to it.
    config = HAPROXY_CFG.read_text(encoding="utf-8")
    assert "http-request set-header X-Forwarded-For %[src]" in config
    assert "http-request del-header Forwarded" in config
    assert "option forwardfor" not in config
    assert re.search(r"X-Forwarded-Proto https if \{ ssl_fc \}", config)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("172.30.57.10", "172.30.57.10"),
        (" 172.30.57.10 , 10.0.0.0/8 ", "172.30.57.10,10.0.0.0/8"),
        ("::1", "::1"),
    ],
)
def test_forwarded_allow_ips_takes_addresses_and_networks(given, kept):
    assert Settings(env="test", forwarded_allow_ips=given).forwarded_allow_ips == kept


@pytest.mark.parametrize(("given", "says"), [("*", "not \\*"), ("proxy", '"proxy" is not')])
def test_forwarded_allow_ips_refuses_anyone_and_names(given, says):
    with pytest.raises(ValidationError, match=says):
        Settings(env="test", forwarded_allow_ips=given)


def test_serve_hands_the_trusted_proxy_to_uvicorn(monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from tracker import cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(
        cli, "get_settings", lambda: Settings(env="test", forwarded_allow_ips="172.30.57.10")
    )
    result = CliRunner().invoke(cli.app, ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is True
    assert seen["forwarded_allow_ips"] == "172.30.57.10"


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed")
def test_haproxy_accepts_the_configuration():
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr


def _docker_compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(_docker_compose() is None, reason="docker compose is not installed")
def test_docker_compose_accepts_the_file_scaled_to_three():
    command = [*_docker_compose(), "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "TRACKER_SECRET_KEY": "x" * 40},
    )
    assert result.returncode == 0, result.stderr


def test_every_tracker_variable_in_compose_is_a_real_setting():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"\bTRACKER_[A-Z0-9_]+", text))
    known = {f"TRACKER_{name.upper()}" for name in Settings.model_fields}
    assert names and names <= known, names - known


def test_the_image_is_slim_non_root_and_checks_its_health():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.1[1-9]-slim", dockerfile, re.M)
    assert re.search(r"^USER tracker$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    for path in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.M):
        assert (ROOT / path).exists(), path


def test_the_image_installs_a_wheel_not_the_source_tree():
    """Not editable: the package is a built wheel in site-packages; the files it reads beside
    it (templates, static, seeds, migrations) are found through TRACKER_HOME."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert not re.search(r"pip install[^\n]*\s-e\b", dockerfile)
    assert re.search(r"pip wheel --no-deps --wheel-dir /wheels \.", dockerfile)
    assert re.search(r"^RUN pip install /wheels/\*\.whl", dockerfile, re.M)
    assert re.search(r"TRACKER_HOME=/app", dockerfile)
    for folder in ("migrations", "templates", "static", "seeds"):
        assert re.search(rf"^COPY {folder} \./{folder}$", dockerfile, re.M), folder


def test_the_wheel_holds_the_package_and_runs_from_tracker_home(tmp_path):
    """The wheel the image installs, built here: the package alone, which finds its files
    through TRACKER_HOME once installed away from the source tree."""
    source = tmp_path / "src"  # a copy, so that building leaves nothing in the checkout
    shutil.copytree(
        ROOT / "tracker", source / "tracker", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "--wheel-dir",
            str(tmp_path / "wheels"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "wheels").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tracker/app.py" in names and "tracker/services/schema.py" in names
    assert not [n for n in names if n.startswith(("templates/", "migrations/", "tests/"))]
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import tracker.config as c; "
            "print(c.__file__); print(c.PROJECT_ROOT)",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"TRACKER_HOME": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    module, home = probe.stdout.split()
    assert module.startswith(str(tmp_path / "site"))
    assert Path(home) == ROOT
