"""Loading every agent, table and page onto the app, and running it as a Faust worker."""

from __future__ import annotations

import faust

from streams.app import app


def load() -> faust.App:
    """Import the domain modules so that their agents, tables, timers and pages register."""
    import streams.control  # noqa: F401
    import streams.conversation  # noqa: F401
    import streams.normalize.agents  # noqa: F401
    import streams.web  # noqa: F401

    return app


def run(loglevel: str = "info") -> None:
    """Run the worker until SIGINT/SIGTERM (blocks; Faust owns the event loop and signals)."""
    from faust.worker import Worker

    worker = Worker(load(), loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
