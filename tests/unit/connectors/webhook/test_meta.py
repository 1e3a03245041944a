"""The Meta webhook receiver: handshake, signatures, splitting deliveries, and never losing one."""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from connectors.webhook.meta import KafkaPublisher, create_app, signature_valid, split_delivery
from schemas import Platform, RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw

SECRET = "app-secret-123"
VERIFY = "verify-me"

DELIVERY = {
    "object": "page",
    "entry": [{
        "id": PAGE_ID, "time": 1763370001,
        "changes": [{"field": "feed", "value": {
            "from": {"id": "4242", "name": "Kari Nordmann"}, "post_id": f"{PAGE_ID}_9", "comment_id": "9_1",
            "parent_id": f"{PAGE_ID}_9", "message": "Når åpner biblioteket?", "created_time": 1763370000,
            "item": "comment", "verb": "add"}}],
        "messaging": [{"sender": {"id": "4242"}, "recipient": {"id": PAGE_ID}, "timestamp": 1763370000123,
                       "message": {"mid": "m_1", "text": "Hei"}}],
    }],
}


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[RawEvent]] = []
        self.fail = fail

    async def __call__(self, events: list[RawEvent]) -> None:
        if self.fail:
            raise ConnectionError("kafka down")
        self.batches.append(events)


async def client(recorder: Recorder) -> TestClient:
    test_client = TestClient(TestServer(create_app(SECRET, VERIFY, recorder)))
    await test_client.start_server()
    return test_client


@pytest.mark.asyncio
async def test_handshake_answers_the_challenge_only_with_the_right_token() -> None:
    c = await client(Recorder())
    try:
        ok = await c.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                   "hub.challenge": "1158201444"})
        assert ok.status == 200 and await ok.text() == "1158201444"
        wrong = await c.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                                      "hub.challenge": "1"})
        assert wrong.status == 403
    finally:
        await c.close()


@pytest.mark.asyncio
async def test_signed_delivery_is_split_and_published() -> None:
    recorder = Recorder()
    c = await client(recorder)
    body = json.dumps(DELIVERY).encode()
    try:
        response = await c.post("/webhooks/meta", data=body, headers={"X-Hub-Signature-256": sign(body),
                                                                      "Content-Type": "application/json"})
        assert response.status == 200
        metrics = await (await c.get("/metrics")).text()
    finally:
        await c.close()
    [events] = recorder.batches
    assert [(e.platform, e.account_id, e.resource, e.source) for e in events] == [
        (Platform.FACEBOOK, PAGE_ID, "webhook:feed", "webhook"),
        (Platform.FACEBOOK, PAGE_ID, "webhook:messages", "webhook"),
    ]
    assert 'innboks_webhook_requests_total{outcome="ok"} 1.0' in metrics


@pytest.mark.asyncio
@pytest.mark.parametrize("headers", [
    {},                                                        # missing
    {"X-Hub-Signature-256": "sha256=" + "0" * 64},             # wrong
    {"X-Hub-Signature-256": "sha1=abc"},                       # wrong scheme
])
async def test_bad_or_missing_signature_gets_401_and_nothing_is_produced(headers: dict) -> None:
    recorder = Recorder()
    c = await client(recorder)
    try:
        response = await c.post("/webhooks/meta", data=json.dumps(DELIVERY).encode(), headers=headers)
        assert response.status == 401
    finally:
        await c.close()
    assert recorder.batches == []


@pytest.mark.asyncio
async def test_signature_over_a_different_body_is_refused() -> None:
    recorder = Recorder()
    c = await client(recorder)
    body = json.dumps(DELIVERY).encode()
    try:
        response = await c.post("/webhooks/meta", data=body.replace(b"biblioteket", b"svommehallen"),
                                headers={"X-Hub-Signature-256": sign(body)})
        assert response.status == 401
    finally:
        await c.close()
    assert recorder.batches == []


@pytest.mark.asyncio
async def test_kafka_failure_answers_503_so_meta_delivers_again() -> None:
    c = await client(Recorder(fail=True))
    body = json.dumps(DELIVERY).encode()
    try:
        response = await c.post("/webhooks/meta", data=body, headers={"X-Hub-Signature-256": sign(body)})
        assert response.status == 503
    finally:
        await c.close()


@pytest.mark.asyncio
async def test_signed_body_that_is_not_json_is_a_400() -> None:
    c = await client(Recorder())
    try:
        response = await c.post("/webhooks/meta", data=b"not json", headers={"X-Hub-Signature-256": sign(b"not json")})
        assert response.status == 400
    finally:
        await c.close()


def test_signature_check_is_exact() -> None:
    body = b'{"a":1}'
    assert signature_valid(SECRET.encode(), body, sign(body))
    assert signature_valid(SECRET.encode(), body, sign(body).upper().replace("SHA256=", "sha256="))
    assert not signature_valid(SECRET.encode(), body, sign(body, "other"))
    assert not signature_valid(SECRET.encode(), body, None)


def test_split_handles_instagram_and_unknown_objects() -> None:
    instagram = {"object": "instagram", "entry": [{"id": "1784", "time": 1, "changes": [
        {"field": "comments", "value": {"id": "c1", "text": "Hei", "from": {"id": "9", "username": "kari"},
                                        "media": {"id": "m1"}}}]}]}
    [event] = split_delivery(instagram, datetime(2026, 11, 17, tzinfo=UTC))
    assert (event.platform, event.account_id, event.resource) == (Platform.INSTAGRAM, "1784", "webhook:comments")
    assert split_delivery({"object": "whatsapp_business_account", "entry": []}, event.fetched_at) == []
    assert split_delivery([1, 2], event.fetched_at) == []


class AsyncProducer:
    """Stands in for innboks.kafka.clients.AsyncProducer: records what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None]] = []

    async def send_all(self, topic: str, items: Any) -> None:
        self.sent.extend((topic, key) for key, _value in items)


@pytest.mark.asyncio
async def test_publisher_keys_like_the_polling_sink_and_maps_each_item_once(mapped: list[str],
                                                                             unmappable: RawEvent) -> None:
    publisher = KafkaPublisher("unused:9092")
    publisher.producer = AsyncProducer()
    events = [facebook_comment_raw("c1", "Hei", mapped=False), unmappable]
    await publisher(events)
    assert mapped == ["c1", "c9"]
    assert publisher.producer.sent == [("innboks.raw", f"facebook:{PAGE_ID}:c1".encode()),
                                       ("innboks.raw", f"facebook:{PAGE_ID}:comment".encode())]


class Letters:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def __call__(self, key: bytes | None, value: bytes) -> None:
        self.sent.append(json.loads(value))


async def hardened_client(recorder: Recorder, letters: Letters) -> TestClient:
    test_client = TestClient(TestServer(create_app(SECRET, VERIFY, recorder, publish_dead_letter=letters)))
    await test_client.start_server()
    return test_client


@pytest.mark.asyncio
async def test_a_signed_body_that_is_not_json_is_kept_as_a_dead_letter() -> None:
    recorder, letters = Recorder(), Letters()
    c = await hardened_client(recorder, letters)
    deep = b"[" * 5000 + b"]" * 5000
    try:
        for body in (b"not json", deep, b"\xff\xfe\x00"):
            response = await c.post("/webhooks/meta", data=body, headers={"X-Hub-Signature-256": sign(body)})
            assert response.status == 200
    finally:
        await c.close()
    assert recorder.batches == []
    assert [(d["stage"], d["reason_code"], d["payload_size"]) for d in letters.sent] == [
        ("webhook", "invalid_json", 8), ("webhook", "invalid_json", 10_000), ("webhook", "invalid_json", 3)]


@pytest.mark.asyncio
async def test_malformed_parts_are_dead_lettered_and_the_good_parts_published() -> None:
    recorder, letters = Recorder(), Letters()
    c = await hardened_client(recorder, letters)
    delivery = json.loads(json.dumps(DELIVERY))
    delivery["entry"][0]["changes"].append({"field": "feed", "value": "not an object"})
    delivery["entry"].append({"time": 1})  # no id
    body = json.dumps(delivery).encode()
    try:
        response = await c.post("/webhooks/meta", data=body, headers={"X-Hub-Signature-256": sign(body)})
        assert response.status == 200
    finally:
        await c.close()
    assert len(recorder.batches[0]) == 2
    [letter] = letters.sent
    assert letter["reason_code"] == "malformed_delivery"
    assert "entry[0].changes[1]" in letter["reason"] and "entry[1] has no id" in letter["reason"]
    assert "Kari" not in letter["reason"]


@pytest.mark.asyncio
async def test_sha1_only_oversized_and_slow_bodies_are_refused(monkeypatch) -> None:
    import asyncio

    from connectors.webhook import meta

    recorder, letters = Recorder(), Letters()
    c = await hardened_client(recorder, letters)
    body = json.dumps(DELIVERY).encode()
    sha1 = "sha1=" + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()
    try:
        assert (await c.post("/webhooks/meta", data=body, headers={"X-Hub-Signature": sha1})).status == 401
        huge = b"x" * (meta.MAX_BODY + 1)
        assert (await c.post("/webhooks/meta", data=huge, headers={"X-Hub-Signature-256": sign(huge)})).status == 413
        monkeypatch.setattr(meta, "BODY_SECONDS", 0.3)

        async def trickle():
            yield body[:10]
            await asyncio.sleep(1.0)
            yield body[10:]

        slow = await c.post("/webhooks/meta", data=trickle(), headers={"X-Hub-Signature-256": sign(body)})
        assert slow.status == 408
    finally:
        await c.close()
    assert recorder.batches == [] and letters.sent == []


@pytest.mark.asyncio
async def test_a_flood_of_valid_deliveries_is_answered_without_loss() -> None:
    import asyncio

    recorder, letters = Recorder(), Letters()
    c = await hardened_client(recorder, letters)
    bodies = []
    for n in range(300):
        delivery = json.loads(json.dumps(DELIVERY))
        delivery["entry"][0]["changes"][0]["value"]["comment_id"] = f"9_{n}"
        bodies.append(json.dumps(delivery).encode())
    try:
        answers = await asyncio.gather(*[c.post("/webhooks/meta", data=b, headers={"X-Hub-Signature-256": sign(b)})
                                         for b in bodies])
        assert [a.status for a in answers] == [200] * 300
    finally:
        await c.close()
    comments = {e.payload["comment_id"] for batch in recorder.batches for e in batch if e.resource == "webhook:feed"}
    assert comments == {f"9_{n}" for n in range(300)}


@pytest.mark.asyncio
async def test_every_answer_says_nosniff_and_allows_nothing() -> None:
    """Issue #24, 7: the answers (the handshake echoes hub.challenge) lacked X-Content-Type-Options."""
    c = await client(Recorder())
    try:
        answers = [await c.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                         "hub.challenge": "<script>alert(1)</script>"}),
                   await c.get("/webhooks/meta"), await c.post("/webhooks/meta", data=b"{}"),
                   await c.get("/healthz"), await c.get("/metrics"), await c.get("/nothing-here")]
        for answer in answers:
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert answer.headers["Cache-Control"] == "no-store"
        assert answers[0].content_type == "text/plain"
    finally:
        await c.close()


def test_the_receiver_closes_connections_that_trickle_headers(monkeypatch) -> None:
    """Issue #24, 7: connections that sent their headers a byte at a time were never timed out."""
    import asyncio
    import time

    from aiohttp import web

    from connectors.webhook import meta
    from innboks.cli import webhook as command
    from innboks.config.settings import get_settings

    served: dict[str, Any] = {}
    monkeypatch.setattr(web, "run_app", lambda app, **options: served.update(options))
    for name, value in {"INNBOKS_META_APP_SECRET": SECRET, "INNBOKS_META_VERIFY_TOKEN": VERIFY,
                        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        assert command.run_webhook("127.0.0.1", 0) == 0
    finally:
        get_settings.cache_clear()
    assert served["keepalive_timeout"] == meta.HEADER_SECONDS <= 15

    async def trickle() -> tuple[float, bool]:
        runner = web.AppRunner(create_app(SECRET, VERIFY, Recorder()), keepalive_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /webhooks/meta HTTP/1.1\r\nHost: localhost\r\n")
            started, closed = time.monotonic(), False
            for _ in range(40):  # a header line every 0.1 s, never the blank line that ends them
                writer.write(b"X-Slow: 1\r\n")
                try:
                    await writer.drain()
                    closed = await asyncio.wait_for(reader.read(1), 0.1) == b""
                except TimeoutError:
                    continue
                except ConnectionError:
                    closed = True
                if closed:
                    break
            writer.close()
            ok_reader, ok_writer = await asyncio.open_connection("127.0.0.1", port)
            ok_writer.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            answered = (await ok_reader.read()).startswith(b"HTTP/1.1 200")
            ok_writer.close()
            return (time.monotonic() - started if closed else float("inf")), answered
        finally:
            await runner.cleanup()

    elapsed, answered = asyncio.run(trickle())
    assert elapsed < 2.0 and answered
