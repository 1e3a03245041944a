"""The docs describe what the code does: settings, metrics, topics, commands."""

import re
from pathlib import Path

from prometheus_client import CollectorRegistry

from connectors.archive.fiks_metrics import FiksMetrics
from connectors.metrics import ConnectorMetrics
from connectors.webhook.meta import WebhookMetrics
from innboks.cli import build_parser
from innboks.config.fiks import FiksSettings
from innboks.config.settings import Settings
from innboks.config.topics import CATALOGUE
from schemas import PUBLISHED
from streams.metrics import PipelineMetrics
from streams.sensors import WorkerSensors

DOCS = Path(__file__).parents[2] / "docs"
README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        env = "KAFKA_BOOTSTRAP_SERVERS" if name == "kafka_bootstrap_servers" else f"INNBOKS_{name.upper()}"
        assert f"`{env}`" in text, f"{env} missing from docs/configuration.md"
    archive = (DOCS / "archive.md").read_text(encoding="utf-8")
    for name in FiksSettings.model_fields:
        assert f"`INNBOKS_FIKS_{name.upper()}`" in archive, f"INNBOKS_FIKS_{name.upper()} missing from docs/archive.md"


def _worker_sensors(registry: CollectorRegistry) -> None:
    registry.register(WorkerSensors(lambda: None))


def test_metrics_catalogue_matches_the_code() -> None:
    in_code: set[str] = set()
    for metrics_class in (PipelineMetrics, ConnectorMetrics, WebhookMetrics, _worker_sensors, FiksMetrics):
        registry = CollectorRegistry()
        metrics_class(registry)
        for family in registry.collect():
            # prometheus_client reports counters without their _total suffix
            in_code.add(f"{family.name}_total" if family.type == "counter" else family.name)
    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(innboks_[a-z_]+)`", text, re.M))
    assert documented == in_code


def test_every_topic_and_schema_is_documented() -> None:
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    for spec in CATALOGUE:
        assert f"`{spec.name}`" in text
    for name in PUBLISHED:
        assert f"## {name}" in text


def test_every_command_is_in_the_readme_and_cli_doc() -> None:
    cli = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in commands:
        assert f"`innboks {command}" in README, command
        assert f"## `innboks {command}" in cli, command
