"""Fiks Arkiv over Fiks IO: send→kvittering latency of ``innboks archive --fiks`` against the stand-ins.

Everything real but the far ends: the embedded broker, rabbitmq-server, the stand-in Fiks IO service
and archive (innboks/demo/fiks) on this machine, the sender as its own process. ``BENCH_FIKS_CASES``
(default 60) cases are forwarded, every fifth with a later edit. Latency per revision: from the
sender's decision to send (before it renders the PDF/A and builds the signed, encrypted ASiC-E) to
the archive's kvittering handled and published on innboks.archive-receipts.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from innboks.config import topics
from innboks.demo.fiks.world import FiksWorld
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from tests.fiks import case_records, fiks_cases, final_status, receipts, sender_process
from tests.helpers import TopicReader, produce

CASES = int(os.environ.get("BENCH_FIKS_CASES", "60"))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-fiks-"))
    cases = fiks_cases(CASES, changes_every=5)
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker, FiksWorld(workdir / "fiks") as world:
        create_topics(broker.bootstrap_servers, 3, 1)
        produce(broker.bootstrap_servers, topics.CASES, case_records(cases))
        started = time.monotonic()
        sender = sender_process(world, broker.bootstrap_servers, workdir / "sender.log", "--once").start()
        assert sender.process is not None
        code = sender.process.wait(600)
        elapsed = time.monotonic() - started
        events = receipts(TopicReader(broker.bootstrap_servers))
    if code != 0:
        raise SystemExit(f"fiks: the sender exited with {code}; see {workdir / 'sender.log'}")
    latest = final_status(events)
    archived = [e for e in latest.values() if e.status.value == "archived"]
    sent = {(e.case_id, e.revision, e.attempt): e.at for e in events if e.status.value == "sent"}
    latencies = [(e.at - sent[(e.case_id, e.revision, e.attempt)]).total_seconds() * 1000 for e in archived
                 if (e.case_id, e.revision, e.attempt) in sent]
    print(f"fiks: {len(archived)}/{len(cases)} case revisions archived over Fiks IO in {elapsed:.1f} s "
          f"(sender start included)")
    print(f"fiks: send→kvittering p50 {_percentile(latencies, 0.5):.0f} ms, p99 {_percentile(latencies, 0.99):.0f} ms, "
          f"mean {statistics.fmean(latencies):.0f} ms, max {max(latencies):.0f} ms (n={len(latencies)})")
