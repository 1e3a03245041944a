"""Meta webhook → ``innboks.raw``: how long until a delivery is stored (the receiver answers after acks=all).

Starts the embedded broker and a real ``innboks webhook`` process, posts N signed deliveries one
after another, and measures the HTTP round trip and the time from posting to the record's timestamp
on ``innboks.raw``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from innboks.config import topics
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from tests.conftest import wait_http_ok
from tests.helpers import PAGE_ID, TopicReader

N = int(os.environ.get("BENCH_WEBHOOK_DELIVERIES", "300"))
SECRET = "bench-secret"


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-webhook-"))
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        create_topics(broker.bootstrap_servers, 6, 1)
        port = free_port()
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
               "INNBOKS_META_APP_SECRET": SECRET, "INNBOKS_META_VERIFY_TOKEN": "v"}
        with open(workdir / "webhook.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "innboks", "webhook", "--host", "127.0.0.1",
                                        "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http_ok(f"http://127.0.0.1:{port}/healthz", 30)
            sent_at: dict[str, float] = {}
            round_trips: list[float] = []
            for i in range(N):
                comment_id = f"9_{i}"
                body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": 1763370001, "changes": [
                    {"field": "feed", "value": {"from": {"id": "4242", "name": "Kari"}, "post_id": f"{PAGE_ID}_9",
                                                "comment_id": comment_id, "parent_id": f"{PAGE_ID}_9",
                                                "item": "comment", "verb": "add", "created_time": 1763370000,
                                                "message": "Hei"}}]}]}).encode()
                signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/meta", data=body, method="POST",
                                                 headers={"X-Hub-Signature-256": signature})
                started = time.time()
                with urllib.request.urlopen(request, timeout=10) as response:
                    assert response.status == 200
                round_trips.append((time.time() - started) * 1000)
                sent_at[comment_id] = started
            stored = {}
            for _key, value in TopicReader(broker.bootstrap_servers).read(topics.RAW):
                event = json.loads(value or b"{}")
                stored[event["payload"]["comment_id"]] = event
        finally:
            process.terminate()
            process.wait(20)
    missing = set(sent_at) - set(stored)
    quantiles = statistics.quantiles(round_trips, n=100, method="inclusive")
    print(f"{'webhook deliveries stored':<44} {len(stored):>10,} of {N:,}" + (f"  MISSING {len(missing)}" if missing
                                                                            else ""))
    print(f"{'webhook 200 (after Kafka ack) p50 / p99':<44} {quantiles[49]:>10.1f} / {quantiles[98]:.1f} ms")
