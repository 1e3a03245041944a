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
import math
import struct
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import orjson

from streams.sla.process import ConversationClock, OpenInquiry

#: Seconds after a fired alarm before it fires again if the agent has not answered. Only a safety
#: net (a recovery rebuilds the index anyway), so long enough that a busy agent working through a
#: backlog of ticks is not sent the same ticks again.
RETRY_SECONDS = 30.0
#: How every stored clock without an open inquiry starts (``encode`` writes fields in order).
_IDLE_PREFIX = b'{"open":null'
#: Alarms are kept in buckets of this many seconds (the timer looks at the buckets that have begun).
BUCKET_SECONDS = 10.0

#: One open inquiry, packed (issue 16: about 70 bytes instead of about 320 for an object with its
#: floats): the index of its (platform, account, policy) group, received and due times, the next
#: alarm (NaN: none, breached) and the digest of the stored clock value.
_ENTRY = struct.Struct("<Hdddq")
_NO_ALARM = math.nan


class AccountSummary(NamedTuple):
    open: int
    oldest_received: float
    overdue: int


class InquiryIndex:
    """Open inquiries by conversation key, and their alarms by ``BUCKET_SECONDS`` bucket.

    Per inquiry it holds its key, the packed entry and one slot in a bucket's list (about 200 bytes
    at 100,000 open); a heap holds only the buckets that have alarms.
    """

    def __init__(self) -> None:
        self._groups: list[tuple[str, str, str]] = []
        self._group_ids: dict[tuple[str, str, str], int] = {}
        self._entries: dict[bytes, bytes] = {}
        self._buckets: dict[int, list[bytes]] = {}
        self._bucket_heap: list[int] = []
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
        entry = self._entry(inquiry, digest)
        previous = self._entries.get(key)
        self._entries[key] = entry
        alarm = _ENTRY.unpack(entry)[3]
        if not math.isnan(alarm) and (previous is None or _ENTRY.unpack(previous)[3] != alarm):
            self._arm(key, alarm)

    def due_keys(self, now: float, leaving_policy: str | None = None) -> list[bytes]:
        """Conversations to tick now: alarms that have come, and (after a crisis) those still on ``leaving_policy``."""
        due: list[bytes] = []
        entries, heap, buckets = self._entries, self._bucket_heap, self._buckets
        current = _bucket(now)
        while heap and heap[0] <= current:
            bucket = heap[0]
            waiting: list[bytes] = []
            for key in buckets.pop(bucket, []):
                entry = entries.get(key)
                if entry is None:
                    continue
                group, received, due_at, alarm, digest = _ENTRY.unpack(entry)
                if math.isnan(alarm) or _bucket(alarm) != bucket:
                    continue  # superseded by a later track() (its alarm is in another bucket)
                if alarm > now:
                    waiting.append(key)
                    continue
                due.append(key)
                retry = now + RETRY_SECONDS
                entries[key] = _ENTRY.pack(group, received, due_at, retry, digest)
                self._arm(key, retry)
            if waiting:
                buckets.setdefault(bucket, []).extend(waiting)
                break  # the bucket that is under way: the rest of it comes later
            if heap and heap[0] == bucket and bucket not in buckets:
                heapq.heappop(heap)
        if leaving_policy is not None:
            groups = self._groups
            for key, entry in entries.items():
                if groups[_ENTRY.unpack(entry)[0]][2] == leaving_policy and key not in self._switch_requested:
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
            entries[key] = entry if entry is not None and _ENTRY.unpack(entry)[4] == _digest(digest) else \
                self._parsed(value, digest)
        self._entries = entries
        self._buckets = {}
        for key, entry in entries.items():
            alarm = _ENTRY.unpack(entry)[3]
            if not math.isnan(alarm):
                self._buckets.setdefault(_bucket(alarm), []).append(key)
        self._bucket_heap = sorted(self._buckets)
        self._switch_requested = set()  # a crisis sweep lost in a rebalance is repeated

    def summary(self, now: float) -> dict[tuple[str, str], AccountSummary]:
        """Open inquiries, the oldest one's arrival and how many are overdue, per platform and account."""
        totals: dict[int, list[float]] = {}
        for entry in self._entries.values():
            group, received, due_at, _, _ = _ENTRY.unpack(entry)
            row = totals.setdefault(group, [0, received, 0])
            row[0] += 1
            row[1] = min(row[1], received)
            row[2] += due_at <= now
        summary: dict[tuple[str, str], list[float]] = {}
        for group, (count, oldest, overdue) in totals.items():
            platform, account, _ = self._groups[group]
            row = summary.setdefault((platform, account), [0, oldest, 0])
            row[0] += count
            row[1] = min(row[1], oldest)
            row[2] += overdue
        return {account: AccountSummary(int(count), oldest, int(overdue))
                for account, (count, oldest, overdue) in summary.items()}

    def _arm(self, key: bytes, alarm: float) -> None:
        bucket = _bucket(alarm)
        keys = self._buckets.get(bucket)
        if keys is None:
            self._buckets[bucket] = keys = []
            heapq.heappush(self._bucket_heap, bucket)
        keys.append(key)

    def _group(self, platform: str, account: str, policy: str) -> int:
        group = (platform, account, policy)
        found = self._group_ids.get(group)
        if found is None:
            found = self._group_ids[group] = len(self._groups)
            self._groups.append(group)
        return found

    def _entry(self, inquiry: OpenInquiry, digest: int) -> bytes:
        alarm = inquiry.next_alarm
        return _ENTRY.pack(self._group(inquiry.platform.value, inquiry.account_id, inquiry.policy),
                           inquiry.received_at.timestamp(), inquiry.due_at.timestamp(),
                           alarm.timestamp() if alarm else _NO_ALARM, _digest(digest))

    def _parsed(self, value: bytes, digest: int) -> bytes:
        """The entry of a stored clock value. The table's values are written by ``encode`` (trusted),
        so the few fields needed are read with orjson rather than validated into the model (half
        of the time: the index is rebuilt from every open inquiry after each recovery)."""
        inquiry = orjson.loads(value)["open"]
        received, due_at = _instant(inquiry["received_at"]), _instant(inquiry["due_at"])
        warning_at = inquiry.get("warning_at")
        if inquiry.get("snoozed"):
            until = inquiry.get("snoozed_until")
            alarm = _instant(until) if until else _NO_ALARM
        elif inquiry.get("breached"):
            alarm = _NO_ALARM
        elif not inquiry.get("warned") and warning_at is not None:
            alarm = _instant(warning_at)
        else:
            alarm = due_at
        return _ENTRY.pack(self._group(inquiry["platform"], inquiry["account_id"], inquiry["policy"]),
                           received, due_at, alarm, _digest(digest))


def _bucket(at: float) -> int:
    return int(at // BUCKET_SECONDS)


def _instant(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _digest(value: int) -> int:
    """A Python hash as a signed 64-bit number (it is one on 64-bit builds; folded otherwise)."""
    return (value + 2**63) % 2**64 - 2**63
