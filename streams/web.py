"""HTTP endpoints of the worker: ``/metrics`` in the Prometheus text format."""

from __future__ import annotations

from faust.web import Request, Response, View
from prometheus_client import ProcessCollector, generate_latest

from streams.app import app
from streams.metrics import REGISTRY
from streams.sensors import WorkerSensors

REGISTRY.register(WorkerSensors(lambda: app.monitor))
# process_start_time_seconds and friends: the escalation alerts count every escalation of a worker
# that started less than 15 minutes ago (deploy/prometheus/alerts.yml).
ProcessCollector(registry=REGISTRY)

#: Prometheus text exposition format 0.0.4 (aiohttp adds the charset itself).
CONTENT_TYPE = "text/plain; version=0.0.4"


@app.page("/metrics")
async def metrics(self: View, request: Request) -> Response:
    return self.bytes(generate_latest(REGISTRY), content_type=CONTENT_TYPE)
