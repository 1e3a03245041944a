"""Deployment files are code: they validate against their published schemas, refer to things that
exist, and agree with each other (commands, ports, the worker count and the partitions)."""

import json
import re
import subprocess
from importlib.metadata import distribution
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from innboks.cli import build_parser
from innboks.ops import dashboards

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES_VERSION = "1.30.0"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    # The compose-spec JSON Schema as vendored by check-jsonschema (located, not imported: its CLI
    # module needs a newer click than Faust allows).
    path = distribution("check-jsonschema").locate_file("check_jsonschema/builtin_schemas/vendor/compose-spec.json")
    schema = json.loads(Path(str(path)).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose())]
    assert errors == []


def test_compose_runs_every_component_with_real_commands() -> None:
    services = compose()["services"]
    assert {"kafka", "topics", "worker", "connectors", "webhook", "archive", "prometheus", "alertmanager",
            "grafana"} <= set(services)
    parser = build_parser()
    for name in ("topics", "worker", "connectors", "webhook", "archive"):
        parser.parse_args(services[name]["command"])  # exits on an unknown command or flag
    assert "ports" not in services["worker"], "a fixed host port would stop --scale worker=N"


def test_kubernetes_manifests_are_valid_for_the_api() -> None:
    count = 0
    files = sorted((DEPLOY / "k8s").glob("*.yaml"))
    for path in files:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
            count += 1
    assert count > len(files)  # the multi-document files were read whole


def test_kustomization_lists_existing_files_and_ties_workers_to_partitions() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text(encoding="utf-8"))
    assert sorted(kustomization["resources"]) == sorted(f"k8s/{p.name}" for p in (DEPLOY / "k8s").glob("*.yaml"))
    for generator in kustomization["configMapGenerator"]:
        for entry in generator.get("files", []):
            assert (DEPLOY / entry.split("=")[-1]).is_file(), entry
    dashboard_files = {f for g in kustomization["configMapGenerator"] for f in g.get("files", [])
                       if f.startswith("grafana/dashboards/")}
    assert dashboard_files == {f"grafana/dashboards/{uid}.json" for uid in dashboards.DASHBOARDS}
    literals = dict(item.split("=", 1) for g in kustomization["configMapGenerator"] for item in g.get("literals", []))
    partitions = int(literals["INNBOKS_TOPIC_PARTITIONS"])
    worker = next(d for d in yaml.safe_load_all((DEPLOY / "k8s" / "worker.yaml").read_text(encoding="utf-8"))
                  if d["kind"] == "StatefulSet")
    assert 1 <= worker["spec"]["replicas"] <= partitions
    assert compose()["x-innboks-env"]["INNBOKS_TOPIC_PARTITIONS"] == str(partitions)


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-k8s.yml"])
def test_prometheus_configs_pass_promtool(config: str) -> None:
    result = subprocess.run(["promtool", "check", "config", str(DEPLOY / "prometheus" / config)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_dashboards_are_what_the_code_generates() -> None:
    assert dashboards.main(["--check"]) == 0, "run: python -m innboks.ops.dashboards"
    for uid in dashboards.DASHBOARDS:
        board = json.loads((DEPLOY / "grafana" / "dashboards" / f"{uid}.json").read_text(encoding="utf-8"))
        assert board["uid"] == uid and board["panels"]
        assert all(p["datasource"]["uid"] == "${datasource}" and p["targets"] for p in board["panels"])


def test_dockerfile_copies_existing_paths_and_installs_pango() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for sources in re.findall(r"^COPY (.+?) \S+$", dockerfile, re.M):
        for source in sources.split():
            assert (ROOT / source).exists(), source
    assert "libpango-1.0-0" in dockerfile
