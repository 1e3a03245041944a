"""The garbage collector of a long-running process, settled once it has started.

What a process builds to start (modules, SQLAlchemy's tables, Jinja's templates, Faust's services,
the worker's tables) lives as long as the process. ``gc.freeze`` moves it out of the collector's
sight, so a full collection walks only what came after, and higher thresholds make collections
rarer. Measured (docs/performance.md): a full collection took 0.5 s of the worker's burst (issue 30),
and in the inbox it was the whole tail of the list's latency (API p99 121 → 40 ms, page p99 144 → 53
ms over HTTP, 500 rows).
"""

from __future__ import annotations

import gc

#: The thresholds once the process runs (Python's default: 700, 10, 10). Nearly all the garbage a
#: message or a request leaves is freed by reference counting; the collector only has to find cycles,
#: and with the default it ran about 40 times per second in the worker under a burst (issue 30).
THRESHOLDS = (10_000, 20, 20)


def settle() -> None:
    """Collect once, freeze what survived, then collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
