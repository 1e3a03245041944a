"""Operations end to end: a real Prometheus scrapes a running Innboks (embedded broker, a worker and a
Facebook connector against the simulated Graph API), evaluates the shipped alert rules, and a real
Alertmanager delivers the late-reply and escalation alerts, with their links into the inbox, to a
local webhook; every Prometheus panel query returns data through Prometheus's HTTP API, and the
store panel's SQL, run on a store the projection filled from the same topics, lists as many open
inquiries as the metrics count.

The account's SLA policy has a five-second target, so the bundled inquiries are overdue at once.

A second test runs the shipped Alertmanager routing (receivers swapped for the webhook) on real
Alertmanagers whose office hours are open and closed right now: escalations go out either way,
media inquiries only while the office is open.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import yaml

from innboks.demo.dataset import build_dataset
from innboks.demo.graph_api import GraphSimulator
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.ops.dashboards import DASHBOARDS, queries, sql_queries
from innboks.processes import ManagedProcess, worker_process
from tests.conftest import wait_http_ok

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
PARTITIONS = 3
INBOX = "https://innboks.test.invalid"


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

    def alerts(self, name: str, receiver: str | None = None) -> list[dict]:
        return [alert for note in self.notifications for alert in note["alerts"]
                if alert["labels"].get("alertname") == name and alert["status"] == "firing"
                and receiver in (None, note["receiver"])]


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
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "external_labels": {"inbox_url": INBOX}},
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
            assert late[0]["annotations"]["inbox_url"] == f"{INBOX}/?account={dataset.page_id}&state=overdue"

            # The demo data holds a threat, an emergency and child-welfare concerns: escalated around
            # the clock, each with the link to the account's open inquiries and the unit joined.
            escalated = wait_for(lambda: sink.alerts("InnboksEscalation"), 60,
                                 "Alertmanager did not deliver InnboksEscalation to the webhook")
            assert {a["labels"]["reason"] for a in escalated} <= {"threat", "self_harm", "child_welfare", "emergency"}
            for alert in escalated:
                assert alert["labels"]["account"] == dataset.page_id
                assert alert["labels"]["owning_unit"] == "Kommunikasjonsenheten"
                assert alert["annotations"]["inbox_url"] == f"{INBOX}/?account={dataset.page_id}&state=open"
            media = wait_for(lambda: sink.alerts("InnboksMediaEscalation"), 60, "no InnboksMediaEscalation")
            assert media[0]["annotations"]["inbox_url"] == f"{INBOX}/?account={dataset.page_id}&state=open"
            # What the escalation rule relies on: every reason's series of a registry account exists
            # at 0 before its first escalation (none for self-harm in the data), and the worker's age.
            none_yet = f'innboks_escalations_total{{account="{dataset.page_id}",reason="self_harm"}} == 0'
            assert prometheus_query(prometheus, none_yet)
            assert prometheus_query(prometheus, 'process_start_time_seconds{job="innboks-worker"}')

            empty: dict[str, list[str]] = {}
            for uid in DASHBOARDS:
                for expr in queries(uid):
                    if not wait_for_data(prometheus, expr):
                        empty.setdefault(uid, []).append(expr)
            assert empty == {}, f"panel queries without data: {empty}"

            # "Åpne henvendelser": the projection fills a store from the same topics; the panel's SQL
            # lists the account's open inquiries, most urgent first, as many as the metrics count.
            store = f"sqlite:///{tmp_path / 'store.db'}"
            [panel] = sql_queries("innboks-service")

            def store_agrees() -> list[dict] | None:
                project_once(bootstrap, store, tmp_path / "projection.log")
                with sa.create_engine(store).connect() as connection:
                    rows = [dict(row._mapping) for row in connection.execute(sa.text(panel.sql))]
                counted = prometheus_query(prometheus, "sum(innboks_inquiries_open)")
                return rows if rows and counted and len(rows) == int(float(counted[0]["value"][1])) else None

            rows = wait_for(store_agrees, 90, "the store panel and innboks_inquiries_open did not agree")
            assert {(r["account"], r["platform"]) for r in rows} == {(dataset.page_id, "facebook")}
            assert {r["state"] for r in rows} <= {"opened", "warning", "breached"} and "breached" in {
                r["state"] for r in rows}
            urgency = [(not r["escalate"], r["due_at"]) for r in rows]  # escalated first, then the earliest due
            assert urgency == sorted(urgency)
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


def project_once(bootstrap: str, store: str, log_path: Path) -> None:
    """``innboks store project --until-end``: the topics into the store, up to their end now."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "INNBOKS_EMBEDDED_BROKER": "true",
           "INNBOKS_STORE_URL": store, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "ab") as log:
        result = subprocess.run([sys.executable, "-m", "innboks", "store", "project", "--until-end"], env=env,
                                stdout=log, stderr=subprocess.STDOUT, timeout=120, check=False)
    assert result.returncode == 0, f"innboks store project failed; log: {log_path}"


def connector_process(bootstrap: str, page_id: str, base_url: str, port: int, accounts: Path,
                      log_path: Path) -> ManagedProcess:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "INNBOKS_EMBEDDED_BROKER": "true",
           "INNBOKS_CONNECTOR_METRICS_PORT": str(port), "INNBOKS_ACCOUNTS_FILE": str(accounts),
           "INNBOKS_FACEBOOK_TOKEN": "demo-page-token", "PYTHONUNBUFFERED": "1"}
    return ManagedProcess([sys.executable, "-m", "innboks", "poll", "facebook", "--account", page_id,
                           "--base-url", base_url, "--since", "2020-01-01T00:00:00Z", "--interval", "10"],
                          env, log_path)


def office_zone(now: datetime, open_: bool) -> tuple[str, bool]:
    """A fixed-offset zone where the office (08:00-15:30, Monday-Friday) is open, or closed, right
    now, with two minutes to spare; and whether the weekdays must be widened because no zone has a
    working day now (from Saturday morning to Sunday evening UTC, the open case has none)."""
    for hours in range(-12, 15):
        name = f"Etc/GMT{-hours:+d}" if hours else "Etc/UTC"  # Etc/GMT-2 is UTC+2
        local = now.astimezone(ZoneInfo(name))
        minutes = local.hour * 60 + local.minute
        inside = local.weekday() < 5 and 8 * 60 + 2 <= minutes <= 15 * 60 + 28
        outside = local.weekday() >= 5 or not 7 * 60 + 58 <= minutes <= 15 * 60 + 32
        if (inside if open_ else outside):
            return name, False
    assert open_, "some zone is always outside office hours"
    for hours in range(-12, 15):
        name = f"Etc/GMT{-hours:+d}" if hours else "Etc/UTC"
        local = now.astimezone(ZoneInfo(name))
        if 8 * 60 + 2 <= local.hour * 60 + local.minute <= 15 * 60 + 28:
            return name, True
    raise AssertionError("no zone has office time now")


def shipped_routing(sink: AlertSink, office_hours_zone: str, widen: bool, opening_zone: str) -> dict:
    """deploy/alertmanager/alertmanager.yml with every receiver a webhook to the sink, the timers at
    a second, and the office's time zone moved to make it open or closed now (all else as shipped)."""
    config = yaml.safe_load((ROOT / "deploy" / "alertmanager" / "alertmanager.yml").read_text(encoding="utf-8"))
    config.pop("global", None)
    for receiver in config["receivers"]:
        for key in [k for k in receiver if k.endswith("_configs")]:
            del receiver[key]
        receiver["webhook_configs"] = [{"url": sink.url, "send_resolved": False}]

    def fast(route: dict) -> None:
        for key in ("group_wait", "group_interval"):
            if key in route or route is config["route"]:
                route[key] = "1s"
        for child in route.get("routes", []):
            fast(child)

    fast(config["route"])
    for interval in config["time_intervals"]:
        for spec in interval["time_intervals"]:
            assert spec["location"] == "Europe/Oslo"
            spec["location"] = office_hours_zone if interval["name"] == "office-hours" else opening_zone
            if widen and interval["name"] == "office-hours":
                spec["weekdays"] = ["monday:sunday"]
    return config


def post_alerts(base: str, alerts: list[dict[str, dict[str, str]]]) -> None:
    now = datetime.now(UTC)
    body = [{**alert, "startsAt": now.isoformat(), "endsAt": (now + timedelta(minutes=5)).isoformat()}
            for alert in alerts]
    request = urllib.request.Request(f"{base}/api/v2/alerts", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_shipped_routes_send_escalations_around_the_clock_and_media_in_office_hours(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    closed_zone, _ = office_zone(now, open_=False)
    open_zone, widen = office_zone(now, open_=True)
    escalation = {"labels": {"alertname": "InnboksEscalation", "team": "owning-unit", "severity": "critical",
                             "platform": "facebook", "account": "1", "reason": "threat",
                             "owning_unit": "Teknisk drift"},
                  "annotations": {"inbox_url": f"{INBOX}/?account=1&state=open"}}
    media = {"labels": {"alertname": "InnboksMediaEscalation", "team": "communication", "severity": "warning",
                        "platform": "facebook", "account": "1"}}
    while_closed = {"labels": {"alertname": "InnboksMediaEscalationsWhileClosed", "team": "communication",
                               "severity": "warning", "platform": "facebook", "account": "1"}}
    sinks, processes = {}, []
    for office in ("open", "closed"):
        sink = sinks[office] = AlertSink()
        zone = open_zone if office == "open" else closed_zone
        # The opening half hour is closed in both: a zone outside 08:00-15:30 is outside 08:00-08:30.
        (tmp_path / f"{office}.yml").write_text(yaml.safe_dump(
            shipped_routing(sink, zone, widen and office == "open", closed_zone)), encoding="utf-8")
        port = free_port()
        processes.append((office, port, ManagedProcess(
            ["prometheus-alertmanager", f"--config.file={tmp_path / f'{office}.yml'}",
             f"--storage.path={tmp_path / office}", f"--web.listen-address=127.0.0.1:{port}",
             "--cluster.listen-address="],
            {"PATH": "/usr/bin:/bin"}, tmp_path / f"alertmanager-{office}.log")))
    try:
        for _, port, process in processes:
            process.start()
            wait_http_ok(f"http://127.0.0.1:{port}/-/ready", 60, process)
            post_alerts(f"http://127.0.0.1:{port}", [escalation, media, while_closed])
        for office in ("open", "closed"):
            sink = sinks[office]
            for receiver in ("communication-duty", "unit-teknisk-drift"):
                delivered = wait_for(lambda s=sink, r=receiver: s.alerts("InnboksEscalation", r), 30,
                                     f"escalation not sent to {receiver} while the office is {office}")
                assert delivered[0]["annotations"]["inbox_url"] == f"{INBOX}/?account=1&state=open"
        wait_for(lambda: sinks["open"].alerts("InnboksMediaEscalation", "communication-unit"), 30,
                 "media inquiry not sent while the office is open")
        time.sleep(5)  # many group intervals after the escalations went out of the same Alertmanager
        assert sinks["closed"].alerts("InnboksMediaEscalation") == [], "media inquiry sent while closed"
        assert sinks["closed"].alerts("InnboksMediaEscalationsWhileClosed") == [], "sent outside 08:00-08:30"
        assert sinks["open"].alerts("InnboksMediaEscalationsWhileClosed") == [], "sent outside 08:00-08:30"
    finally:
        for _, _, process in processes:
            process.stop()
