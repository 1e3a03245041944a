"""``innboks webhook``: the receiver for Meta webhooks (Facebook Pages and Instagram).

- ``GET /webhooks/meta``: the subscription handshake. With ``hub.mode=subscribe`` and the right
  ``hub.verify_token`` it answers ``hub.challenge``; otherwise 403.
- ``POST /webhooks/meta``: a delivery, signed in ``X-Hub-Signature-256`` (``sha256=`` + HMAC-SHA256
  of the raw body with the app secret). A bad or missing signature (also the old sha1
  ``X-Hub-Signature`` alone) gets 401 and nothing is produced. A body over 1 MiB gets 413, one that
  does not arrive within 10 seconds 408. A valid delivery is split into one ``RawEvent`` per change
  (``feed``, ``comments``, ``mentions``) or messaging event (``messages``) and produced to
  ``innboks.raw``. A signed body that is not JSON, or parts of a delivery that are malformed, go to
  ``innboks.deadletter`` (stage ``webhook``) with the reason: signed by Meta, they are kept rather
  than refused. The answer is 200 only after Kafka acknowledged everything, so a failure makes Meta
  deliver again instead of losing it.
- ``GET /metrics`` (Prometheus) and ``GET /healthz``.

Every answer carries ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy that allows
nothing (the handshake echoes ``hub.challenge``: plain text that no browser may read as a page). A
connection whose request headers have not arrived whole within ``HEADER_SECONDS`` is closed (the
server's keep-alive timeout, ``innboks webhook``), so clients that trickle headers hold none open.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, generate_latest

from connectors.mapping import mapped
from innboks.config.topics import DEADLETTER, RAW
from innboks.domain.deadletter import dead_letter
from innboks.kafka.clients import AsyncProducer
from schemas import Platform, RawEvent

log = logging.getLogger(__name__)

PATH = "/webhooks/meta"
OBJECTS = {"page": Platform.FACEBOOK, "instagram": Platform.INSTAGRAM}
MAX_BODY = 1024 * 1024
#: A body that has not arrived whole by then is refused (a slow client must not hold a connection).
BODY_SECONDS = 10.0
#: A connection whose request headers are not complete by then is closed, as is one idle that long
#: between requests (aiohttp's keep-alive timeout, which starts with the connection).
HEADER_SECONDS = 10.0
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STAGE = "webhook"

Publish = Callable[[list[RawEvent]], Awaitable[None]]
#: Sends one dead letter (key, value) and returns once Kafka has acknowledged it.
PublishDeadLetter = Callable[[bytes | None, bytes], Awaitable[None]]


class WebhookMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter("innboks_webhook_requests_total", "Webhook requests, by outcome.", ["outcome"],
                                registry=registry)
        self.events = Counter("innboks_webhook_events_total", "Webhook events produced to innboks.raw.",
                              ["platform", "resource"], registry=registry)
        self.dead_letters = Counter("innboks_webhook_dead_letters_total",
                                    "Signed deliveries (or parts) kept on innboks.deadletter, by reason.", ["reason"],
                                    registry=registry)


def signature_valid(app_secret: bytes, body: bytes, header: str | None) -> bool:
    """Constant-time check of ``X-Hub-Signature-256: sha256=<hex>``."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def split_delivery(payload: Any, now: datetime) -> list[RawEvent]:
    """One ``RawEvent`` per change or messaging event of a Meta webhook delivery."""
    return split_and_check(payload, now)[0]


def split_and_check(payload: Any, now: datetime) -> tuple[list[RawEvent], list[str]]:
    """The events of a delivery, and what in it was malformed (field names only, never values).

    A delivery for another Meta product (``object`` not ``page`` or ``instagram``) is not ours: no
    events and nothing malformed.
    """
    if not isinstance(payload, dict):
        return [], ["the delivery is not a JSON object"]
    if payload.get("object") not in OBJECTS:
        return [], []
    platform = OBJECTS[payload["object"]]
    events: list[RawEvent] = []
    problems: list[str] = []
    entries = payload.get("entry")
    if not isinstance(entries, list):
        return [], ["entry is not a list"]
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("id") is None:
            problems.append(f"entry[{number}] has no id")
            continue
        account, context = str(entry["id"]), {"entry_time": entry.get("time")}
        for index, change in enumerate(entry.get("changes") or []):
            if isinstance(change, dict) and isinstance(change.get("field"), str) and isinstance(change.get("value"),
                                                                                                dict):
                events.append(RawEvent(platform=platform, account_id=account, resource=f"webhook:{change['field']}",
                                       payload=change["value"], context=context, fetched_at=now, source="webhook"))
            else:
                problems.append(f"entry[{number}].changes[{index}] needs a field and a value object")
        for index, messaging in enumerate(entry.get("messaging") or []):
            if isinstance(messaging, dict):
                events.append(RawEvent(platform=platform, account_id=account, resource="webhook:messages",
                                       payload=messaging, context=context, fetched_at=now, source="webhook"))
            else:
                problems.append(f"entry[{number}].messaging[{index}] is not an object")
    return events, problems


def create_app(app_secret: str, verify_token: str, publish: Publish,
               registry: CollectorRegistry | None = None,
               publish_dead_letter: PublishDeadLetter | None = None) -> web.Application:
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

    async def keep_as_dead_letter(body: bytes, code: str, reason: str) -> web.Response | None:
        """Keep a signed but unusable body on the dead-letter topic; an error answer if that fails."""
        if publish_dead_letter is None:
            metrics.requests.labels("bad_request").inc()
            return web.Response(status=400, text=reason)
        letter = dead_letter(stage=STAGE, reason_code=code, reason=reason, source_topic=PATH, payload=body, key=None,
                             partition=None, offset=None, now=datetime.now(UTC))
        try:
            await publish_dead_letter(None, letter.to_json_bytes())
        except Exception as exc:  # noqa: BLE001 - answer 5xx so Meta delivers again
            log.error("webhook: dead letter not acknowledged by Kafka: %s", type(exc).__name__)
            metrics.requests.labels("kafka_error").inc()
            return web.Response(status=503, text="not stored, deliver again")
        metrics.dead_letters.labels(code).inc()
        return None

    async def receive(request: web.Request) -> web.Response:
        try:
            body = await asyncio.wait_for(request.read(), BODY_SECONDS)
        except TimeoutError:
            metrics.requests.labels("timeout").inc()
            return web.Response(status=408, text=f"the body did not arrive within {BODY_SECONDS:.0f} s")
        except web.HTTPRequestEntityTooLarge:
            metrics.requests.labels("too_large").inc()
            raise
        if not signature_valid(secret, body, request.headers.get("X-Hub-Signature-256")):
            metrics.requests.labels("bad_signature").inc()
            return web.Response(status=401, text="invalid or missing X-Hub-Signature-256")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            refused = await keep_as_dead_letter(body, "invalid_json", "a signed delivery that is not JSON")
            if refused is not None:
                return refused
            metrics.requests.labels("dead_lettered").inc()
            return web.Response(text="EVENT_RECEIVED")
        events, problems = split_and_check(payload, datetime.now(UTC))
        if problems:
            reason = f"{len(problems)} malformed part(s): {'; '.join(problems[:3])}"
            refused = await keep_as_dead_letter(body, "malformed_delivery", reason)
            if refused is not None:
                return refused
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

    async def security_headers(_request: web.Request, response: web.StreamResponse) -> None:
        response.headers.update(SECURITY_HEADERS)

    app = web.Application(client_max_size=MAX_BODY)
    app.on_response_prepare.append(security_headers)
    app.router.add_get(PATH, verify)
    app.router.add_post(PATH, receive)
    app.router.add_get("/metrics", metrics_page)
    app.router.add_get("/healthz", healthz)
    return app


class KafkaPublisher:
    """Produces webhook events to ``innboks.raw`` (acks=all), each mapped once and keyed by its conversation
    like the polling sink's.

    The producer is started in ``start``: an asyncio client must be made inside the running loop.
    """

    def __init__(self, bootstrap: str) -> None:
        self.producer = AsyncProducer(bootstrap, client_id="innboks-webhook")

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def __call__(self, events: list[RawEvent]) -> None:
        events = [mapped(event) for event in events]
        await self.producer.send_all(RAW, [(event.key.encode(), event.to_json_bytes()) for event in events])

    async def dead_letter(self, key: bytes | None, value: bytes) -> None:
        await self.producer.send_all(DEADLETTER, [(key, value)])
