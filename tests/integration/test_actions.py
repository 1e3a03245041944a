"""Actions on a real broker: the executor stays exactly-once through a SIGKILL between the platform's
call and its outcome, and the auto-protection policy hides a comment with personal data end to end."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from innboks.config import topics
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from innboks.processes import ManagedProcess
from schemas import ActionEvent, ActionKind, ActionOutcome
from streams.normalize.process import normalize_raw
from tests.fakeapi import FakeApi, Request
from tests.helpers import PAGE_ID, GraphComments, TopicReader, facebook_comment_raw, facebook_registry, produce

pytestmark = pytest.mark.integration

TEXT = "Hei! Vi har sendt saken videre til byggesak."


class SlowGraph(GraphComments):
    """The first reply is stored and then the answer hangs (the executor is killed)."""

    def __init__(self) -> None:
        super().__init__()
        self.first_post = threading.Event()

    def answering(self, reply: dict) -> None:
        if not self.first_post.is_set():
            self.first_post.set()
            time.sleep(60)  # the answer never comes back before the executor dies


def executor_process(bootstrap: str, registry: Path, log: Path) -> ManagedProcess:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "INNBOKS_ACCOUNTS_FILE": str(registry),
           "INNBOKS_FACEBOOK_TEST_TOKEN": "token-123", "INNBOKS_ACTIONS_METRICS_PORT": "0", "PYTHONUNBUFFERED": "1"}
    return ManagedProcess([sys.executable, "-m", "innboks", "actions", "run"], env, log)


def test_a_reply_is_posted_once_through_a_sigkill_between_call_and_outcome(tmp_path: Path) -> None:
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker, SlowGraph() as graph:
        create_topics(broker.bootstrap_servers, 2, 1)
        registry = facebook_registry(tmp_path / "accounts.yaml", graph.url, "INNBOKS_FACEBOOK_TEST_TOKEN")
        target = normalize_raw(facebook_comment_raw("1_900", "Når kommer vedtaket i byggesaken?").to_json_bytes())
        asked = ActionEvent(action_id="kill-test-0001", outcome=ActionOutcome.REQUESTED, kind=ActionKind.REPLY,
                            target=target, text=TEXT, requested_by="kari", at=datetime.now(UTC))
        produce(broker.bootstrap_servers, topics.ACTIONS, [(asked.key.encode(), asked.to_json_bytes())])
        reader = TopicReader(broker.bootstrap_servers)

        first = executor_process(broker.bootstrap_servers, registry, tmp_path / "executor-1.log").start()
        try:
            assert graph.first_post.wait(60), "the executor never called the platform"
            os.killpg(first.process.pid, signal.SIGKILL)  # between the call and its outcome
            first.process.wait(10)
        finally:
            first.stop()
        steps = [e["outcome"] for e in reader.json_values(topics.ACTIONS)]
        assert steps == ["requested", "executing"], steps

        second = executor_process(broker.bootstrap_servers, registry, tmp_path / "executor-2.log").start()
        try:
            done = reader.wait_for(topics.ACTIONS, lambda e: e["outcome"] in ("done", "failed"), timeout=60)
        finally:
            second.stop()
        assert (done[0]["outcome"], done[0]["platform_id"]) == ("done", "1_900_r1")
        assert len(graph.posted) == 1, "the reply was posted twice"
        ours = reader.wait_for(topics.MESSAGES, lambda m: m["id"] == "facebook:1_900_r1")
        assert ours[0]["from_account"] and ours[0]["text"] == TEXT


class ModeratedGraph(FakeApi):
    """Graph API stand-in that takes hides and replies and remembers when they came."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, float] = {}
        self.replies: list[tuple[str, str, float]] = []
        self.route("POST", r"/v[\d.]+/(?P<node>[^/]+)/comments", self._reply)
        self.route("POST", r"/v[\d.]+/(?P<node>[^/]+)", self._hide)
        self.route("GET", r"/v[\d.]+/(?P<node>[^/]+)/comments", lambda _r: (200, {}, {"data": [], "paging": {}}))

    def _reply(self, request: Request):
        self.replies.append((request.groups["node"], json.loads(request.body)["message"], time.monotonic()))
        return 200, {}, {"id": f"{request.groups['node']}_auto{len(self.replies)}"}

    def _hide(self, request: Request):
        if json.loads(request.body).get("is_hidden") is True:
            self.hidden[request.groups["node"]] = time.monotonic()
        return 200, {}, {"success": True}


def test_auto_protection_hides_a_comment_with_a_fodselsnummer_and_replies_within_seconds(tmp_path: Path) -> None:
    import hashlib
    import hmac
    import urllib.request

    from connectors.actions.executor import ExecutorLoop
    from connectors.actions.writers import RegistryWriters
    from innboks.config.accounts import load_registry
    from innboks.kafka.broker import free_port
    from tests.conftest import start_named_worker, wait_http_ok

    def deliver(url: str, comment_id: str, text: str) -> None:
        body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": 1763370001, "changes": [
            {"field": "feed", "value": {"from": {"id": "4242", "name": "Kari Nordmann"}, "post_id": f"{PAGE_ID}_9",
                                        "comment_id": comment_id, "parent_id": f"{PAGE_ID}_9", "item": "comment",
                                        "verb": "add", "created_time": int(time.time()), "message": text}}]}]}).encode()
        signature = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(url, data=body, headers={"X-Hub-Signature-256": signature,
                                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker, ModeratedGraph() as graph:
        create_topics(broker.bootstrap_servers, 2, 1)
        accounts = tmp_path / "accounts.yaml"
        accounts.write_text(f"""
accounts:
  - platform: facebook
    account_id: "{PAGE_ID}"
    name: Alta kommune
    owning_unit: Kommunikasjon
    auto_protect: {{enabled: true}}
""", encoding="utf-8")
        worker = start_named_worker(broker.bootstrap_servers, tmp_path, "auto", 2,
                                    extra_env={"INNBOKS_ACCOUNTS_FILE": str(accounts)})
        port = free_port()
        webhook = ManagedProcess(
            [sys.executable, "-m", "innboks", "webhook", "--host", "127.0.0.1", "--port", str(port)],
            {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, "INNBOKS_META_APP_SECRET": "s3cret",
             "INNBOKS_META_VERIFY_TOKEN": "v"}, tmp_path / "webhook.log").start()
        writers = RegistryWriters(load_registry(accounts), base_url=graph.url, token="page-token")
        executor = ExecutorLoop(broker.bootstrap_servers, writers)
        stop = threading.Event()
        thread = threading.Thread(target=executor.run, args=(stop,), daemon=True)
        thread.start()
        reader = TopicReader(broker.bootstrap_servers)
        try:
            wait_http_ok(f"http://127.0.0.1:{port}/healthz", 30, webhook)
            url = f"http://127.0.0.1:{port}/webhooks/meta"
            deliver(url, "9_warm", "Når åpner biblioteket?")  # the pipeline warm (group joined, agents running)
            reader.wait_for(topics.TRIAGED, lambda t: t["message"]["id"] == "facebook:9_warm", timeout=60)
            sent = time.monotonic()
            deliver(url, "9_pii", "Hei! Jeg søkte om barnehageplass i mars, fødselsnummeret mitt er 01010012356. "
                                  "Når får jeg svar?")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not ("9_pii" in graph.hidden and graph.replies):
                time.sleep(0.05)
            assert "9_pii" in graph.hidden and graph.replies, "the comment was not hidden and answered"
            hidden_after, replied_after = graph.hidden["9_pii"] - sent, graph.replies[0][2] - sent
            assert hidden_after < 5 and replied_after < 5, (hidden_after, replied_after)
            node, text, _at = graph.replies[0]
            assert node == "9_pii" and "personopplysninger" in text and "01010012356" not in text
            assert "9_warm" not in graph.hidden
            # The original is kept: the case for the archive carries the text as the citizen wrote it.
            case = reader.wait_for(topics.CASES, lambda c: c["inquiry"]["id"] == "facebook:9_pii", timeout=30)[0]
            assert "01010012356" in case["inquiry"]["text"] and case["screening"]["screened"]
            done = reader.wait_for(topics.ACTIONS, lambda a: a["outcome"] == "done", count=2, timeout=30)
            assert {(a["kind"], a["requested_by"]) for a in done} == {("hide", "system:auto-protect"),
                                                                       ("reply", "system:auto-protect")}
        finally:
            stop.set()
            thread.join(10)
            executor.close()
            writers.close()
            webhook.stop()
            worker.stop()
    print(f"auto-hide: hidden {hidden_after:.2f} s and answered {replied_after:.2f} s after the webhook delivery")
