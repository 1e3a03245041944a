"""A batch of the conversation agent: one state value per conversation, outputs acknowledged before the
state is sent, each key written once with the offset its changelog record got."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch

from innboks.domain.codec import encode
from innboks.domain.policies import DEFAULT_POLICIES
from streams.batch import Batch
from streams.routing.process import ConversationHistory
from streams.sla.process import ConversationClock, apply_message
from streams.state import ConversationState, clock_part
from streams.tables import BatchedTable
from streams.triage.context import ActivityWindow
from tests.helpers import message

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)


def opened_clock(native_id: str = "a") -> ConversationClock:
    clock, _ = apply_message(ConversationClock(), message(native_id, conversation=native_id,
                                                          created="2026-11-16T09:00:00+00:00"),
                             "standard", DEFAULT_POLICIES, NOW)
    return clock


class _Store:
    def __init__(self) -> None:
        self.values: dict[bytes, bytes] = {}
        self.applied: list[tuple[bytes, int, int]] = []

    def get(self, key: bytes) -> bytes | None:
        return self.values.get(key)

    def apply_changelog_batch(self, events: Any, to_key: Any, to_value: Any) -> None:
        for event in events:
            self.values[event.key] = event.value
            self.applied.append((event.key, event.message.partition, event.message.offset))


class _Topic:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_topic_name(self) -> str:
        return self.name


class _Table:
    def __init__(self, name: str) -> None:
        self.changelog_topic = _Topic(f"innboks-{name}-changelog")
        self.data = _Store()


def test_a_state_is_its_parts_clock_first_and_untouched_parts_stay_as_stored() -> None:
    state = ConversationState()
    assert state.clock == ConversationClock() and not state.changed
    state.clock = opened_clock()
    state.history = state.history.with_message(message("a", conversation="a"))
    stored = state.encode(10**6)
    assert clock_part(stored) == encode(state.clock)  # what the SLA timer's index reads
    assert ConversationState(stored).models() == state.models()
    again = ConversationState(stored)
    again.activity = ActivityWindow(recent=((1.0, "facebook:x"),))
    assert again.changed
    rewritten = again.encode(10**6)
    assert rewritten.split(b"\n")[2] == stored.split(b"\n")[2]
    assert again._models[2] is None  # the history was neither parsed nor encoded again


def test_a_part_added_later_reads_as_empty_from_an_older_value() -> None:
    older = encode(opened_clock())  # a value with the clock only
    state = ConversationState(older)
    assert state.clock == opened_clock() and state.history == ConversationHistory()


def test_a_state_too_large_for_a_record_drops_its_oldest_history() -> None:
    state = ConversationState()
    history = ConversationHistory()
    for i in range(20):
        history = history.with_message(message(f"m{i}", conversation="c", text="x" * 1000,
                                               created=f"2026-11-16T09:{i:02d}:00+00:00"))
    state.history = history
    value = state.encode(8_000)
    assert len(value) <= 8_000
    kept = ConversationState(value).history.messages
    assert 0 < len(kept) < 20 and kept[-1].id == history.messages[-1].id  # the newest stay


def test_outputs_are_acknowledged_before_the_state_and_each_key_is_written_once() -> None:
    conversations, cases = BatchedTable(_Table("conversations")), BatchedTable(_Table("forwarded-cases"))
    published: list[list[tuple[str, int | None, bytes | None]]] = []

    async def publish(records: Any) -> dict[tuple[str, int], list[int]]:
        published.append([(r.topic, r.partition, r.key) for r in records])
        offsets: dict[tuple[str, int], list[int]] = {}
        for r in records:
            tp = (r.topic, r.partition if r.partition is not None else 0)
            offsets.setdefault(tp, []).append(100 + len(offsets.get(tp, [])))
        return offsets

    written: list[bytes] = []
    batch = Batch(tables=[cases], conversations=conversations)
    batch.on_written.append(lambda key, state: written.append(key))
    for i in range(3):  # three messages of one conversation, one of another
        state = batch.conversation(b"c1", 2)
        state.history = state.history.with_message(message(f"m{i}", conversation="c1"))
        batch.send("innboks.triaged", b"c1", b"{}")
    batch.conversation(b"c2", 4).clock = opened_clock("c2")
    batch.watch(b"c2")
    cases.set(b"case-1", b'{"case":{}}', 2)
    with patch("streams.batch.publish", publish):
        asyncio.run(batch.finish())
    assert published[0] == [("innboks.triaged", None, b"c1")] * 3  # the outputs first, on their own
    assert sorted(published[1]) == [("innboks-conversations-changelog", 2, b"c1"),
                                    ("innboks-conversations-changelog", 4, b"c2"),
                                    ("innboks-forwarded-cases-changelog", 2, b"case-1")]
    store = conversations.table.data
    assert sorted(store.applied) == [(b"c1", 2, 100), (b"c2", 4, 100)]
    assert len(ConversationState(store.values[b"c1"]).history.messages) == 3
    assert written == [b"c2"]  # the conversations a step asked the SLA index to follow
    assert conversations.get(b"c1") == store.values[b"c1"]  # read back from the store after the batch
