"""Shared test helpers: building messages, a sink that keeps what a connector sends, a stand-in for
Graph API comments, and reading topics of a live broker."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors import mapping
from innboks.kafka.clients import Producer, read_to_end
from schemas import Event, InboxMessage, Kind, Platform, RawEvent
from tests.fakeapi import FakeApi, Request

PAGE_ID = "104857362918274"


def message(
    native_id: str,
    *,
    conversation: str = "c1",
    from_account: bool = False,
    created: str = "2026-11-16T09:00:00+00:00",
    text: str | None = "Hei",
    kind: Kind = Kind.COMMENT,
    event: Event = Event.CREATED,
) -> InboxMessage:
    return InboxMessage(
        id=f"facebook:{native_id}",
        platform=Platform.FACEBOOK,
        account_id=PAGE_ID,
        kind=kind,
        event=event,
        conversation_id=conversation,
        author_id=PAGE_ID if from_account else "4242",
        author_name="Alta kommune" if from_account else "Kari Nordmann",
        from_account=from_account,
        text=text,
        created_at=datetime.fromisoformat(created),
        fetched_at=datetime(2026, 11, 16, 12, tzinfo=UTC),
    )


def facebook_comment_raw(
    comment_id: str, text: str, *, author: str = "4242", parent: str | None = None,
    created: str = "2026-11-16T09:00:00+0000", post_id: str = f"{PAGE_ID}_1", mapped: bool = True,
    account: str = PAGE_ID,
) -> RawEvent:
    """A Facebook comment as the connector side produces it to ``innboks.raw`` (with its mapping), or,
    with ``mapped=False``, as the connector fetched it (before its sink maps it)."""
    payload: dict[str, Any] = {
        "id": comment_id, "message": text, "created_time": created,
        "from": {"id": author, "name": "Alta kommune" if author == PAGE_ID else "Kari Nordmann"},
    }
    if parent:
        payload["parent"] = {"id": parent}
    raw = RawEvent(
        platform=Platform.FACEBOOK, account_id=account, resource="comment", payload=payload,
        context={"post_id": post_id}, fetched_at=datetime.now(UTC),
    )
    return mapping.mapped(raw) if mapped else raw


class TopicReader:
    """Reads whole topics from the beginning to their current end (no consumer group)."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap

    def read(self, topic: str) -> list[tuple[bytes | None, bytes | None]]:
        records = read_to_end(self.bootstrap, [topic], client_id="innboks-tests", poll_timeout=0.3)
        return [(record.key, record.value) for record in records]

    def json_values(self, topic: str) -> list[dict[str, Any]]:
        return [json.loads(value) for _key, value in self.read(topic) if value]

    def wait_for(
        self, topic: str, predicate: Callable[[dict[str, Any]], bool], *, count: int = 1, timeout: float = 60.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        found: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            found = [v for v in self.json_values(topic) if predicate(v)]
            if len(found) >= count:
                return found
            time.sleep(0.3)
        raise AssertionError(f"expected {count} matching event(s) on {topic} within {timeout} s, got {len(found)}")


#: The client libraries' default request limit, above Innboks' own (INNBOKS_MAX_MESSAGE_BYTES): tests
#: play other producers too, such as one that sends a raw record too large to dead-letter whole.
FOREIGN_MAX_REQUEST_BYTES = 1_048_576


def produce(bootstrap: str, topic: str, items: list[tuple[bytes | None, bytes]]) -> None:
    with Producer(bootstrap, client_id="innboks-tests", max_request_bytes=FOREIGN_MAX_REQUEST_BYTES) as producer:
        pending = [producer.send(topic, value, key=key) for key, value in items]
        producer.flush(10)
    assert all(p.is_done and not p.failed() for p in pending), f"not every record reached {topic}"


def hostile_records(rng: random.Random, count: int) -> list[tuple[bytes, bytes | None, str]]:
    """(key, value, the reason code it must get) for every kind of broken input a broken upstream sends."""
    good = json.loads(facebook_comment_raw("1_0", "Hei").to_json_bytes())
    kinds = [
        (b"{not json at all", "invalid_json"),
        (b"\xff\xfe\xfd invalid utf-8", "invalid_json"),
        (b"", "empty_payload"),
        (None, "empty_payload"),
        (b"null", "schema_violation"),
        (b"[1, 2, 3]", "schema_violation"),
        (json.dumps({**good, "platform": "myspace"}).encode(), "schema_violation"),
        (json.dumps({**good, "payload": "a string"}).encode(), "schema_violation"),
        (json.dumps({**good, "fetched_at": "yesterday"}).encode(), "schema_violation"),
        (b"[" * 5000 + b"]" * 5000, "too_deep"),
        (json.dumps({**good, "payload": {**good["payload"], "message": "x" * 700_000}}).encode(), "too_large"),
        (facebook_comment_raw("1_0", "x" * 70_000).to_json_bytes(), "text_too_long"),
        (facebook_comment_raw("1_0", "", mapped=False).to_json_bytes(), "unmapped"),
        (mapping.mapped(facebook_comment_raw("1_0", "", mapped=False).model_copy(update={"payload": {"id": "1_0"}}))
         .to_json_bytes(), "schema_violation"),
    ]
    records = []
    for n in range(count):
        value, code = kinds[n % len(kinds)] if n < len(kinds) * 3 else rng.choice(kinds[:9] + kinds[11:])
        records.append((f"bad-{n}".encode(), value, code))
    return records


def facebook_registry(path: Path, base_url: str, token_env: str, page_id: str = PAGE_ID, extra: str = "") -> Path:
    """An account registry at ``path``: one Facebook page whose Graph API is ``base_url`` and whose token
    is in the environment variable ``token_env``; ``extra`` adds lines to the account (YAML, 4 spaces)."""
    path.write_text(f"""
accounts:
  - platform: facebook
    account_id: "{page_id}"
    name: Alta kommune
    owning_unit: Kommunikasjon
{extra}    credentials: {{type: bearer, token: "env:{token_env}"}}
    options: {{base_url: "{base_url}"}}
""", encoding="utf-8")
    return path


class RecordingPublisher:
    """The inbox's publisher that keeps what it is asked to send: ``(topic, key, value)`` in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []

    def send(self, topic: str, value: bytes, *, key: bytes | None) -> None:
        self.sent.append((topic, key, value))


class ListSink:
    """A connector's sink that keeps every raw event it is sent, in order."""

    def __init__(self) -> None:
        self.events: list[RawEvent] = []

    def send(self, event: RawEvent) -> None:
        self.events.append(event)

    def flush(self, timeout: float) -> None:
        pass

    def close(self) -> None:
        pass

    def messages(self) -> list[InboxMessage]:
        """The events mapped to messages (items that are not messages left out)."""
        return [event.message for event in map(mapping.mapped, self.events) if event.message is not None]


class GraphComments(FakeApi):
    """A Graph API stand-in for our replies to comments: ``POST /vX/{node}/comments`` stores the reply
    and answers its id; ``GET /vX/{node}/comments`` lists the node's replies, newest first.

    ``answering(reply)`` runs after a reply is stored and before the answer goes back: a subclass
    delays it (or never answers) to place a kill between the platform's work and its answer."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.route("POST", r"/v[\d.]+/(?P<node>[^/]+)/comments", self._post)
        self.route("GET", r"/v[\d.]+/(?P<node>[^/]+)/comments", self._list)

    def answering(self, reply: dict[str, Any]) -> None:
        """Called before the answer to a stored reply is sent."""

    def _post(self, request: Request) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            reply = {"id": f"{request.groups['node']}_r{len(self.posted) + 1}",
                     "message": json.loads(request.body)["message"], "node": request.groups["node"],
                     "from": {"id": PAGE_ID, "name": "Alta kommune"},
                     "created_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")}
            self.posted.append(reply)
        self.answering(reply)
        return 200, {}, {"id": reply["id"]}

    def _list(self, request: Request) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            mine = [r for r in self.posted if r["node"] == request.groups["node"]]
        return 200, {}, {"data": list(reversed(mine)), "paging": {}}
