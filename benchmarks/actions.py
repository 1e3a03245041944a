"""Actions: from a ``requested`` event to ``done`` through the executor, on the embedded broker.

The executor runs in process (``ExecutorLoop``) against a local stand-in for the Graph API that
answers at once, so the figure is Innboks's own share: the broker hops (requested → executor →
executing, the platform call, done), not the platform's. ``BENCH_ACTIONS`` (default 200) replies
are requested one at a time, as staff do, and the latency is taken from the broker's timestamps of
the ``requested`` and ``done`` records.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from connectors.actions.executor import ExecutorLoop
from connectors.actions.writers import RegistryWriters
from innboks.config import topics
from innboks.config.accounts import Account, Registry
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from innboks.kafka.clients import Producer, TopicTail
from schemas import ActionEvent, ActionKind, ActionOutcome, Platform
from streams.normalize.process import normalize_raw
from tests.fakeapi import FakeApi, Request
from tests.helpers import PAGE_ID, facebook_comment_raw

N = int(os.environ.get("BENCH_ACTIONS", "200"))


def _graph() -> FakeApi:
    counter = iter(range(1, 10**9))

    def reply(request: Request):  # type: ignore[no-untyped-def]
        return 200, {}, {"id": f"{request.groups['node']}_r{next(counter)}"}

    return FakeApi().route("POST", r"/v[\d.]+/(?P<node>[^/]+)/comments", reply)


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-actions-"))
    registry = Registry(accounts=[Account(platform=Platform.FACEBOOK, account_id=PAGE_ID, name="Alta kommune",
                                          owning_unit="Kommunikasjon")])
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker, _graph() as graph:
        create_topics(broker.bootstrap_servers, 2, 1)
        writers = RegistryWriters(registry, base_url=graph.url, token="bench-token")
        executor = ExecutorLoop(broker.bootstrap_servers, writers)
        stop = threading.Event()
        thread = threading.Thread(target=executor.run, args=(stop,), daemon=True)
        thread.start()
        producer = Producer(broker.bootstrap_servers, client_id="innboks-bench", exact=True)
        tail = TopicTail(broker.bootstrap_servers, [topics.ACTIONS], client_id="innboks-bench")
        requested: dict[str, int] = {}
        done: dict[str, int] = {}
        try:
            for n in range(N):
                target = normalize_raw(facebook_comment_raw(f"1_{n}", "Når brøytes veien?").to_json_bytes())
                event = ActionEvent(action_id=f"bench-{n:08d}", outcome=ActionOutcome.REQUESTED, kind=ActionKind.REPLY,
                                    target=target, text="Hei! I morgen tidlig.", requested_by="bench",
                                    at=datetime.now(UTC))
                producer.send_and_wait(topics.ACTIONS, event.to_json_bytes(), key=event.key.encode())
                deadline = time.monotonic() + 30
                while event.action_id not in done and time.monotonic() < deadline:
                    for record in tail.poll(0.05):
                        value = json.loads(record.value or b"{}")
                        if value.get("outcome") == "requested":
                            requested[value["action_id"]] = record.timestamp
                        elif value.get("outcome") == "done":
                            done[value["action_id"]] = record.timestamp
        finally:
            stop.set()
            thread.join(10)
            executor.close()
            writers.close()
            producer.close()
            tail.close()
    latencies = sorted(done[a] - requested[a] for a in done if a in requested)
    if len(latencies) < N:
        print(f"actions: only {len(latencies)}/{N} done")
        return
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    print(f"actions: {N} replies, requested → done p50 {statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms "
          f"(executor in process, a stand-in Graph API answering at once)")
