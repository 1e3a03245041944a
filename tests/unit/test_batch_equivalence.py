"""Batching changes no output: the conversation step gives the same records, per topic and key and in
the same order, whether its input comes one record per batch or in batches of any size (issue 30).

A mixed scenario (questions of every kind, follow-ups, our replies, edits, hidings, deletions,
redeliveries, a post and comments on it, timer ticks, the crisis switch flipping between records)
runs through the real steps and the real batch, with the tables and the producer replaced by
dictionaries; time fields the steps stamp with the wall clock are left out of the comparison.
(Before this change the same comparison was made against the per-record agents of the previous
version, on four such scenarios: identical; docs/performance.md.)
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest

from schemas import Event, InboxMessage, Kind, Platform, SlaTick
from tests.helpers import PAGE_ID

VOLATILE = {"triaged_at", "forwarded_at", "emitted_at", "sent_at", "observed_at", "at"}
TEXTS = ["Hei! Når får jeg svar på byggesøknaden min, saksnr 24/1234?", "Når åpner biblioteket?",
         "Takk for god hjelp i dag!", "Jeg skal brenne ned rådhuset", "Mitt fødselsnummer er 01010112345, hjelp",
         "Skandale!", "Kan dere sende meg skjemaet for startlån?", "Du er en idiot", "Bra!",
         "Korleis søkjer eg om barnehageplass?"]


def _message(rng: random.Random, conversation: str, native: str, created: datetime, **fields: Any) -> InboxMessage:
    own = fields.pop("from_account", False)
    return InboxMessage(
        id=f"facebook:{native}", platform=Platform.FACEBOOK, account_id=PAGE_ID, conversation_id=conversation,
        author_id=PAGE_ID if own else "4242", author_name="Alta kommune" if own else "Kari Nordmann",
        from_account=own, created_at=created, fetched_at=datetime(2026, 11, 16, 12, tzinfo=UTC),
        **{"kind": Kind.COMMENT, "event": Event.CREATED, "text": rng.choice(TEXTS), **fields})


def scenario(seed: int) -> list[tuple[str, Any]]:
    rng = random.Random(seed)
    base = datetime(2026, 11, 16, 8, tzinfo=UTC)
    threads = [[("message", _message(rng, "post1", f"{PAGE_ID}_1", base, from_account=True, kind=Kind.POST,
                                     text="Vi informerer om vegarbeid"))]]
    for c in range(30):
        at = base + timedelta(minutes=rng.randrange(0, 600))
        kind = Kind.DIRECT_MESSAGE if c % 5 == 0 else Kind.COMMENT
        first = _message(rng, f"c{c}", f"c{c}_0", at, kind=kind, parent_id=f"{PAGE_ID}_1" if c % 3 == 0 else None)
        thread: list[tuple[str, Any]] = [("message", first)]
        for n in range(1, rng.randrange(1, 8)):
            at += timedelta(minutes=rng.randrange(1, 300))
            draw = rng.random()
            if draw < 0.25:
                thread.append(("message", _message(rng, f"c{c}", f"c{c}_{n}", at, kind=kind)))
            elif draw < 0.45:
                thread.append(("message", _message(rng, f"c{c}", f"c{c}_{n}", at, kind=kind, from_account=True,
                                                   text="Takk for meldingen, vi svarer snart.")))
            elif draw < 0.55:
                thread.append(("message", first.model_copy(update={"event": Event.EDITED, "text": rng.choice(TEXTS)})))
            elif draw < 0.65:
                thread.append(("message", first.model_copy(update={"event": Event.HIDDEN})))
            elif draw < 0.72:
                thread.append(("message", first.model_copy(update={"event": Event.DELETED, "text": None})))
            elif draw < 0.82:
                thread.append(("message", first))  # delivered again
            elif draw < 0.9:
                thread.append(("crisis", rng.random() < 0.5))
            else:
                thread.append(("tick", f"c{c}"))
        thread.append(("tick", f"c{c}"))
        threads.append(thread)
    items: list[tuple[str, Any]] = []
    while any(threads):  # the conversations interleaved, each in its own order
        items.append(rng.choice([t for t in threads if t]).pop(0))
    return items


@dataclass
class _Message:
    topic: str
    partition: int
    offset: int
    timestamp: float


@dataclass(eq=False)
class _Event:
    key: bytes
    value: bytes
    message: _Message


class _Store(dict[bytes, bytes]):
    def apply_changelog_batch(self, events: Any, to_key: Any, to_value: Any) -> None:
        for event in events:
            self[event.key] = event.value


@dataclass
class _Table:
    name: str
    data: _Store = field(default_factory=_Store)

    @property
    def changelog_topic(self) -> Any:
        name = f"innboks-{self.name}-changelog"
        return type("Topic", (), {"get_topic_name": staticmethod(lambda: name)})()

    def __setitem__(self, key: bytes, value: bytes) -> None:  # the posts table, written by Faust itself
        self.data[key] = value


def _event(kind: str, item: Any, offset: int) -> _Event:
    if kind == "message":
        return _Event(item.key.encode(), item.model_dump_json().encode(),
                      _Message("innboks.messages", 0, offset, time.time()))
    key = f"facebook:{PAGE_ID}:{item}"
    tick = SlaTick(conversation_key=key, sent_at=datetime.now(UTC)).model_dump_json().encode()
    return _Event(key.encode(), tick, _Message("innboks.sla-ticks", 0, offset, time.time()))


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def run(items: list[tuple[str, Any]], sizes: random.Random | None) -> dict[str, dict[bytes, list[Any]]]:
    """The outputs per topic and key; ``sizes`` draws batch sizes (None: one record per batch)."""
    from faust.streams import _current_event

    from streams import conversation, guard, state
    from streams import topics as faust_topics
    from streams.control import CRISIS
    from streams.routing import agents as routing

    outputs: dict[str, dict[bytes, list[Any]]] = {}

    def record(topic: str, key: bytes | None, value: bytes) -> None:
        outputs.setdefault(topic, {}).setdefault(key or b"", []).append(_strip(json.loads(value)))

    async def publish(records: Any) -> dict[tuple[str, int], list[int]]:
        offsets: dict[tuple[str, int], list[int]] = {}
        for r in records:
            if not r.topic.endswith("-changelog"):
                record(r.topic, r.key, r.value)
            tp = (r.topic, r.partition or 0)
            offsets.setdefault(tp, []).append(len(offsets.get(tp, [])))
        return offsets

    async def dead_letter(key: bytes | None = None, value: bytes = b"", **_: Any) -> None:
        record("innboks.deadletter", key, value)

    async def main() -> None:
        offset, items_left = 0, list(items)
        while items_left:
            size = sizes.randrange(1, 60) if sizes else 1
            chunk, items_left = items_left[:size], items_left[size:]
            batch = conversation.new_batch()
            for kind, item in chunk:
                if kind == "crisis":  # flips between two records, as the control follower may
                    CRISIS.active = item
                    continue
                offset += 1
                event = _event(kind, item, offset)
                token = _current_event.set(weakref.ref(event))
                try:
                    await guard.one_record("conversation", event, lambda e: conversation.on_record(e, batch))  # type: ignore[arg-type]  # noqa: B023
                finally:
                    _current_event.reset(token)
            await batch.finish()

    saved = (state.CONVERSATIONS.table, state.FORWARDED.table, routing.posts)
    state.CONVERSATIONS.table, state.FORWARDED.table = _Table("conversations"), _Table("forwarded-cases")
    routing.posts = _Table("posts")  # type: ignore[assignment]
    CRISIS.loaded.set()
    try:
        with patch("streams.batch.publish", publish), patch.object(faust_topics.deadletter, "send", dead_letter):
            asyncio.run(main())
    finally:
        state.CONVERSATIONS.table, state.FORWARDED.table, routing.posts = saved  # type: ignore[assignment]
        CRISIS.active = False
    return outputs


@pytest.mark.parametrize("seed", [30, 31])
def test_batches_of_any_size_give_the_outputs_of_one_record_at_a_time(seed: int) -> None:
    items = scenario(seed)
    one_by_one = run(items, None)
    batched = run(items, random.Random(seed))
    assert set(one_by_one) >= {"innboks.triaged", "innboks.sla", "innboks.cases", "innboks.escalations"}
    assert "innboks.deadletter" not in one_by_one
    assert batched == one_by_one
