"""The state of one conversation, one value in one table (issue 30).

``conversations`` is keyed by conversation key (co-partitioned with ``innboks.messages`` and
``innboks.sla-ticks``). Its value holds what the steps of the conversation agent keep:

- ``clock``: the SLA clock (``ConversationClock``: the open inquiry, the last answer, recent ids);
- ``activity``: recent citizen messages, for spike detection (``ActivityWindow``);
- ``history``: the last 50 messages, context for a forwarded case (``ConversationHistory``).

It used to be three tables (``sla-clocks``, ``conversation-activity``, ``conversation-history``), so a
message cost three table writes, three changelog records and six RocksDB puts. Now the parts are one
value, written once per conversation per batch.

The value is the parts' JSON documents joined by newlines (which JSON never contains outside its
strings), clock first, so the SLA timer's index reads a clock without the rest, and each part is
parsed only when a step first reads it and encoded again only when a step has replaced it. A part
added later (snoozing, closing without an answer) goes at the end; a missing part reads as empty.
The forwarded cases stay a table of their own (``forwarded-cases``, keyed by case id): a case carries
up to 50 messages of context, is written only when forwarded or revised, and inside this value would
be rewritten with every later message of its conversation.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from pydantic import BaseModel

from innboks.config.settings import get_settings
from streams.app import app, table_options
from streams.routing.process import ConversationHistory
from streams.sla.process import ConversationClock
from streams.tables import BatchedTable
from streams.triage.context import ActivityWindow

log = logging.getLogger(__name__)

_settings = get_settings()

conversations = app.Table(
    "conversations", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions, options=table_options(),
)
forwarded = app.Table(
    "forwarded-cases", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions, options=table_options(),
)

M = TypeVar("M", bound=BaseModel)

SEPARATOR = b"\n"
#: The parts in the order they are stored.
PARTS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("clock", ConversationClock), ("activity", ActivityWindow), ("history", ConversationHistory),
)
_INDEX = {name: i for i, (name, _) in enumerate(PARTS)}
#: Each part's empty value (the models are frozen, so one instance serves every new conversation).
_EMPTY: tuple[BaseModel, ...] = tuple(model() for _, model in PARTS)


def clock_part(value: bytes) -> bytes:
    """The stored clock of a ``conversations`` value (what the SLA timer's index reads)."""
    end = value.find(SEPARATOR)
    return value if end < 0 else value[:end]


class ConversationState:
    """One conversation's parts: parsed on first read, encoded again only when replaced."""

    __slots__ = ("_raw", "_models", "changed")

    def __init__(self, stored: bytes | None = None) -> None:
        raw = stored.split(SEPARATOR) if stored else []
        self._raw: list[bytes | None] = [raw[i] if i < len(raw) and raw[i] else None for i in range(len(PARTS))]
        self._models: list[BaseModel | None] = [None] * len(PARTS)
        #: True once a part has been replaced (the state is then written at the end of the batch).
        self.changed = False

    def _get(self, name: str, model: type[M]) -> M:
        i = _INDEX[name]
        found = self._models[i]
        if found is None:
            raw = self._raw[i]
            found = self._models[i] = model.model_validate_json(raw) if raw else _EMPTY[i]
        return found  # type: ignore[return-value]

    def _set(self, name: str, value: BaseModel) -> None:
        i = _INDEX[name]
        if self._models[i] is value:
            return
        self._models[i], self._raw[i] = value, None
        self.changed = True

    @property
    def clock(self) -> ConversationClock:
        return self._get("clock", ConversationClock)

    @clock.setter
    def clock(self, value: ConversationClock) -> None:
        self._set("clock", value)

    @property
    def activity(self) -> ActivityWindow:
        return self._get("activity", ActivityWindow)

    @activity.setter
    def activity(self, value: ActivityWindow) -> None:
        self._set("activity", value)

    @property
    def history(self) -> ConversationHistory:
        return self._get("history", ConversationHistory)

    @history.setter
    def history(self, value: ConversationHistory) -> None:
        self._set("history", value)

    def part(self, name: str) -> bytes:
        """A part as stored (encoded now if a step replaced it)."""
        i = _INDEX[name]
        raw = self._raw[i]
        if raw is None:
            model = self._models[i]
            raw = self._raw[i] = (model if model is not None else _EMPTY[i]).model_dump_json().encode()
        return raw

    def encode(self, limit: int) -> bytes:
        """The stored value, at most ``limit`` bytes: past it the oldest history messages are left out
        (50 long messages can exceed a record; what a case needs is the newest context)."""
        value = SEPARATOR.join(self.part(name) for name, _ in PARTS)
        if len(value) <= limit:
            return value
        history = self.history
        while len(value) > limit and history.messages:
            history = history.model_copy(update={"messages": history.messages[1:]})
            self._set("history", history)
            value = SEPARATOR.join(self.part(name) for name, _ in PARTS)
        log.warning("a conversation's history was cut to %d messages to fit a record", len(history.messages))
        return value

    def models(self) -> dict[str, Any]:
        """Every part as its model (for tests and tools)."""
        return {name: self._get(name, model) for name, model in PARTS}


#: The conversation agent's writers of the two tables (one batch at a time: the agent runs one actor).
CONVERSATIONS = BatchedTable(conversations)
FORWARDED = BatchedTable(forwarded)
