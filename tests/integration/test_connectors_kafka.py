"""Connectors against the embedded broker: cursors survive restarts, events, webhooks end to end."""

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from innboks.config import topics
from innboks.demo.dataset import build_dataset
from innboks.demo.graph_api import GraphSimulator
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from tests.conftest import wait_http_ok
from tests.helpers import PAGE_ID, TopicReader
from tests.integration.test_commands import env, innboks

pytestmark = pytest.mark.integration


@pytest.fixture()
def simulator():
    sim = GraphSimulator(build_dataset(), inject_fault=True).start()
    yield sim
    sim.stop()


def raw_ids(reader: TopicReader, account: str) -> list[str]:
    return [v["payload"].get("id") for v in reader.json_values(topics.RAW) if v["account_id"] == account]


def test_restarted_poller_neither_loses_nor_repeats(simulator: GraphSimulator, tmp_path: Path) -> None:
    page = simulator.dataset.page_id
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as own:  # no cursor of other tests for this page
        create_topics(own.bootstrap_servers, 3, 1)
        restart_without_loss_or_repeats(own.bootstrap_servers, TopicReader(own.bootstrap_servers), simulator, page)


def restart_without_loss_or_repeats(bootstrap: str, reader: TopicReader, simulator: GraphSimulator,
                                    page: str) -> None:
    kafka = env(KAFKA_BOOTSTRAP_SERVERS=bootstrap)
    before = len(raw_ids(reader, page))
    args = ("poll", "facebook", "--account", page, "--base-url", simulator.base_url, "--token", "t",
            "--since", "2020-01-01T00:00:00Z", "--once")
    first = innboks(*args, env=kafka)
    assert first.returncode == 0, first.stderr
    delivered = raw_ids(reader, page)[before:]
    assert len(delivered) == len(simulator.dataset.items) + 1 == len(set(delivered))
    second = innboks(*args, env=kafka)  # a new process: cursors come from innboks.connector-state
    assert second.returncode == 0 and "0 new or changed item(s)" in second.stderr
    assert raw_ids(reader, page)[before:] == delivered
    cursor = [v for v in reader.json_values(topics.CONNECTOR_STATE) if v["account_id"] == page][-1]
    assert cursor["platform"] == "facebook" and cursor["state"]["comments_since"]


def test_connectors_run_polls_the_registry_and_reports_a_rejected_token(broker, reader: TopicReader,
                                                                         simulator: GraphSimulator,
                                                                         tmp_path: Path) -> None:
    registry = tmp_path / "accounts.yaml"
    registry.write_text(f"""
version: 1
accounts:
  - platform: facebook
    account_id: "{simulator.dataset.page_id}"
    name: Alta kommune
    owning_unit: Kommunikasjonsenheten
    credentials: {{type: bearer, token: env:TEST_PAGE_TOKEN}}
    options: {{base_url: "{simulator.base_url}"}}
  - platform: facebook
    account_id: "999000999"
    name: Alta kommune kultur
    owning_unit: Kultur
    credentials: {{type: bearer, token: env:TEST_PAGE_TOKEN}}
    options: {{base_url: "{simulator.base_url}"}}
""", encoding="utf-8")
    result = innboks("connectors", "run", "--once", env=env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers,
                                                            INNBOKS_ACCOUNTS_FILE=str(registry),
                                                            TEST_PAGE_TOKEN="t"))
    # the second page does not exist on the simulator: that account fails, the first one works
    assert result.returncode == 1
    assert f"facebook {simulator.dataset.page_id}: ok" in result.stderr
    assert "facebook 999000999: failing" in result.stderr
    events = [e for e in reader.json_values(topics.CONNECTOR_EVENTS) if e["account_id"] == "999000999"]
    assert events and events[-1]["kind"] == "failing" and events[-1]["error_class"] == "fatal"


def test_rejected_token_becomes_a_connector_event(broker, reader: TopicReader, simulator: GraphSimulator) -> None:
    from tests.fakeapi import FakeApi

    expired = {"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190,
                         "error_subcode": 463, "fbtrace_id": "A"}}
    with FakeApi().json("GET", r"/v24.0/777/feed", expired, status=400) as api:
        result = innboks("poll", "facebook", "--account", "777", "--base-url", api.url, "--token", "old", "--once",
                         env=env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers))
    assert result.returncode == 1 and "Graph error 190/463" in result.stderr and "old" not in result.stderr
    [event] = [e for e in reader.json_values(topics.CONNECTOR_EVENTS) if e["account_id"] == "777"]
    assert event["kind"] == "token_invalid" and event["error_class"] == "auth"


def signed_post(url: str, body: bytes, secret: str) -> int:
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_delivery_reaches_the_pipeline(broker, reader: TopicReader, worker) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "innboks", "webhook", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers, INNBOKS_META_APP_SECRET="s3cret",
                INNBOKS_META_VERIFY_TOKEN="v"),
    )
    url = f"http://127.0.0.1:{port}/webhooks/meta"
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/healthz", 30)
        comment_id = f"9_{time.time_ns()}"
        delivery = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1763370001, "changes": [{"field": "feed",
                    "value": {"from": {"id": "4242", "name": "Kari Nordmann"}, "post_id": f"{PAGE_ID}_9",
                              "comment_id": comment_id, "parent_id": f"{PAGE_ID}_9", "item": "comment",
                              "verb": "add", "created_time": 1763370000,
                              "message": "Jeg vil klage på vedtaket om byggesøknaden min, saksnr 25/311"}}]}]}
        body = json.dumps(delivery).encode()
        assert signed_post(url, body.replace(b"25/311", b"25/312"), "wrong-secret") == 401
        started = time.monotonic()
        assert signed_post(url, body, "s3cret") == 200
        acknowledged = time.monotonic() - started
        case = reader.wait_for(topics.CASES, lambda c: c["inquiry"]["id"] == f"facebook:{comment_id}")[0]
        assert case["inquiry"]["conversation_id"] == comment_id
        raws = [v for v in reader.json_values(topics.RAW) if v["payload"].get("comment_id") == comment_id]
        assert len(raws) == 1 and raws[0]["source"] == "webhook"  # the refused one never reached Kafka
        assert acknowledged < 5  # produced and acknowledged before the 200 (the benchmark measures it)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def test_webhook_refuses_to_start_without_secrets() -> None:
    result = innboks("webhook", env={k: v for k, v in os.environ.items() if not k.startswith("INNBOKS_META")})
    assert result.returncode == 1 and "INNBOKS_META_APP_SECRET" in result.stderr
