"""Loading every agent, table and page onto the app, and running it as a Faust worker."""

from __future__ import annotations

import faust
from faust.worker import Worker as FaustWorker

from innboks import heap
from streams.app import app


def load() -> faust.App:
    """Import the domain modules so that their agents, tables, timers and pages register."""
    import streams.control  # noqa: F401
    import streams.conversation  # noqa: F401
    import streams.normalize.agents  # noqa: F401
    import streams.web  # noqa: F401

    return app


def settle_garbage_collector() -> None:
    """Everything the worker built to start (modules, Faust's services, the tables, the SLA index) stays
    (``innboks.heap``: a full collection with the whole heap took 0.5 s of a burst, issue 30)."""
    heap.settle()


class Worker(FaustWorker):
    async def on_startup_finished(self) -> None:
        await super().on_startup_finished()
        settle_garbage_collector()


def run(loglevel: str = "info") -> None:
    """Run the worker until SIGINT/SIGTERM (blocks; Faust owns the event loop and signals)."""
    worker = Worker(load(), loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
