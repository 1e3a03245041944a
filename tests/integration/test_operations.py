"""Operations end to end: a real Prometheus scrapes a running Innboks (embedded broker, a worker and a
Facebook connector against the simulated Graph API), evaluates the shipped alert rules, and a real
Alertmanager delivers the late-reply alert to a local webhook; every dashboard panel query returns
data through Prometheus's HTTP API.

The account's SLA policy has a five-second target, so the bundled inquiries are overdue at once.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from innboks.demo.dataset import build_dataset
from innboks.demo.graph_api import GraphSimulator
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.ops.dashboards import DASHBOARDS, queries
from innboks.processes import ManagedProcess, worker_process
from tests.conftest import wait_http_ok

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
PARTITIONS = 3


class AlertSink:
    """A webhook receiver for Alertmanager that keeps every notification."""

    def __init__(self) -> None:
        self.notifications: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.notifications.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/alerts"

    def alerts(self, name: str) -> list[dict]:
        return [alert for note in self.notifications for alert in note["alerts"]
                if alert["labels"].get("alertname") == name and alert["status"] == "firing"]


def prometheus_query(base: str, expr: str) -> list[dict]:
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.loads(response.read())
    assert body["status"] == "success", (expr, body)
    return body["data"]["result"]


def wait_for(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"{what} within {timeout} s")


def test_prometheus_alertmanager_and_dashboards_on_a_running_innboks(tmp_path: Path) -> None:
    dataset = build_dataset()
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(yaml.safe_dump({
        "version": 1,
        "sla": {"policies": {"quick": {"target": "5s", "calendar": "always"}}},
        "accounts": [{"platform": "facebook", "account_id": dataset.page_id, "name": "Alta kommune",
                      "owning_unit": "Kommunikasjonsenheten", "sla_policy": "quick",
                      "token_expires": (datetime.now(UTC) + timedelta(days=30)).date()}],
    }), encoding="utf-8")
    worker_port, connector_port, prometheus_port, alertmanager_port = (free_port() for _ in range(4))
    sink = AlertSink()
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump({
        "route": {"receiver": "sink", "group_by": ["alertname"], "group_wait": "1s", "group_interval": "1s",
                  "repeat_interval": "1h"},
        "receivers": [{"name": "sink", "webhook_configs": [{"url": sink.url, "send_resolved": False}]}],
    }), encoding="utf-8")
    shutil.copy(ROOT / "deploy" / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["alerts.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]},
        "scrape_configs": [
            {"job_name": "innboks-worker", "static_configs": [{"targets": [f"127.0.0.1:{worker_port}"]}]},
            {"job_name": "innboks-connectors", "static_configs": [{"targets": [f"127.0.0.1:{connector_port}"]}]},
        ],
    }), encoding="utf-8")

    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        simulator = GraphSimulator(dataset).start()
        env = {"INNBOKS_TOPIC_PARTITIONS": str(PARTITIONS), "INNBOKS_ACCOUNTS_FILE": str(accounts)}
        processes = [
            worker_process(bootstrap, tmp_path / "data", worker_port, tmp_path / "worker.log", extra_env=env),
            connector_process(bootstrap, dataset.page_id, simulator.base_url, connector_port, accounts,
                              tmp_path / "connector.log"),
            ManagedProcess(
                ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
                 f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prometheus_port}"],
                {"PATH": "/usr/bin:/bin"}, tmp_path / "prometheus.log"),
            ManagedProcess(
                ["prometheus-alertmanager", f"--config.file={tmp_path / 'alertmanager.yml'}",
                 f"--storage.path={tmp_path / 'am'}", f"--web.listen-address=127.0.0.1:{alertmanager_port}",
                 "--cluster.listen-address="],
                {"PATH": "/usr/bin:/bin"}, tmp_path / "alertmanager.log"),
        ]
        try:
            for process in processes:
                process.start()
            wait_http_ok(f"http://127.0.0.1:{worker_port}/metrics", 60, processes[0])
            prometheus = f"http://127.0.0.1:{prometheus_port}"
            wait_http_ok(f"{prometheus}/-/ready", 60, processes[2])
            wait_http_ok(f"http://127.0.0.1:{alertmanager_port}/-/ready", 60, processes[3])

            late = wait_for(lambda: sink.alerts("InnboksLateReply"), 150,
                            "Alertmanager did not deliver InnboksLateReply to the webhook")
            labels = late[0]["labels"]
            assert (labels["platform"], labels["account"], labels["owning_unit"]) == (
                "facebook", dataset.page_id, "Kommunikasjonsenheten")
            assert late[0]["annotations"]["runbook_url"] == "docs/runbook.md#innbokslatereply"

            empty: dict[str, list[str]] = {}
            for uid in DASHBOARDS:
                for expr in queries(uid):
                    if not wait_for_data(prometheus, expr):
                        empty.setdefault(uid, []).append(expr)
            assert empty == {}, f"panel queries without data: {empty}"
        finally:
            for process in reversed(processes):
                process.stop()
            simulator.stop()


def wait_for_data(prometheus: str, expr: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if prometheus_query(prometheus, expr):
            return True
        time.sleep(1)
    return False


def connector_process(bootstrap: str, page_id: str, base_url: str, port: int, accounts: Path,
                      log_path: Path) -> ManagedProcess:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "INNBOKS_EMBEDDED_BROKER": "true",
           "INNBOKS_CONNECTOR_METRICS_PORT": str(port), "INNBOKS_ACCOUNTS_FILE": str(accounts),
           "INNBOKS_FACEBOOK_TOKEN": "demo-page-token", "PYTHONUNBUFFERED": "1"}
    return ManagedProcess([sys.executable, "-m", "innboks", "poll", "facebook", "--account", page_id,
                           "--base-url", base_url, "--since", "2020-01-01T00:00:00Z", "--interval", "10"],
                          env, log_path)
