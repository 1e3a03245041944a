"""``innboks webhook``: the receiver for Meta webhooks (Facebook Pages and Instagram).

- ``GET /webhooks/meta``: the subscription handshake. With ``hub.mode=subscribe`` and the right
  ``hub.verify_token`` it answers ``hub.challenge``; otherwise 403.
- ``POST /webhooks/meta``: a delivery, signed in ``X-Hub-Signature-256`` (``sha256=`` + HMAC-SHA256
  of the raw body with the app secret). A bad or missing signature gets 401 and nothing is
  produced. A valid delivery is split into one ``RawEvent`` per change (``feed``, ``comments``,
  ``mentions``) or messaging event (``messages``) and produced to ``innboks.raw``. The answer is 200
  only after Kafka acknowledged them, so a failure makes Meta deliver again instead of losing them.
- ``GET /metrics`` (Prometheus) and ``GET /healthz``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, generate_latest

from connectors.mapping import raw_key
from innboks.config.topics import RAW
from innboks.kafka.clients import AsyncProducer
from schemas import Platform, RawEvent

log = logging.getLogger(__name__)

PATH = "/webhooks/meta"
OBJECTS = {"page": Platform.FACEBOOK, "instagram": Platform.INSTAGRAM}
MAX_BODY = 1024 * 1024

Publish = Callable[[list[RawEvent]], Awaitable[None]]


class WebhookMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter("innboks_webhook_requests_total", "Webhook requests, by outcome.", ["outcome"],
                                registry=registry)
        self.events = Counter("innboks_webhook_events_total", "Webhook events produced to innboks.raw.",
                              ["platform", "resource"], registry=registry)


def signature_valid(app_secret: bytes, body: bytes, header: str | None) -> bool:
    """Constant-time check of ``X-Hub-Signature-256: sha256=<hex>``."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def split_delivery(payload: Any, now: datetime) -> list[RawEvent]:
    """One ``RawEvent`` per change or messaging event of a Meta webhook delivery."""
    if not isinstance(payload, dict) or payload.get("object") not in OBJECTS:
        return []
    platform = OBJECTS[payload["object"]]
    events: list[RawEvent] = []
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict) or entry.get("id") is None:
            continue
        account, context = str(entry["id"]), {"entry_time": entry.get("time")}
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and isinstance(change.get("field"), str) and isinstance(change.get("value"),
                                                                                                dict):
                events.append(RawEvent(platform=platform, account_id=account, resource=f"webhook:{change['field']}",
                                       payload=change["value"], context=context, fetched_at=now, source="webhook"))
        for messaging in entry.get("messaging") or []:
            if isinstance(messaging, dict):
                events.append(RawEvent(platform=platform, account_id=account, resource="webhook:messages",
                                       payload=messaging, context=context, fetched_at=now, source="webhook"))
    return events


def create_app(app_secret: str, verify_token: str, publish: Publish,
               registry: CollectorRegistry | None = None) -> web.Application:
    secret = app_secret.encode()
    metrics = WebhookMetrics(registry or CollectorRegistry())

    async def verify(request: web.Request) -> web.Response:
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(token.encode(), verify_token.encode()):
            metrics.requests.labels("verified").inc()
            return web.Response(text=query.get("hub.challenge", ""))
        metrics.requests.labels("verify_refused").inc()
        return web.Response(status=403, text="verification refused")

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        if not signature_valid(secret, body, request.headers.get("X-Hub-Signature-256")):
            metrics.requests.labels("bad_signature").inc()
            return web.Response(status=401, text="invalid or missing X-Hub-Signature-256")
        try:
            payload = json.loads(body)
        except ValueError:
            metrics.requests.labels("bad_request").inc()
            return web.Response(status=400, text="body is not JSON")
        events = split_delivery(payload, datetime.now(UTC))
        try:
            await publish(events)
        except Exception as exc:  # noqa: BLE001 - answer 5xx so Meta delivers again
            log.error("webhook: %d event(s) not acknowledged by Kafka: %s", len(events), type(exc).__name__)
            metrics.requests.labels("kafka_error").inc()
            return web.Response(status=503, text="not stored, deliver again")
        for event in events:
            metrics.events.labels(event.platform.value, event.resource).inc()
        metrics.requests.labels("ok" if events else "ignored").inc()
        return web.Response(text="EVENT_RECEIVED")

    async def metrics_page(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(metrics.registry), content_type="text/plain")

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_get(PATH, verify)
    app.router.add_post(PATH, receive)
    app.router.add_get("/metrics", metrics_page)
    app.router.add_get("/healthz", healthz)
    return app


class KafkaPublisher:
    """Produces webhook events to ``innboks.raw`` (acks=all, keyed by ``raw_key`` like the polling sink).

    The producer is started in ``start``: an asyncio client must be made inside the running loop.
    """

    def __init__(self, bootstrap: str) -> None:
        self.producer = AsyncProducer(bootstrap, client_id="innboks-webhook")

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def __call__(self, events: list[RawEvent]) -> None:
        await self.producer.send_all(RAW, [(raw_key(e).encode(), e.to_json_bytes()) for e in events])
