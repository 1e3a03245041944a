"""Loading every agent, table and page onto the app, and running it as a Faust worker."""

from __future__ import annotations

import gc

import faust
from faust.worker import Worker as FaustWorker

from streams.app import app

#: The cyclic garbage collector's thresholds once the worker runs (Python's default: 700, 10, 10).
#: Nearly all the garbage a message leaves is freed by reference counting; the collector only has to
#: find cycles, and with the default it ran about 40 times per second under a burst (issue 30).
GC_THRESHOLDS = (10_000, 20, 20)


def load() -> faust.App:
    """Import the domain modules so that their agents, tables, timers and pages register."""
    import streams.control  # noqa: F401
    import streams.conversation  # noqa: F401
    import streams.normalize.agents  # noqa: F401
    import streams.web  # noqa: F401

    return app


def settle_garbage_collector() -> None:
    """Everything the worker built to start (modules, Faust's services, the tables, the SLA index) stays:
    ``gc.freeze`` moves it out of the collector's sight, so a full collection walks only what came
    after (one took 0.5 s of a burst with the whole heap, issue 30), and collections run less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class Worker(FaustWorker):
    async def on_startup_finished(self) -> None:
        await super().on_startup_finished()
        settle_garbage_collector()


def run(loglevel: str = "info") -> None:
    """Run the worker until SIGINT/SIGTERM (blocks; Faust owns the event loop and signals)."""
    worker = Worker(load(), loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
