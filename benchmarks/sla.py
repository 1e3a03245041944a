"""SLA processor: memory per open inquiry, timer costs, and breach-detection latency on the broker.

``sla-memory`` (in process): 100,000 open inquiries as the clock table holds them (encoded values,
as in Faust's memory store) and as the timer's index holds them; bytes per inquiry from
tracemalloc, and the cost of the index operations the timer and the metrics run.

``sla-latency`` (embedded broker, a real worker): ``BENCH_SLA_OPEN`` (default 100,000) inquiries
kept open in the background, written straight to ``innboks.messages`` (the conversation agent's input), plus
``BENCH_SLA_TIMED`` inquiries whose warning and due times fall in the following seconds. Latency is
the broker timestamp of the ``warning``/``breached`` record minus the due time. The worker's
resident memory is read before and after the background inquiries arrive.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from innboks.config import topics
from innboks.domain.codec import encode
from innboks.domain.policies import DEFAULT_POLICIES
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.kafka.clients import Producer, TopicTail
from innboks.processes import ManagedProcess, worker_process
from schemas import Kind
from streams.sla.process import ConversationClock, apply_message
from streams.sla.schedule import InquiryIndex
from tests.conftest import wait_http_ok
from tests.helpers import PAGE_ID, message

OPEN = int(os.environ.get("BENCH_SLA_OPEN", "100000"))
TIMED = int(os.environ.get("BENCH_SLA_TIMED", "1000"))
PARTITIONS = 6
TARGET = 20.0  # seconds, always open; warning at half
GIVE_UP_SECONDS = 600


def _clocks(count: int, created: datetime, policy: str = "standard") -> list[tuple[bytes, ConversationClock]]:
    now = datetime.now(UTC)
    result = []
    for i in range(count):
        inbound = message(f"m{i}", conversation=f"c{i}", created=created.isoformat())
        clock, _ = apply_message(ConversationClock(), inbound, policy, DEFAULT_POLICIES, now)
        result.append((inbound.key.encode(), clock))
    return result


def _measure(build):  # type: ignore[no-untyped-def]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return kept, used


def memory() -> None:
    count = 100_000
    clocks = _clocks(count, datetime.now(UTC) - timedelta(hours=1))
    store, store_bytes = _measure(lambda: {key: encode(clock) for key, clock in clocks})
    index, index_bytes = _measure(lambda: _indexed(store))
    value_size = statistics.mean(len(v) for v in store.values())
    print(f"{'open inquiries':<48} {count:>10,}")
    print(f"{'clock table, in-memory store (keys + values)':<48} {store_bytes / count:>10,.0f} B/inquiry  "
          f"({store_bytes / 2**20:,.1f} MiB; JSON value {value_size:,.0f} B)")
    print(f"{'timer index (with RocksDB, the only heap part)':<48} {index_bytes / count:>10,.0f} "
          f"B/inquiry  ({index_bytes / 2**20:,.1f} MiB; keys shared with the table)")
    timings = {
        "index rebuild from the table, cold": lambda: InquiryIndex().rebuild(store.items()),
        "index rebuild from the table, warm": lambda: index.rebuild(store.items()),
        "metrics summary (scrape)": lambda: index.summary(time.time()),
        "alarm check, nothing due (every 0.2 s)": lambda: index.due_keys(time.time() - 10**6),
    }
    for label, run in timings.items():
        started = time.perf_counter()
        run()
        print(f"{label:<48} {(time.perf_counter() - started) * 1000:>10,.1f} ms")


def _indexed(store: dict[bytes, bytes]) -> InquiryIndex:
    index = InquiryIndex()
    index.rebuild(store.items())
    return index


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _messages(prefix: str, count: int, created: datetime, kind: Kind = Kind.COMMENT) -> list[tuple[bytes, bytes]]:
    """Citizens' questions, each in its own conversation (a general question: it opens a clock)."""
    fetched = datetime.now(UTC)
    items = []
    for i in range(count):
        inbound = message(f"{prefix}{i}", conversation=f"{prefix}{i}", created=created.isoformat(), kind=kind,
                          text="Når åpner biblioteket?")
        items.append((inbound.key.encode(), inbound.model_copy(update={"fetched_at": fetched}).to_json_bytes()))
    return items


class SlaTail:
    def __init__(self, bootstrap: str) -> None:
        self.tail = TopicTail(bootstrap, [topics.SLA], client_id="innboks-bench")
        self.seen: dict[str, dict[str, tuple[float, dict]]] = {}

    def poll(self) -> None:
        for record in self.tail.poll(0.2):
            event = json.loads(record.value or b"")
            by_id = self.seen.setdefault(event["state"], {})
            by_id.setdefault(event["inquiry_id"], (record.timestamp / 1000, event))

    def count(self, state: str, prefix: str) -> int:
        return sum(1 for inquiry in self.seen.get(state, {}) if inquiry.startswith(prefix))


def _open_inquiries(worker: ManagedProcess, producer: Producer, tail: SlaTail) -> tuple[int, float] | None:
    """Give a settled worker ``OPEN`` questions (standard policy: due tomorrow or later) and wait until
    each is open: its RSS in KiB before they came and the seconds they took, or None after
    ``GIVE_UP_SECONDS``."""
    assert worker.process is not None
    time.sleep(3)
    rss_empty = _rss_kib(worker.process.pid)
    started = time.perf_counter()
    for key, value in _messages("bg", OPEN, datetime.now(UTC)):
        producer.send(topics.MESSAGES, value, key=key)
    producer.flush()
    while tail.count("opened", "facebook:bg") < OPEN:
        tail.poll()
        time.sleep(0.2)  # poll gently: the worker and the broker share the machine's cores
        if time.perf_counter() - started > GIVE_UP_SECONDS:
            return None
    return rss_empty, time.perf_counter() - started


def latency() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-sla-"))
    (workdir / "accounts.yaml").write_text(
        "version: 1\nsla:\n  policies:\n"
        f"    bench: {{target: {TARGET}s, calendar: always, warning_fraction: 0.5}}\n"
        f"accounts:\n  - {{platform: facebook, account_id: '{PAGE_ID}', name: Bench, owning_unit: K, "
        "sla_policy_by_kind: {direct_message: bench}}\n", encoding="utf-8")
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        port = free_port()
        worker = worker_process(bootstrap, workdir / "data", port, workdir / "worker.log", extra_env={
            "INNBOKS_TOPIC_PARTITIONS": str(PARTITIONS), "INNBOKS_ACCOUNTS_FILE": str(workdir / "accounts.yaml")})
        worker.start()
        tail = SlaTail(bootstrap)
        producer = Producer(bootstrap, client_id="innboks-bench", linger_ms=20)
        try:
            wait_http_ok(f"http://127.0.0.1:{port}/metrics", 90, worker)
            opened = _open_inquiries(worker, producer, tail)
            if opened is None:
                print(f"sla-latency: only {tail.count('opened', 'facebook:bg'):,} opened; log {workdir}")
                return
            rss_empty, loaded = opened
            time.sleep(65)  # one periodic index rebuild included
            rss_loaded = _rss_kib(worker.process.pid)
            first = datetime.now(UTC) + timedelta(seconds=2)
            spread = 10.0
            for i in range(TIMED):
                created = first + timedelta(seconds=spread * i / TIMED)
                for key, value in _messages(f"t{i}_", 1, created, Kind.DIRECT_MESSAGE):
                    producer.send(topics.MESSAGES, value, key=key)
            producer.flush()
            deadline = time.perf_counter() + TARGET + spread + 60
            while tail.count("breached", "facebook:t") < TIMED and time.perf_counter() < deadline:
                tail.poll()
        finally:
            producer.close()
            tail.tail.close()
            worker.stop()

    print(f"{'open inquiries in the worker':<48} {OPEN:>10,}  (loaded in {loaded:.0f} s, "
          f"{OPEN / loaded:,.0f}/s into the SLA agent)")
    print(f"{'worker RSS empty / with open inquiries':<48} {rss_empty / 1024:>10,.0f} / {rss_loaded / 1024:,.0f} MiB "
          f"= {(rss_loaded - rss_empty) * 1024 / OPEN:,.0f} B/inquiry (RocksDB store)")
    for state, due_field in (("warning", None), ("breached", "due_at")):
        delays = []
        for inquiry, (timestamp, event) in tail.seen.get(state, {}).items():
            if not inquiry.startswith("facebook:t"):
                continue
            received = datetime.fromisoformat(event["received_at"]).timestamp()
            due = datetime.fromisoformat(event[due_field]).timestamp() if due_field else received + TARGET / 2
            delays.append(timestamp - due)
        if len(delays) < 2:
            print(f"{state}: only {len(delays)} of {TIMED} seen; log {workdir}")
            continue
        cuts = statistics.quantiles(delays, n=100, method="inclusive")
        print(f"{state + ' after its time p50 / p99 / max':<48} {cuts[49] * 1000:>10,.0f} / {cuts[98] * 1000:,.0f} / "
              f"{max(delays) * 1000:,.0f} ms  ({len(delays):,} inquiries, {OPEN:,} open)")


def restart() -> None:
    """Worker memory per open inquiry, and restart to processing, with ``BENCH_SLA_OPEN`` open (issue 16).

    A worker takes ``OPEN`` citizens' questions (each its own conversation, so each an open inquiry
    in the clock table, the history and the activity table) from ``innboks.messages``; its resident
    memory is read before they come and once they are all open (after a periodic index rebuild).
    Then it is stopped (SIGTERM), and a new worker on the same data directory is started; the time
    from its start to the ``opened`` event of a new question is the restart time (group join,
    table recovery and the index rebuild included). A third worker on an empty data directory
    recovers the tables from their changelogs (a worker replaced on another machine).
    """
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-restart-"))
    env = {"INNBOKS_TOPIC_PARTITIONS": str(PARTITIONS)}
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        tail = SlaTail(bootstrap)
        producer = Producer(bootstrap, client_id="innboks-bench", linger_ms=20)
        port = free_port()
        worker = worker_process(bootstrap, workdir / "data", port, workdir / "worker-1.log", extra_env=env)
        worker.start()
        try:
            wait_http_ok(f"http://127.0.0.1:{port}/metrics", 90, worker)
            opened = _open_inquiries(worker, producer, tail)
            if opened is None:
                print(f"sla-restart: only {tail.count('opened', 'facebook:bg'):,} opened; log {workdir}")
                return
            rss_empty, loaded = opened
            time.sleep(float(os.environ.get("BENCH_SLA_SETTLE", "65")))  # one periodic index rebuild included
            rss_loaded = _rss_kib(worker.process.pid)
        finally:
            worker.stop()
        timings = {}
        for name, data in (("restart, same data directory", "data"), ("replacement, empty data directory", "data-2")):
            port = free_port()
            worker = worker_process(bootstrap, workdir / data, port, workdir / f"{data}.log", extra_env=env)
            probe = f"probe-{data}-"
            started = time.perf_counter()
            worker.start()
            try:
                for key, value in _messages(probe, 1, datetime.now(UTC)):
                    producer.send(topics.MESSAGES, value, key=key)
                producer.flush()
                while tail.count("opened", f"facebook:{probe}") < 1 and time.perf_counter() - started < 300:
                    tail.poll()
                timings[name] = time.perf_counter() - started
                rss_after = _rss_kib(worker.process.pid)
            finally:
                worker.stop()
            timings[name + " RSS"] = rss_after
        producer.close()
        tail.tail.close()

    print(f"{'open inquiries in the worker':<48} {OPEN:>10,}  (loaded in {loaded:.0f} s, "
          f"{OPEN / loaded:,.0f}/s into the conversation agent)")
    print(f"{'worker RSS empty / with open inquiries':<48} {rss_empty / 1024:>10,.0f} / {rss_loaded / 1024:,.0f} MiB "
          f"= {(rss_loaded - rss_empty) * 1024 / OPEN:,.0f} B/inquiry  (target <= 1,024)")
    for name in ("restart, same data directory", "replacement, empty data directory"):
        print(f"{name + ' -> processing':<48} {timings[name]:>10.1f} s  (RSS then "
              f"{timings[name + ' RSS'] / 1024:,.0f} MiB; target <= 10 s)")
