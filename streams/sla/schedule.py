"""The SLA timer's view of the open inquiries on this worker: alarms and per-account summaries.

The clock table is the truth; this index is a compact copy of what the timer and the metrics need
(a few numbers per open inquiry, a heap of alarm times), so neither has to read and parse the
table every fraction of a second. The agent updates it on every write; it is rebuilt from the
table after each recovery (partitions moved) and periodically as a safety net.

An alarm that fires is re-armed a few seconds later until the agent reports the inquiry's new
state, so a tick lost in a rebalance is sent again. Extra ticks are harmless: ``tick`` is
idempotent and the agent that owns the partition decides.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from streams.sla.process import ConversationClock, OpenInquiry

#: Seconds after a fired alarm before it fires again if the agent has not answered. Only a safety
#: net (a recovery rebuilds the index anyway), so long enough that a busy agent working through a
#: backlog of ticks is not sent the same ticks again.
RETRY_SECONDS = 30.0
#: How every stored clock without an open inquiry starts (``encode`` writes fields in order).
_IDLE_PREFIX = b'{"open":null'


@dataclass(slots=True)
class Tracked:
    platform: str
    account: str
    policy: str
    received: float
    due: float
    #: When to send the next tick (Unix time); None once breached.
    alarm: float | None
    digest: int


class AccountSummary(NamedTuple):
    open: int
    oldest_received: float
    overdue: int


class InquiryIndex:
    def __init__(self) -> None:
        self._entries: dict[bytes, Tracked] = {}
        self._heap: list[tuple[float, bytes]] = []
        self._switch_requested: set[bytes] = set()

    def __len__(self) -> int:
        return len(self._entries)

    def track(self, key: bytes, clock: ConversationClock, digest: int = 0) -> None:
        """Record a conversation's current clock (after the agent wrote it)."""
        self._switch_requested.discard(key)
        inquiry = clock.open
        if inquiry is None:
            self._entries.pop(key, None)
            return
        entry = _entry(inquiry, digest)
        previous = self._entries.get(key)
        self._entries[key] = entry
        if entry.alarm is not None and (previous is None or previous.alarm != entry.alarm):
            heapq.heappush(self._heap, (entry.alarm, key))

    def due_keys(self, now: float, crisis_policy: str | None = None) -> list[bytes]:
        """Conversations to tick now: alarms that have come, and in a crisis those not yet switched."""
        due: list[bytes] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            at, key = heapq.heappop(heap)
            entry = self._entries.get(key)
            if entry is None or entry.alarm != at:
                continue  # superseded by a later track()
            due.append(key)
            entry.alarm = now + RETRY_SECONDS
            heapq.heappush(heap, (entry.alarm, key))
        if crisis_policy is not None:
            for key, entry in self._entries.items():
                if entry.policy != crisis_policy and key not in self._switch_requested:
                    self._switch_requested.add(key)
                    due.append(key)
        return due

    def rebuild(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Make the index match the table (only values that changed since they were tracked are parsed)."""
        previous, entries = self._entries, {}
        for key, value in items:
            if not value or value.startswith(_IDLE_PREFIX):
                continue
            digest = hash(value)
            entry = previous.get(key)
            entries[key] = entry if entry is not None and entry.digest == digest else _parsed(value, digest)
        self._entries = entries
        self._heap = [(entry.alarm, key) for key, entry in entries.items() if entry.alarm is not None]
        heapq.heapify(self._heap)
        self._switch_requested = set()  # a crisis sweep lost in a rebalance is repeated

    def summary(self, now: float) -> dict[tuple[str, str], AccountSummary]:
        """Open inquiries, the oldest one's arrival and how many are overdue, per platform and account."""
        totals: dict[tuple[str, str], list[float]] = {}
        for entry in self._entries.values():
            row = totals.setdefault((entry.platform, entry.account), [0, entry.received, 0])
            row[0] += 1
            row[1] = min(row[1], entry.received)
            row[2] += entry.due <= now
        return {group: AccountSummary(int(count), oldest, int(overdue))
                for group, (count, oldest, overdue) in totals.items()}


def _parsed(value: bytes, digest: int) -> Tracked:
    inquiry = ConversationClock.model_validate_json(value).open
    assert inquiry is not None
    return _entry(inquiry, digest)


def _entry(inquiry: OpenInquiry, digest: int) -> Tracked:
    alarm = inquiry.next_alarm
    # Interned: a handful of accounts and policies shared by every entry, not a copy each.
    return Tracked(inquiry.platform.value, sys.intern(inquiry.account_id), sys.intern(inquiry.policy),
                   inquiry.received_at.timestamp(), inquiry.due_at.timestamp(),
                   alarm.timestamp() if alarm else None, digest)
