"""How long one reply check takes: ``python -m benchmarks reply-check``.

The check runs as the operator types (half a second after the last keystroke), so what matters is
the time for one draft, not throughput. Every draft of every part of ``data/replies`` is checked
``ROUNDS`` times with the packaged facts registry and the draft's language; the best round per
draft counts (the machine is shared), and the median, 99th percentile and slowest draft are
printed, with the longest draft that can be written (10,000 characters, the longest any platform
takes) as a worst case; the learned layer included (its weights load once, before
timing). Goal: under 10 ms for a draft.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from innboks.config.facts import load_facts
from innboks.domain.reply_check import check_reply, context_for
from innboks.domain.reply_check.evaluation import load_corpus

DATA = Path(__file__).parents[1] / "data" / "replies"
ROUNDS = 5
GOAL_MS = 10.0


def _best_ms(text: str, context: object, rounds: int = ROUNDS) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        check_reply(text, context)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
    return best * 1000


def run() -> None:
    facts = load_facts()
    parts = [p for p in sorted(DATA.glob("*.jsonl")) if not p.name.startswith(("train-", "calibration-"))]
    drafts = [draft for part in parts for draft in load_corpus(part)]
    check_reply("Hei! Takk for meldingen.")  # compile the tables once
    times = sorted(_best_ms(draft.text, context_for(facts, language=draft.language)) for draft in drafts)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    longest = " ".join(draft.text for draft in drafts)[:10_000]
    worst = _best_ms(longest, context_for(facts), rounds=2)
    print(f"reply-check: {len(drafts)} drafts, median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, "
          f"slowest {times[-1]:.2f} ms; a 10,000-character reply {worst:.1f} ms (goal: a draft under {GOAL_MS:.0f} ms)")
