"""``innboks triage`` end to end on one core: JSON lines in, JSON lines out.

Feeds the development corpus, repeated to N lines, through the command pinned to one CPU
(``taskset -c 0`` where available). Reports messages per second with and without the process
start-up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

N = int(os.environ.get("BENCH_TRIAGE_LINES", "26000"))
CORPUS = Path(__file__).parents[1] / "data" / "triage" / "dev.jsonl"


def run() -> None:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = "".join(json.dumps({"id": str(i), "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n"
                    for i in range(N)).encode()
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    command = [*pin, sys.executable, "-m", "innboks", "triage"]
    started = time.perf_counter()
    subprocess.run([*command], input=b"", capture_output=True, check=True)
    startup = time.perf_counter() - started
    started = time.perf_counter()
    result = subprocess.run(command, input=lines, capture_output=True, check=True)
    elapsed = time.perf_counter() - started
    assert result.stdout.count(b"\n") == N
    core = " (one core)" if pin else ""
    print(f"{'innboks triage, ' + format(N, ',') + ' lines' + core:<44} {N / elapsed:>10,.0f} msg/s  "
          f"({elapsed:.2f} s incl. start-up)")
    print(f"{'innboks triage without the ' + f'{startup:.2f} s start-up':<44} {N / (elapsed - startup):>10,.0f} msg/s")
