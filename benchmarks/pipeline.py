"""The pipeline on the embedded broker: the worker's CPU per message and the burst latency (issue 30),
with its own logic run plainly beside it for the record (issue 16).

One broker, one benchmark process:

1. **the same-logic loop** (in this process): a consumer group reads N raw events, runs Innboks's own
   per-message work on each (``normalize_raw`` + ``triage_message`` + ``encode``), sends the results
   as one batch, waits for the broker's acknowledgements and commits the batch's offsets (at least
   once). It runs before the worker starts and again after it has stopped; the rate is their mean.
2. **the pipeline** (a real worker process, one worker): N raw Facebook comments (each its own
   conversation) in one burst, from the first ``innboks.raw`` record to the last ``opened`` on
   ``innboks.sla`` (broker record timestamps), then a steady trickle of 10 msg/s for the steady-state
   latency.

It prints the worker's CPU time per message over the burst (target ≤ 1.0 ms: CPU time is what other
load on the machine disturbs least) and the burst's raw → sla ``opened`` p99 (target ≤ 5 s), then the
pipeline's rate, the same-logic loop's rate and their ratio (issue 16's measure, kept for the
record), the broker's CPU per message, the steady latencies and the load average at the start.
Progress is counted by consuming the output topics (not from end offsets: Tansu under-reports
those, see docs/embedded-broker.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from innboks.config import topics
from innboks.config.topics import TopicSpec
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.kafka.clients import AsyncProducer, GroupConsumer, Producer, Record, TopicTail, read_to_end
from innboks.processes import worker_process
from schemas import RawEvent
from tests.conftest import wait_http_ok
from tests.helpers import facebook_comment_raw

N = int(os.environ.get("BENCH_PIPELINE_MESSAGES", "5000"))
OVERDUE = os.environ.get("BENCH_PIPELINE_OVERDUE") == "1"
PARTITIONS = int(os.environ.get("BENCH_PIPELINE_PARTITIONS", "6"))
GIVE_UP_SECONDS = 180
STEADY = 100
BASELINE_IN, BASELINE_OUT = "bench.baseline-raw", "bench.baseline-out"
TEXT = "Hei! Når får jeg svar på byggesøknaden min, saksnr 24/1234?"


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (0 where it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_comments(prefix: str, count: int, created: str, text: str = TEXT) -> list[RawEvent]:
    return [facebook_comment_raw(f"{prefix}_{i}", text, created=created) for i in range(count)]


def produce_raw(bootstrap: str, topic: str, events: list[RawEvent], linger_ms: int = 5) -> None:
    with Producer(bootstrap, client_id="innboks-bench", linger_ms=linger_ms) as producer:
        for event in events:
            producer.send(topic, event.to_json_bytes(), key=f"k{event.payload['id']}".encode())
        producer.flush()


# --- the same-logic loop -----------------------------------------------------------------------


async def _same_logic_loop(bootstrap: str, count: int, group: str) -> tuple[float, float]:
    """Consume ``count`` raw events, do the per-message work, produce, commit per batch.

    Returns (seconds from the first batch to the last commit, CPU seconds of this process then).
    """
    from innboks.domain.codec import encode
    from streams.normalize.process import normalize_raw
    from streams.triage.classifier import Classifier
    from streams.triage.process import triage_message
    from streams.triage.ruleset import load_ruleset

    classifier = Classifier(load_ruleset())
    consumer = GroupConsumer(bootstrap, [BASELINE_IN], group=group, client_id="innboks-bench")
    producer = AsyncProducer(bootstrap, client_id="innboks-bench")
    await consumer.start()
    await producer.start()
    done, started, cpu_started = 0, 0.0, 0.0
    try:
        while done < count:
            batches = await consumer.poll(0.5)
            if not batches:
                continue
            if not started:
                started, cpu_started = time.perf_counter(), time.process_time()
            records: list[Record] = [record for records in batches.values() for record in records]
            out = []
            now = datetime.now(UTC)
            for record in records:
                message = normalize_raw(record.value)
                out.append((message.key.encode(), encode(triage_message(message, classifier, now))))
            await producer.send_all(BASELINE_OUT, out)
            await consumer.commit(records)
            done += len(records)
        return time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        await producer.stop()
        await consumer.stop()


def same_logic_rate(bootstrap: str, count: int) -> tuple[float, float]:
    """Messages per second and CPU milliseconds per message of the same-logic loop."""
    group = f"innboks-bench-{uuid.uuid4().hex[:8]}"
    elapsed, cpu = asyncio.run(_same_logic_loop(bootstrap, count, group))
    return count / elapsed, cpu * 1000 / count


# --- the pipeline ------------------------------------------------------------------------------


def first_times(bootstrap: str, topic: str, id_path: str, state: str | None = None) -> dict[str, int]:
    """The first record timestamp (ms) per message id on a topic, read to its end."""
    path = id_path.split(".")
    times: dict[str, int] = {}
    for record in read_to_end(bootstrap, [topic], client_id="innboks-bench"):
        value = json.loads(record.value or b"")
        if state is not None and value.get("state") != state:
            continue
        for part in path:
            value = value[part]
        times.setdefault(str(value), record.timestamp)
    return times


def _wait_for_opened(tail: TopicTail, expected: int, seen: int, deadline: float) -> int:
    """Count ``opened`` records on innboks.sla until ``expected`` came; polls gently (the machine's
    CPU is shared with the worker and the broker)."""
    while seen < expected and time.perf_counter() < deadline:
        seen += sum(1 for r in tail.poll(0.2) if r.value and b'"state":"opened"' in r.value)
        time.sleep(0.05)
    return seen


def run() -> None:
    load_at_start = " ".join(f"{value:.2f}" for value in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-"))
    started = time.perf_counter()
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        broker_ready = time.perf_counter() - started
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        create_topics(bootstrap, PARTITIONS, 1, catalogue=tuple(
            TopicSpec(name, "bytes", "benchmark", {}, PARTITIONS) for name in (BASELINE_IN, BASELINE_OUT)))
        # Fresh inquiries (none due yet), or with BENCH_PIPELINE_OVERDUE=1 nine days old: every one is
        # breached at once, so the SLA timer emits a warning and a breach for each on top.
        now = (datetime.now(UTC) - timedelta(days=9 if OVERDUE else 0)).strftime("%Y-%m-%dT%H:%M:%S+0000")

        # 1. the same-logic loop, before the worker runs
        produce_raw(bootstrap, BASELINE_IN, raw_comments("7", N, now))
        baseline_before, baseline_cpu_before = same_logic_rate(bootstrap, N)

        # 2. the pipeline
        worker = worker_process(bootstrap, workdir / "data", free_port(), workdir / "worker.log",
                                extra_env={"INNBOKS_TOPIC_PARTITIONS": str(PARTITIONS)})
        events = raw_comments("9", N, now)
        steady = raw_comments("8", STEADY, now, "Hvor finner jeg skjemaet?")
        sla_tail = TopicTail(bootstrap, [topics.SLA], client_id="innboks-bench")
        producer = Producer(bootstrap, client_id="innboks-bench", linger_ms=5)
        worker_started = time.perf_counter()
        worker.start()
        try:
            producer.send(topics.RAW, facebook_comment_raw("0_probe", "Hei, hvor søker jeg?").to_json_bytes(),
                          key=b"probe")
            producer.flush()
            seen = _wait_for_opened(sla_tail, 1, 0, time.perf_counter() + 120)
            first_output = time.perf_counter() - worker_started
            time.sleep(1.0)  # let the worker settle after its first event
            worker_cpu, broker_cpu = cpu_seconds(worker.process.pid), cpu_seconds(broker.pid)
            produce_start = time.perf_counter()
            for event in events:
                producer.send(topics.RAW, event.to_json_bytes(), key=f"k{event.payload['id']}".encode())
            producer.flush()
            produced = time.perf_counter() - produce_start
            seen = _wait_for_opened(sla_tail, N + 1, seen, produce_start + GIVE_UP_SECONDS)
            worker_cpu = cpu_seconds(worker.process.pid) - worker_cpu
            broker_cpu = cpu_seconds(broker.pid) - broker_cpu
            if seen < N + 1:
                print(f"pipeline: only {seen - 1:,}/{N:,} through after {GIVE_UP_SECONDS} s; "
                      f"worker log {workdir / 'worker.log'}")
                return
            for event in steady:  # a steady trickle, as in daily use
                producer.send(topics.RAW, event.to_json_bytes(), key=f"k{event.payload['id']}".encode())
                producer.flush()
                time.sleep(0.1)
            _wait_for_opened(sla_tail, N + 1 + STEADY, seen, time.perf_counter() + 60)
            raw = first_times(bootstrap, topics.RAW, "payload.id")
            triaged = first_times(bootstrap, topics.TRIAGED, "message.id")
            sla = first_times(bootstrap, topics.SLA, "inquiry_id", state="opened")
        finally:
            producer.close()
            sla_tail.close()
            worker.stop()

        # 1 again, after the worker has stopped
        produce_raw(bootstrap, BASELINE_IN, raw_comments("6", N, now))
        baseline_after, baseline_cpu_after = same_logic_rate(bootstrap, N)

    ids = [e.payload["id"] for e in events]
    first_in = min(raw[i] for i in ids)
    last_out = max(sla[f"facebook:{i}"] for i in ids)
    drained = (last_out - first_in) / 1000
    pipeline_rate = N / drained
    baseline = (baseline_before + baseline_after) / 2
    to_triaged = [triaged[f"facebook:{i}"] - raw[i] for i in ids]
    to_sla = [sla[f"facebook:{i}"] - raw[i] for i in ids]
    worker_ms, burst_p99 = worker_cpu * 1000 / N, percentile(to_sla, 99) / 1000
    print(f"{'load average (1, 5, 15 min) at the start':<48} {load_at_start}")
    print(f"{'embedded broker ready':<48} {broker_ready * 1000:>10.0f} ms")
    print(f"{'worker start -> first inquiry opened':<48} {first_output:>10.1f} s   (includes the group join)")
    print(f"{'produce ' + format(N, ',') + ' raw events':<48} {produced:>10.2f} s")
    print(f"{'worker CPU per message (raw -> sla opened)':<48} {worker_ms:>10.3f} ms     "
          f"(target <= 1.0: {'met' if worker_ms <= 1.0 else 'NOT met'}; broker {broker_cpu * 1000 / N:.3f} ms)")
    print(f"{'burst of ' + format(N, ',') + ': raw -> sla opened p99':<48} {burst_p99:>10.2f} s      "
          f"(target <= 5: {'met' if burst_p99 <= 5 else 'NOT met'}; p50 {percentile(to_sla, 50) / 1000:.2f} s)")
    print(f"{'pipeline (raw -> sla opened), 1 worker':<48} {pipeline_rate:>10,.0f} msg/s  ({drained:.1f} s)")
    print(f"{'same-logic loop (normalize+triage+encode)':<48} {baseline:>10,.0f} msg/s  "
          f"(before / after the pipeline: {baseline_before:,.0f} / {baseline_after:,.0f}; "
          f"{(baseline_cpu_before + baseline_cpu_after) / 2:.3f} CPU ms/msg; for the record)")
    print(f"{'pipeline / same-logic loop':<48} {pipeline_rate / baseline:>10.2f}    (for the record)")
    print(f"{'latency raw -> triaged p50 / p99':<48} {percentile(to_triaged, 50):>10,.0f} / "
          f"{percentile(to_triaged, 99):,.0f} ms  (under the burst)")
    steady_ids = [e.payload["id"] for e in steady]
    for label, times in (("raw -> triaged", triaged), ("raw -> sla opened", sla)):
        values = [times[f"facebook:{i}"] - raw[i] for i in steady_ids]
        print(f"{'latency ' + label + ' p50 / p99':<48} {percentile(values, 50):>10,.0f} / "
              f"{percentile(values, 99):,.0f} ms  (steady 10 msg/s)")


# --- scale-out ---------------------------------------------------------------------------------


def _burst_rate(workers: int, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """A fresh broker, ``workers`` workers on PARTITIONS partitions, one burst of N raw events:
    messages per second (raw -> sla opened), and the workers' and the broker's CPU ms per message."""
    workdir = Path(tempfile.mkdtemp(prefix=f"innboks-bench-scale{workers}-"))
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        ports = [free_port() for _ in range(workers)]
        processes = [worker_process(bootstrap, workdir / f"data-{i}", port, workdir / f"worker-{i}.log",
                                    extra_env={"INNBOKS_TOPIC_PARTITIONS": str(PARTITIONS), **(env or {})})
                     for i, port in enumerate(ports)]
        sla_tail = TopicTail(bootstrap, [topics.SLA], client_id="innboks-bench")
        producer = Producer(bootstrap, client_id="innboks-bench", linger_ms=5)
        events = raw_comments("9", N, now)
        try:
            for process in processes:
                process.start()
            for port, process in zip(ports, processes, strict=True):
                wait_http_ok(f"http://127.0.0.1:{port}/metrics", 90, process)
            time.sleep(8)  # the group settles (Tansu completes a join after half the session timeout)
            probes = [facebook_comment_raw(f"0_probe{i}", "Hei, hvor søker jeg?") for i in range(PARTITIONS * 2)]
            for probe in probes:  # reach every partition, so every worker has done its first event
                producer.send(topics.RAW, probe.to_json_bytes(), key=f"k{probe.payload['id']}".encode())
            producer.flush()
            seen = _wait_for_opened(sla_tail, len(probes), 0, time.perf_counter() + 120)
            time.sleep(1.0)
            cpu = [cpu_seconds(p.process.pid) for p in processes if p.process], cpu_seconds(broker.pid)
            for event in events:
                producer.send(topics.RAW, event.to_json_bytes(), key=f"k{event.payload['id']}".encode())
            producer.flush()
            seen = _wait_for_opened(sla_tail, N + len(probes), seen, time.perf_counter() + GIVE_UP_SECONDS)
            worker_cpu = sum(cpu_seconds(p.process.pid) for p in processes if p.process) - sum(cpu[0])
            broker_cpu = cpu_seconds(broker.pid) - cpu[1]
            raw = first_times(bootstrap, topics.RAW, "payload.id")
            sla = first_times(bootstrap, topics.SLA, "inquiry_id", state="opened")
        finally:
            producer.close()
            sla_tail.close()
            for process in processes:
                process.stop()
    ids = [e.payload["id"] for e in events]
    if seen < N + len(probes) or any(f"facebook:{i}" not in sla for i in ids):
        print(f"scale-out: not every message came through with {workers} worker(s); logs in {workdir}")
        return 0.0, 0.0, 0.0
    drained = (max(sla[f"facebook:{i}"] for i in ids) - min(raw[i] for i in ids)) / 1000
    return N / drained, worker_cpu * 1000 / N, broker_cpu * 1000 / N


def scale_out() -> None:
    """One worker, then two, on the same number of partitions (each on a fresh broker); two with
    Faust's standby replicas (the default: each worker also keeps a copy of the other's tables) and
    two without."""
    runs = {
        "1 worker": (1, {}),
        "2 workers, standby replicas": (2, {}),
        "2 workers, no standby replicas": (2, {"INNBOKS_TABLE_STANDBY_REPLICAS": "0"}),
    }
    results = {label: _burst_rate(workers, env) for label, (workers, env) in runs.items()}
    for label, (rate, worker_cpu, broker_cpu) in results.items():
        print(f"{'pipeline (raw -> sla opened), ' + label:<56} {rate:>8,.0f} msg/s  "
              f"(workers {worker_cpu:.3f}, broker {broker_cpu:.3f} CPU ms/msg)")
    one = results["1 worker"][0]
    if one:
        for label in list(runs)[1:]:
            print(f"{label + ' / 1 worker':<56} {results[label][0] / one:>8.2f}    ({PARTITIONS} partitions; "
                  f"{os.cpu_count()} cores shared by the workers, the broker and the benchmark)")
