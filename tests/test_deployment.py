"""The production shape, checked without a Docker engine: the compose file and the image."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tracker.config import Settings

ROOT = Path(__file__).parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_production_shape():
    services = _compose()["services"]
    assert set(services) == {"db", "migrate", "web", "scheduler", "mail"}
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
    assert services["web"]["environment"]["TRACKER_EMBEDDED_SCHEDULER"] == "false"
    assert "--workers" in services["web"]["command"]


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
    for path in re.findall(r"^COPY (\S+)", dockerfile, re.M):
        assert (ROOT / path).exists(), path
