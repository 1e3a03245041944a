"""Single-core throughput of the pure functions on the hot path (per second of CPU time)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from innboks.domain.policies import STANDARD_POLICY
from streams.normalize.process import normalize_raw
from streams.triage.classifier import Classifier
from streams.triage.ruleset import load_ruleset
from tests.helpers import facebook_comment_raw


def _rate(label: str, items: list, fn: Callable, min_seconds: float = 2.0) -> float:
    """Calls per second of CPU time of this process (per core: a busy machine takes wall time away,
    not CPU time)."""
    done, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < min_seconds:
        for item in items:
            fn(item)
        done += len(items)
    cpu = time.process_time() - cpu_started
    rate = done / cpu
    print(f"{label:<44} {rate:>12,.0f} /s   ({cpu / done * 1e6:,.1f} µs CPU each, {done:,} calls)")
    return rate


def triage_throughput() -> float:
    """One core, the texts of the three dev corpora (never the held-out one); target 20,000/s (issue 16)."""
    import json
    from pathlib import Path

    classifier = Classifier(load_ruleset())
    texts = []
    for name in ("dev.jsonl", "dev-b.jsonl", "dev-c.jsonl"):
        corpus = Path(__file__).parents[1] / "data" / "triage" / name
        texts += [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    return _rate("triage classifier (dev corpora texts)", texts, classifier.triage)


def deadline_throughput() -> float:
    start = datetime(2026, 3, 20, tzinfo=UTC)
    instants = [start + timedelta(minutes=37 * i) for i in range(500)]
    return _rate("SLA deadline, standard policy", instants, STANDARD_POLICY.due_at)


def normalize_throughput() -> float:
    """The one mapping at the edge (a connector's sink), then normalize in the worker (which maps nothing)."""
    from connectors.mapping import mapped

    fetched = [facebook_comment_raw(f"1_{i}", "Hei, når er biblioteket åpent?", mapped=False) for i in range(500)]
    _rate("map at the edge (RawEvent -> mapped, encoded)", fetched, lambda raw: mapped(raw).to_json_bytes())
    payloads = [mapped(raw).to_json_bytes() for raw in fetched]
    return _rate("normalize (raw bytes -> NormalizedMessage)", payloads, normalize_raw)
