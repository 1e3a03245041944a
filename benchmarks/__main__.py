"""Run the benchmarks and print their numbers: ``python -m benchmarks [NAME ...]``."""

from __future__ import annotations

import sys

from benchmarks import (
    actions,
    archive,
    batch_ceiling,
    deadletter,
    fiks,
    freshness,
    hotpaths,
    language,
    pipeline,
    records,
    reply_check,
    sla,
    store,
    triage_cli,
    webhook,
)

BENCHMARKS = {
    "triage": hotpaths.triage_throughput,
    "triage-cli": triage_cli.run,
    "language": language.run,
    "deadline": hotpaths.deadline_throughput,
    "normalize": hotpaths.normalize_throughput,
    "pipeline": pipeline.run,
    "scale-out": pipeline.scale_out,
    "batch-ceiling": batch_ceiling.run,
    "webhook": webhook.run,
    "deadletter": deadletter.run,
    "sla-memory": sla.memory,
    "sla-latency": sla.latency,
    "sla-restart": sla.restart,
    "archive": archive.run,
    "store": store.run,
    "store-rebuild": store.rebuild,
    "actions": actions.run,
    "records": records.run,
    "reply-check": reply_check.run,
    "freshness": freshness.run,
    "fiks": fiks.run,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
