"""HTTP endpoints of the worker: ``/metrics`` in the Prometheus text format."""

from __future__ import annotations

from faust.web import Request, Response, View
from prometheus_client import generate_latest

from streams.app import app
from streams.metrics import REGISTRY
from streams.sensors import WorkerSensors

REGISTRY.register(WorkerSensors(lambda: app.monitor))

#: Prometheus text exposition format 0.0.4 (aiohttp adds the charset itself).
CONTENT_TYPE = "text/plain; version=0.0.4"


@app.page("/metrics")
async def metrics(self: View, request: Request) -> Response:
    return self.bytes(generate_latest(REGISTRY), content_type=CONTENT_TYPE)
