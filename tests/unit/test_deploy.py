"""Deployment files are code: they parse, and they refer to things that exist."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]


def test_compose_file_parses_and_runs_innboks_commands() -> None:
    compose = yaml.safe_load((ROOT / "deploy/docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"kafka", "topics", "worker", "facebook"} <= set(services)
    assert services["topics"]["command"] == ["topics", "create"]
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert services["facebook"]["command"][:2] == ["poll", "facebook"]


def test_dockerfile_copies_existing_paths() -> None:
    dockerfile = (ROOT / "deploy/Dockerfile").read_text(encoding="utf-8")
    for sources in re.findall(r"^COPY (.+?) \S+$", dockerfile, re.M):
        for source in sources.split():
            assert (ROOT / source).exists(), source
