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
    assert {"kafka", "topics", "worker", "connectors", "webhook", "archive", "postgres", "store-migrate",
            "store-grants", "projection", "inbox", "prometheus", "alertmanager", "grafana"} <= set(services)
    parser = build_parser()
    for name in ("topics", "worker", "connectors", "webhook", "archive", "store-migrate", "projection", "inbox"):
        parser.parse_args(services[name]["command"])  # exits on an unknown command or flag
    assert "ports" not in services["worker"], "a fixed host port would stop --scale worker=N"
    inbox = build_parser().parse_args(services["inbox"]["command"])
    assert (inbox.host, inbox.port) == ("0.0.0.0", 8080) and services["inbox"]["ports"] == ["8081:8080"]
    assert "/healthz" in " ".join(services["inbox"]["healthcheck"]["test"])


def test_compose_store_is_postgresql_with_a_volume_a_healthcheck_and_no_inline_secrets() -> None:
    spec = compose()
    services = spec["services"]
    postgres = services["postgres"]
    assert postgres["image"].split(":")[0] == "postgres", "the official image"
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"] and "postgres-data" in spec["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"]) and "ports" not in postgres
    for name in ("store-migrate", "projection", "inbox"):
        environment = services[name]["environment"]
        url = environment["INNBOKS_STORE_URL"]
        assert url.startswith("postgresql://innboks@postgres:5432/"), (name, "no password in the URL")
        assert environment["PGPASSWORD"].startswith("${STORE_PASSWORD:?"), name
        assert services[name]["depends_on"]["store-migrate" if name != "store-migrate" else "postgres"]
    assert services["store-migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "deploy" not in services["projection"] and "ports" not in services["projection"], "exactly one"
    # Every password, token and secret comes from deploy/.env, by interpolation or env_file.
    for name, service in services.items():
        environment = service.get("environment", {})
        for key, value in (environment.items() if isinstance(environment, dict) else ()):
            if re.search(r"PASSWORD|TOKEN|SECRET", key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)), (name, key, "inline secret")
    grants = services["store-grants"]
    assert "./postgres/grafana-reader.sql:/etc/innboks/grafana-reader.sql:ro" in grants["volumes"]
    assert grants["command"][-1] == "/etc/innboks/grafana-reader.sql"
    assert services["grafana"]["depends_on"]["store-grants"] == {"condition": "service_completed_successfully"}


def k8s(kind: str, name: str) -> dict:
    for path in (DEPLOY / "k8s").glob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document["kind"] == kind and document["metadata"]["name"] == name:
                return document
    raise AssertionError(f"no {kind} {name} in deploy/k8s/")


def test_kubernetes_runs_the_inbox_the_projection_and_the_store_setup() -> None:
    parser = build_parser()
    inbox = k8s("Deployment", "innboks-inbox")["spec"]["template"]["spec"]["containers"][0]
    args = parser.parse_args(inbox["args"])
    assert (args.host, args.port) == ("0.0.0.0", 8080) and inbox["readinessProbe"]["httpGet"]["path"] == "/healthz"
    projection = k8s("Deployment", "innboks-projection")
    assert projection["spec"]["replicas"] == 1 and projection["spec"]["strategy"]["type"] == "Recreate"
    parser.parse_args(projection["spec"]["template"]["spec"]["containers"][0]["args"])
    # The projection assigns itself the partitions that exist at its start: topics first.
    assert projection["spec"]["template"]["spec"]["initContainers"][0]["args"] == ["topics", "create"]
    assert compose()["services"]["projection"]["depends_on"]["topics"] == {
        "condition": "service_completed_successfully"}
    setup = k8s("Job", "innboks-store-setup")["spec"]["template"]["spec"]
    assert setup["initContainers"][0]["args"] == ["store", "migrate"]
    assert "/etc/innboks/grafana-reader.sql" in " ".join(setup["containers"][0]["command"])
    purge = k8s("CronJob", "innboks-records-purge")["spec"]
    args = parser.parse_args(purge["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"])
    assert args.apply and purge["concurrencyPolicy"] == "Forbid" and purge["timeZone"] == "Europe/Oslo"
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text(encoding="utf-8"))
    literals = dict(item.split("=", 1) for g in kustomization["configMapGenerator"] for item in g.get("literals", []))
    url = literals["INNBOKS_STORE_URL"]
    assert url.startswith("postgresql://") and ":" not in url.split("://", 1)[1].split("@", 1)[0], "no password"


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
        variables = {v["name"]: v["query"] for v in board["templating"]["list"] if v["type"] == "datasource"}
        for panel in board["panels"]:
            # No data source UIDs in the dashboards: a variable of the data source's type.
            source = panel["datasource"]
            assert source["uid"] in ("${datasource}", "${store}") and panel["targets"], panel["title"]
            assert variables[source["uid"][2:-1]] == source["type"], panel["title"]


def test_dockerfile_copies_existing_paths_and_installs_pango() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for sources in re.findall(r"^COPY (.+?) \S+$", dockerfile, re.M):
        for source in sources.split():
            assert (ROOT / source).exists(), source
    assert "libpango-1.0-0" in dockerfile


def test_the_inbox_trusts_x_forwarded_for_only_from_its_proxies() -> None:
    """Issue #24, 5: with FORWARDED_ALLOW_IPS="*" anyone rotating X-Forwarded-For escaped the per-address limit."""
    import asyncio
    import ipaddress

    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    inbox = k8s("Deployment", "innboks-inbox")["spec"]["template"]["spec"]["containers"][0]
    [allowed] = [e["value"] for e in inbox["env"] if e["name"] == "FORWARDED_ALLOW_IPS"]
    networks = [ipaddress.ip_network(part.strip()) for part in allowed.split(",")]  # addresses or ranges, no "*"
    assert networks and all(n.num_addresses < 2**24 for n in networks)
    seen: list[str] = []

    async def app(scope, receive, send) -> None:
        seen.append(scope["client"][0])

    async def request(peer: str) -> None:
        scope = {"type": "http", "client": (peer, 1234), "headers": [(b"x-forwarded-for", b"198.51.100.9")]}
        await ProxyHeadersMiddleware(app, allowed)(scope, None, None)

    proxy = str(next(networks[0].hosts()))
    asyncio.run(request(proxy))
    asyncio.run(request("203.0.113.50"))  # not a proxy of ours: its header is not believed
    assert seen == ["198.51.100.9", "203.0.113.50"]


def test_no_known_vulnerable_setuptools_in_the_environment_or_the_image() -> None:
    """Issue #24, 9: the virtual environment kept ensurepip's setuptools 65.5 (CVE-2024-6345, CVE-2025-47273)."""
    from importlib.metadata import version

    from packaging.version import Version

    assert Version(version("setuptools")) >= Version("78.1.1")
    assert "setuptools>=78.1.1" in (ROOT / "Makefile").read_text()
    assert 'pip install --upgrade pip "setuptools>=78.1.1"' in (ROOT / "deploy" / "Dockerfile").read_text()


def test_kubernetes_archives_through_fiks_io_with_its_secrets_as_files(monkeypatch) -> None:
    """Production's archive receives over Fiks IO, not from a folder (issue 26): the sender runs with
    its settings from the innboks-fiks ConfigMap and every secret a file: reference into the mounted Secret."""
    from innboks.config.fiks import FiksSettings

    sender = k8s("Deployment", "innboks-archive-fiks")["spec"]["template"]["spec"]
    container = sender["containers"][0]
    assert build_parser().parse_args(container["args"]).fiks is True
    assert {"configMapRef": {"name": "innboks-fiks"}} in container["envFrom"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["fiks"] == "/run/secrets/fiks"
    assert {"name": "fiks", "secret": {"secretName": "innboks-fiks", "defaultMode": 0o440}} in sender["volumes"]
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text(encoding="utf-8"))
    literals = next(g["literals"] for g in kustomization["configMapGenerator"] if g["name"] == "innboks-fiks")
    settings = dict(line.split("=", 1) for line in literals)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    parsed = FiksSettings()
    for secret in ("integration_password", "private_key", "account_private_key"):
        assert str(getattr(parsed, secret)).startswith("file:/run/secrets/fiks/"), secret
    assert str(parsed.certificate).startswith("/run/secrets/fiks/")
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus-k8s.yml").read_text(encoding="utf-8"))
    assert any(job["job_name"] == "innboks-archive-fiks" for job in scrape["scrape_configs"])
