"""The pipeline on the embedded broker: start-up, group join, throughput and latency.

Starts Tansu and a real worker process, produces N raw Facebook comments (each its own
conversation), and measures from the broker's record timestamps how long each message took from
``innboks.raw`` to ``innboks.triaged`` and ``innboks.sla``. Progress is counted by consuming the
output topics (not from end offsets: Tansu under-reports those, see docs/embedded-broker.md).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from innboks.config import topics
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.kafka.clients import Producer, TopicTail
from innboks.processes import worker_process
from tests.helpers import facebook_comment_raw

N = int(os.environ.get("BENCH_PIPELINE_MESSAGES", "5000"))
OVERDUE = os.environ.get("BENCH_PIPELINE_OVERDUE") == "1"
PARTITIONS = 6
GIVE_UP_SECONDS = 180
STEADY = 100


class Tail:
    """Consumes a topic from the beginning, remembering the first record timestamp per message id."""

    def __init__(self, bootstrap: str, topic: str, id_path: str) -> None:
        self.path = id_path.split(".")
        self.times: dict[str, int] = {}
        self.tail = TopicTail(bootstrap, [topic], client_id="innboks-bench")

    def poll(self) -> int:
        for record in self.tail.poll(0.2):
            value = json.loads(record.value or b"")
            for part in self.path:
                value = value[part]
            self.times.setdefault(str(value), record.timestamp)
        return len(self.times)

    def close(self) -> None:
        self.tail.close()


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-"))
    started = time.perf_counter()
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        broker_ready = time.perf_counter() - started
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        worker = worker_process(bootstrap, workdir / "data", free_port(), workdir / "worker.log",
                                extra_env={"INNBOKS_TOPIC_PARTITIONS": str(PARTITIONS)})
        raw, triaged, sla = (Tail(bootstrap, topics.RAW, "payload.id"), Tail(bootstrap, topics.TRIAGED, "message.id"),
                             Tail(bootstrap, topics.SLA, "inquiry_id"))
        producer = Producer(bootstrap, client_id="innboks-bench", linger_ms=5)
        worker_started = time.perf_counter()
        worker.start()
        try:
            producer.send(topics.RAW, facebook_comment_raw("0_probe", "Hei").to_json_bytes(), key=b"probe")
            producer.flush()
            while triaged.poll() < 1:
                pass
            first_output = time.perf_counter() - worker_started

            # Fresh inquiries (none due yet), or with BENCH_PIPELINE_OVERDUE=1 nine days old: every one is
            # breached at once, so the SLA timer emits a warning and a breach for each on top.
            now = (datetime.now(UTC) - timedelta(days=9 if OVERDUE else 0)).strftime("%Y-%m-%dT%H:%M:%S+0000")
            events = [facebook_comment_raw(f"9_{i}", "Hei! Når får jeg svar på byggesøknaden min, saksnr 24/1234?",
                                           created=now)
                      for i in range(N)]
            produce_start = time.perf_counter()
            for event in events:
                producer.send(topics.RAW, event.to_json_bytes(), key=f"k{event.payload['id']}".encode())
            producer.flush()
            produced = time.perf_counter() - produce_start
            while sla.poll() < N + 1:
                triaged.poll()
                if time.perf_counter() - produce_start > GIVE_UP_SECONDS:
                    print(f"pipeline: only {len(sla.times) - 1:,}/{N:,} through after {GIVE_UP_SECONDS} s; "
                          f"worker log {workdir / 'worker.log'}")
                    return
            drained = time.perf_counter() - produce_start
            steady = [facebook_comment_raw(f"8_{i}", "Hvor finner jeg skjemaet?", created=now) for i in range(STEADY)]
            for event in steady:  # a steady trickle, as in daily use
                producer.send(topics.RAW, event.to_json_bytes(), key=f"k{event.payload['id']}".encode())
                producer.flush()
                time.sleep(0.1)
            while min(raw.poll(), triaged.poll(), sla.poll()) < N + 1 + STEADY:
                pass
        finally:
            producer.close()
            for tail in (raw, triaged, sla):
                tail.close()
            worker.stop()

    ids = [e.payload["id"] for e in events]
    to_triaged = [triaged.times[f"facebook:{i}"] - raw.times[i] for i in ids]
    to_sla = [sla.times[f"facebook:{i}"] - raw.times[i] for i in ids]
    print(f"{'embedded broker ready':<44} {broker_ready * 1000:>10.0f} ms")
    print(f"{'worker start -> first message triaged':<44} {first_output:>10.1f} s   (includes the group join)")
    print(f"{'produce ' + format(N, ',') + ' raw events':<44} {produced:>10.2f} s")
    print(f"{'pipeline throughput (raw -> sla), 1 worker':<44} {N / drained:>10,.0f} msg/s  ({drained:.1f} s)")
    for label, values in (("raw -> triaged", to_triaged), ("raw -> sla opened", to_sla)):
        print(f"{'latency ' + label + ' p50 / p99':<44} {_percentile(values, 50):>10,.0f} / "
              f"{_percentile(values, 99):,.0f} ms  (under a {N:,}-message burst)")
    steady_ids = [e.payload["id"] for e in steady]
    for label, tail in (("raw -> triaged", triaged), ("raw -> sla opened", sla)):
        values = [tail.times[f"facebook:{i}"] - raw.times[i] for i in steady_ids]
        print(f"{'latency ' + label + ' p50 / p99':<44} {_percentile(values, 50):>10,.0f} / "
              f"{_percentile(values, 99):,.0f} ms  (steady 10 msg/s)")
