"""One batch of an agent's input: what its records produce, sent and written together (issue 30).

The agents read their input with Faust's ``stream.take_events``: up to ``RECORDS`` records, or what
came within ``WAIT`` seconds. Each record runs through the steps in order, as before (its own guard
and in-flight marker, ``streams.guard``), but what the steps produce is collected here instead of
sent record by record:

1. the output records, in the order the steps produced them (per key, the input's order);
2. the table writes, each key's last value (``streams.tables``), and the conversation states (one
   value per conversation, ``streams.state``).

``finish`` then sends the outputs and waits until the broker has acknowledged them, and only then
sends the table writes' changelog records and, once those are acknowledged, writes the tables' local
stores. A state is therefore never ahead of the outputs that go with it: after a crash at any point the
input is read again (its offset is committed only after the batch, and after Faust has flushed its
producer) and what was already sent is sent again, which the consumers' dedupe ids absorb
(docs/guarantees.md). Faust acknowledges the batch's records when ``finish`` has returned.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import faust
from faust.streams import _current_event

from streams.producer import MAX_RECORD_BYTES, OutRecord, check_size, publish
from streams.state import ConversationState
from streams.tables import BatchedTable

#: At most this many input records per batch.
RECORDS = 500
#: Seconds a batch waits for more records (also the most a lone record waits in steady use).
WAIT = 0.01


@contextmanager
def processing(event: faust.EventT) -> Iterator[None]:
    """Make ``event`` Faust's current event, as Faust's own stream iteration does for each event: a
    table reads and writes the partition of the event being processed."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


class Batch:
    """What one batch of input records produces."""

    def __init__(self, tables: Sequence[BatchedTable] = (), conversations: BatchedTable | None = None) -> None:
        self.records: list[OutRecord] = []
        self.tables = list(tables)
        self._conversations = conversations
        for table in self._all_tables():
            table.discard()  # what a batch that crashed had collected
        self._states: dict[bytes, tuple[int, ConversationState]] = {}
        #: Called once the batch is written, with each conversation state a step asked for
        #: (``watch``), changed or not: the SLA timer's index follows every clock a record touched.
        self.on_written: list[Callable[[bytes, ConversationState], None]] = []
        self._watched: set[bytes] = set()

    def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        """An output record (size-checked now, so that a step's failure is its input record's)."""
        check_size(topic, key, value)
        self.records.append(OutRecord(topic, key, value))

    def conversation(self, key: bytes, partition: int) -> ConversationState:
        """The conversation's state, read once per batch (on ``partition``, the input record's)."""
        found = self._states.get(key)
        if found is None:
            assert self._conversations is not None, "this batch keeps no conversation states"
            found = self._states[key] = (partition, ConversationState(self._conversations.get(key)))
        return found[1]

    def watch(self, key: bytes) -> None:
        """Report this conversation's state to ``on_written`` once the batch is written."""
        self._watched.add(key)

    async def finish(self) -> None:
        """Send the outputs, then the state (see the module's docstring)."""
        self._write_states()
        await publish(self.records)
        tables = self._all_tables()
        offsets = await publish([record for table in tables for record in table.changelog()])
        for table in tables:
            table.apply(offsets)
        for key in self._watched:
            state = self._states[key][1]
            for callback in self.on_written:
                callback(key, state)

    def _all_tables(self) -> list[BatchedTable]:
        return self.tables + ([self._conversations] if self._conversations is not None else [])

    def _write_states(self) -> None:
        if self._conversations is None:
            return
        limit = MAX_RECORD_BYTES - 1024
        for key, (partition, state) in self._states.items():
            if state.changed:
                self._conversations.set(key, state.encode(limit), partition)
