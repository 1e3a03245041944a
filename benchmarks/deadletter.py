"""The dead-letter path under hostile input (issue 17): how fast broken records are set aside.

One embedded broker, one worker. N broken records on ``innboks.raw`` (every kind the fault suite
sends: not JSON, invalid UTF-8, empty and null, wrong types, an unknown platform, 5,000-deep
nesting, 700 kB and 70,000-character texts, then a random mix of the small ones) in one burst, from
the first raw record to the last dead letter (broker timestamps). Prints the rate, the worker's and
the broker's CPU time per record, the largest dead letter, the reasons, and the stage restarts the
worker counted (there should be none).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import urllib.request
from collections import Counter
from pathlib import Path

from benchmarks.pipeline import cpu_seconds
from innboks.config import topics
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from innboks.kafka.clients import read_to_end
from tests.conftest import start_named_worker
from tests.helpers import TopicReader, hostile_records, produce

N = int(os.environ.get("BENCH_DEADLETTER_RECORDS", "5000"))
PARTITIONS = 6


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-deadletter-"))
    bad = hostile_records(random.Random(17), N)
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        worker = start_named_worker(bootstrap, workdir, "worker", PARTITIONS)
        try:
            assert worker.process is not None
            worker_cpu, broker_cpu = cpu_seconds(worker.process.pid), cpu_seconds(broker.pid)
            produce(bootstrap, topics.RAW, [(key, value) for key, value, _ in bad])  # type: ignore[misc]
            TopicReader(bootstrap).wait_for(topics.DEADLETTER, lambda _: True, count=N, timeout=300)
            worker_cpu = cpu_seconds(worker.process.pid) - worker_cpu
            broker_cpu = cpu_seconds(broker.pid) - broker_cpu
            metrics = urllib.request.urlopen(worker.metrics_url, timeout=5).read().decode()  # type: ignore[attr-defined]
        finally:
            worker.stop()
        raw = list(read_to_end(bootstrap, [topics.RAW], client_id="innboks-bench"))
        letters = list(read_to_end(bootstrap, [topics.DEADLETTER], client_id="innboks-bench"))
    seconds = (max(r.timestamp for r in letters) - min(r.timestamp for r in raw)) / 1000
    reasons = Counter(json.loads(r.value or b"{}").get("reason_code") for r in letters)
    restarts = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                   if line.startswith("innboks_stage_restarts_total{"))
    largest_in = max(len(value or b"") for _, value, _ in bad)
    largest_out = max(len(r.value or b"") for r in letters)
    print(f"{'dead-letter path, 1 worker':<48} {len(letters) / seconds:>10,.0f} records/s  "
          f"({len(letters):,} of {N:,} dead-lettered in {seconds:.1f} s; worker {worker_cpu * 1000 / N:.3f}, "
          f"broker {broker_cpu * 1000 / N:.3f} CPU ms/record)")
    print(f"{'largest record in / largest dead letter':<48} {largest_in:>10,} / {largest_out:,} bytes")
    print(f"{'reasons':<48} " + ", ".join(f"{code} {count:,}" for code, count in reasons.most_common()))
    print(f"{'stage restarts':<48} {restarts:>10.0f}")
