"""Applying a whole batch of records to the store in a few statements, with the rows and changes of ``apply``.

The projection reads up to thousands of records at a time. Applied one by one (``apply``), each
costs a savepoint and two to six statements, each a round trip to the database: 1-2.5 ms of CPU
per record (docs/performance.md). Here a batch is decoded first and cut into runs of records that
write the same tables (messages with their triages, SLA events, actions); for each run, what it
touches is read in one query per table, the per-record rules of ``innboks.store.projection`` run
in memory in the order read, and the result is written with one statement per table and kind
(``innboks.db.bulk``: ``COPY`` on PostgreSQL, ``executemany`` on SQLite).

The rows, and the inbox's change feed (``innboks.db.live``: the same changes in the same order, the
same versions raised), are those ``apply`` gives for the batch's records one by one in the order
read. Within a run nothing another run writes is read, so the runs in their order are that order.
Cases, crisis switches, facts and archive receipts write tables no other rule reads and tell the
feed nothing: cases are written at the end in one statement, the rest one by one through ``apply``'s
own functions. ``tests/unit/test_store_batch.py`` compares both ways table by table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from innboks.db import live
from innboks.db.bulk import JsonText, chunks, insert_rows, one_of, update_rows
from innboks.db.fulltext import index_revisions
from innboks.db.schema import OPEN_STATES, actions, cases, inquiries, message_revisions, messages, sla_events
from innboks.domain.action_rules import OUTCOME_RANK
from innboks.store.projection import (
    ACTION_STEP,
    FILLABLE,
    ONLY_ON_TOPIC,
    Decoded,
    InvalidRecord,
    action_change,
    action_row,
    action_step,
    apply_decoded,
    case_row,
    content_digest,
    decode,
    inquiry_values,
    message_change,
    message_values,
    moved_on,
    refresh_escalation,
    sla_change,
    triage_values,
)
from schemas import ActionEvent, CaseForward, InboxMessage, NormalizedMessage, SlaEvent, TriagedMessage


class Incoming(Protocol):
    """One record to apply (``innboks.kafka.clients.Record``, or a test's or benchmark's own)."""

    @property
    def topic(self) -> str: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...


@dataclass
class Rejected:
    index: int
    error: InvalidRecord


#: A message with its platform item as JSON text (None: no item), or a triage.
MessageItem = tuple[NormalizedMessage, str | None] | TriagedMessage


@dataclass
class Run:
    """Consecutive records that write the same tables: ``kind`` is "messages", "sla" or "actions"."""

    kind: str
    items: list[Any] = field(default_factory=list)


@dataclass
class Batch:
    """A batch's valid records, decoded, in runs in the order read."""

    runs: list[Run] = field(default_factory=list)
    cases: list[CaseForward] = field(default_factory=list)
    #: Crisis switches, facts, archive receipts (few): one by one, in order, with their record keys.
    others: list[tuple[str, Decoded]] = field(default_factory=list)

    def add(self, kind: str, item: Any) -> None:
        if not self.runs or self.runs[-1].kind != kind:
            self.runs.append(Run(kind))
        self.runs[-1].items.append(item)


def decode_batch(records: Sequence[Incoming]) -> tuple[Batch, list[Rejected]]:
    """The batch's records as their topics' models, and the ones that are not (by index)."""
    batch, rejected = Batch(), []
    for index, record in enumerate(records):
        try:
            decoded = decode(record.topic, record.value, record.key)
        except InvalidRecord as exc:
            rejected.append(Rejected(index, exc))
            continue
        if decoded is None:
            continue  # a tombstone on the compacted control topic, an account's record
        if isinstance(decoded, NormalizedMessage):
            batch.add("messages", (decoded, decoded.raw.model_dump_json() if decoded.raw else None))
        elif isinstance(decoded, TriagedMessage):
            if decoded.triage is not None:  # our own messages and edits carry none: nothing to write
                batch.add("messages", decoded)
        elif isinstance(decoded, SlaEvent):
            batch.add("sla", decoded)
        elif isinstance(decoded, ActionEvent):
            batch.add("actions", decoded)
        elif isinstance(decoded, CaseForward):
            batch.cases.append(decoded)
        else:
            batch.others.append(((record.key or b"").decode("utf-8", "replace"), decoded))
    return batch, rejected


def write_batch(connection: Connection, batch: Batch) -> None:
    """Write a decoded batch: the rows and changes ``apply`` gives for its records in the order read.

    The changes go to the feed at the end of the batch (``live.buffered``; the caller's buffer when it
    has one). Database errors propagate (the caller rolls back and, for an error a record caused,
    applies the batch one record at a time to find it: ``innboks.store.consumer``).
    """
    if live.BUFFER not in connection.info:
        with live.buffered(connection):
            write_batch(connection, batch)
        return
    for run in batch.runs:
        if run.kind == "messages":
            write_messages(connection, run.items)
        elif run.kind == "sla":
            write_sla(connection, run.items)
        else:
            write_actions(connection, run.items)
    write_cases(connection, batch.cases)
    for key, decoded in batch.others:
        apply_decoded(connection, key, decoded)


def apply_batch(connection: Connection, records: Sequence[Incoming]) -> list[Rejected]:
    """Decode and write a batch; the records that are not their topic's schema, by index."""
    batch, rejected = decode_batch(records)
    write_batch(connection, batch)
    return rejected


def _rows_where_in(connection: Connection, select: sa.Select[Any], column: sa.ColumnElement[Any],
                   values: Iterable[Any]) -> list[sa.Row[Any]]:
    rows: list[sa.Row[Any]] = []
    for chunk in chunks(connection, values):
        rows.extend(connection.execute(select.where(one_of(connection, column, chunk))).all())
    return rows


# --- messages and their triages ----------------------------------------------------------------

MESSAGE_COLUMNS = tuple(column.name for column in messages.c if column.name in (
    "id", "platform", "account_id", "conversation_key", "conversation_id", "parent_id", "kind", "event",
    "from_account", "author_id", "author_name", "text", "created_at", "permalink", "revision", "first_seen_at",
    "updated_at"))
#: A new message's triage columns until its triage comes (the columns' defaults, the lists as JSON text).
UNTRIAGED = {"category": None, "language": None, "escalate": False, "escalation_reasons": "[]", "moderation": "[]",
             "pii": "[]", "rules": "[]", "suggested_reply": None, "ruleset_version": None}
TRIAGE_LISTS = ("escalation_reasons", "moderation", "pii", "rules")
FILL_RAW = message_revisions.update().where(
    message_revisions.c.message_id == sa.bindparam("b_id"), message_revisions.c.revision == sa.bindparam("b_revision"),
).values(raw_payload=sa.bindparam("raw_payload", type_=JsonText))
#: Replies requested in conversations (``projection._author_of`` picks the newest that matches).
REPLIES = (sa.select(actions.c.conversation_key, actions.c.requested_by, actions.c.platform_id, actions.c.text,
                     actions.c.requested_at).where(actions.c.kind == "reply"))


@dataclass
class _Revision:
    revision: int
    raw_empty: bool
    new: dict[str, Any] | None = None  # the row to insert, for a revision of this run


class _MessageRun:
    """``apply_message`` and ``apply_triage`` for a run's records in order, on rows read once."""

    def __init__(self, connection: Connection, items: Sequence[MessageItem]) -> None:
        self.connection = connection
        sighted = [item if isinstance(item, TriagedMessage) else item[0] for item in items]
        inbox = [item.message if isinstance(item, TriagedMessage) else item for item in sighted]
        ids = [message.id for message in inbox]
        self.known: dict[str, dict[str, _Revision]] = {}
        for row in _rows_where_in(connection, sa.select(
                message_revisions.c.message_id, message_revisions.c.revision, message_revisions.c.content_sha256,
                message_revisions.c.raw_payload.is_(None).label("raw_empty")), message_revisions.c.message_id, ids):
            self.known.setdefault(row.message_id, {})[row.content_sha256] = _Revision(row.revision,
                                                                                      bool(row.raw_empty))
        self.stored = {row.id: dict(row._mapping) for row in _rows_where_in(
            connection, sa.select(*(messages.c[name] for name in MESSAGE_COLUMNS)), messages.c.id, ids)}
        self.current = {key: dict(value) for key, value in self.stored.items()}
        self.triaged: dict[str, dict[str, Any]] = {}  # stored messages' new triage
        self.new_revisions: list[dict[str, Any]] = []
        self.raw_fills: list[dict[str, Any]] = []
        self.open_inquiries, self.pending_created = self._open_inquiries(
            [m.key for m in inbox if not m.from_account])
        self.replies: dict[str, list[sa.Row[Any]]] = {}
        for row in _rows_where_in(connection, REPLIES, actions.c.conversation_key,
                                  [m.key for m in inbox if m.from_account]):
            self.replies.setdefault(row.conversation_key, []).append(row)
        for replies in self.replies.values():
            replies.sort(key=lambda row: row.requested_at, reverse=True)

    def _open_inquiries(self, keys: list[str]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
        """The open inquiries of the conversations by key, and when their pending messages were written."""
        pending = messages.alias("pending")
        by_key: dict[str, list[dict[str, Any]]] = {}
        created: dict[str, Any] = {}
        for row in _rows_where_in(self.connection, sa.select(
                inquiries.c.inquiry_id, inquiries.c.conversation_key, inquiries.c.received_at,
                inquiries.c.message_id, pending.c.created_at.label("pending_created_at"),
        ).select_from(inquiries.outerjoin(pending, pending.c.id == inquiries.c.message_id))
                .where(inquiries.c.state.in_(OPEN_STATES)), inquiries.c.conversation_key, keys):
            by_key.setdefault(row.conversation_key, []).append(dict(row._mapping))
            if row.pending_created_at is not None:
                created[row.message_id] = row.pending_created_at
        return by_key, created

    def message(self, message: InboxMessage, raw: str | None) -> None:
        """``projection.apply_message``."""
        digest = content_digest(message)
        revisions = self.known.setdefault(message.id, {})
        seen = revisions.get(digest)
        if seen is not None:
            latest = self.current.get(message.id)
            if latest is not None:
                for name in FILLABLE:
                    value = getattr(message, name)
                    if value is not None and latest[name] is None:
                        latest[name] = value
            if raw is not None and seen.raw_empty:
                seen.raw_empty = False
                if seen.new is not None:
                    seen.new["raw_payload"] = raw
                else:
                    self.raw_fills.append({"b_id": message.id, "b_revision": seen.revision, "raw_payload": raw})
            return
        revision = max((r.revision for r in revisions.values()), default=-1) + 1
        new = {"message_id": message.id, "revision": revision, "event": message.event.value, "text": message.text,
               "author_name": message.author_name, "content_sha256": digest,
               "message": message.model_dump_json(exclude=ONLY_ON_TOPIC), "observed_at": message.fetched_at,
               "raw_payload": raw}
        revisions[digest] = _Revision(revision, raw is None, new)
        self.new_revisions.append(new)
        values = message_values(message, revision)
        if revision == 0:
            self.current[message.id] = {name: None for name in MESSAGE_COLUMNS} | values | {
                "id": message.id, "first_seen_at": message.fetched_at} | UNTRIAGED
            if not message.from_account:
                self._follow_up(message)
        elif message.id in self.current:
            self.current[message.id].update(values)
        live.record(self.connection, message_change(message, self._author_of(message)))

    def triage(self, triaged: TriagedMessage) -> None:
        """``projection.apply_triage`` (of a triage that carries one)."""
        message_id = triaged.message.id
        if message_id not in self.current:
            self.message(triaged.message, None)  # not stored yet: the copy the record carries writes it
        values = _triage_columns(triaged)
        if message_id in self.stored:
            self.triaged[message_id] = values
        else:
            self.current[message_id].update(values)  # new in this run: inserted with its triage

    def _follow_up(self, message: InboxMessage) -> None:
        """``projection._follow_up``: a citizen's newer message becomes the open inquiry's one to answer."""
        for inquiry in self.open_inquiries.get(message.key, ()):
            pending = inquiry["message_id"]
            row = self.current.get(pending)
            pending_at = row["created_at"] if row is not None else self.pending_created.get(pending)
            if inquiry["received_at"] <= message.created_at and pending_at is not None \
                    and pending_at < message.created_at:
                inquiry["message_id"], inquiry["changed"] = message.id, True

    def _author_of(self, message: InboxMessage) -> str:
        """``projection._author_of``: the citizen, or the staff member whose reply our message is."""
        if not message.from_account:
            return "citizen"
        for row in self.replies.get(message.key, ()):
            if row.platform_id == message.id or row.text == message.text:
                return str(row.requested_by or "account")
        return "account"

    def write(self) -> None:
        connection = self.connection
        insert_rows(connection, message_revisions, self.new_revisions)
        index_revisions(connection, self.new_revisions)
        if self.raw_fills:
            connection.execute(FILL_RAW, self.raw_fills)
        insert_rows(connection, messages, [row for key, row in self.current.items() if key not in self.stored])
        update_rows(connection, messages, "id", [row for key, row in self.current.items()
                                                  if key in self.stored and row != self.stored[key]])
        update_rows(connection, messages, "id", [{"id": key, **values} for key, values in self.triaged.items()])
        update_rows(connection, inquiries, "inquiry_id", [
            {"inquiry_id": row["inquiry_id"], "message_id": row["message_id"]}
            for rows in self.open_inquiries.values() for row in rows if row.get("changed")])


def write_messages(connection: Connection, items: Sequence[MessageItem]) -> None:
    """``apply_message`` (with its platform item) and ``apply_triage`` for a run's records, in order: new
    revisions, the messages' latest state and triage, platform items filled in, the inquiries whose
    newest citizen message a new message becomes, and ``inquiries.escalate`` after it all."""
    if not items:
        return
    run = _MessageRun(connection, items)
    for item in items:
        if isinstance(item, TriagedMessage):
            run.triage(item)
        else:
            run.message(*item)
    run.write()
    refresh_escalation(connection, [item.message.key if isinstance(item, TriagedMessage) else item[0].key
                                    for item in items])


def _triage_columns(triaged: TriagedMessage) -> dict[str, Any]:
    """``triage_values`` with the lists as JSON text."""
    values = triage_values(triaged)
    for name in TRIAGE_LISTS:
        values[name] = json.dumps(values[name], ensure_ascii=False, separators=(",", ":"))
    return values


# --- SLA ---------------------------------------------------------------------------------------

#: What SLA events write (``escalate`` is kept by ``refresh_escalation``).
INQUIRY_COLUMNS = tuple(column.name for column in inquiries.c if column.name != "escalate")


def write_sla(connection: Connection, events: Sequence[SlaEvent]) -> None:
    """``apply_sla`` for each event in order: every event once, each inquiry's latest state, the feed's
    word of each event that moved an inquiry, and ``inquiries.escalate`` after it all."""
    if not events:
        return
    seen = {row.event_id for row in _rows_where_in(connection, sa.select(sla_events.c.event_id),
                                                     sla_events.c.event_id, [e.event_id for e in events])}
    stored = {row.inquiry_id: dict(row._mapping) for row in _rows_where_in(
        connection, sa.select(*(inquiries.c[name] for name in INQUIRY_COLUMNS)), inquiries.c.inquiry_id,
        [e.inquiry_id for e in events])}
    escalated = {row.id: bool(row.escalate) for row in _rows_where_in(
        connection, sa.select(messages.c.id, messages.c.escalate), messages.c.id, [e.inquiry_id for e in events])}
    pending = _PendingMessages(connection, [e.conversation_key for e in events if e.inquiry_id not in stored])
    current = {key: dict(value) for key, value in stored.items()}
    new_events: list[dict[str, Any]] = []
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        new_events.append({"event_id": event.event_id, "inquiry_id": event.inquiry_id, "state": event.state.value,
                           "emitted_at": event.emitted_at, "event": event.model_dump_json()})
        row = current.get(event.inquiry_id)
        if row is not None and moved_on(row["state"], event):
            continue  # a late earlier state: the inquiry has moved on
        if row is None:
            current[event.inquiry_id] = {name: None for name in INQUIRY_COLUMNS} | inquiry_values(event) | {
                "inquiry_id": event.inquiry_id, "message_id": pending.of(event)}
        else:
            row.update(inquiry_values(event))
        live.record(connection, sla_change(event, escalated.get(event.inquiry_id, False)), bump=False)
    insert_rows(connection, sla_events, new_events)
    insert_rows(connection, inquiries, [row for key, row in current.items() if key not in stored])
    update_rows(connection, inquiries, "inquiry_id", [row for key, row in current.items()
                                                      if key in stored and row != stored[key]])
    refresh_escalation(connection, [e.conversation_key for e in events])


class _PendingMessages:
    """``projection._pending_message`` for inquiries opened in a run: the newest citizen message of the
    conversation since it opened, else the inquiry's own message id."""

    def __init__(self, connection: Connection, keys: Sequence[str]) -> None:
        self.candidates: dict[str, list[sa.Row[Any]]] = {}
        for row in _rows_where_in(connection, sa.select(messages.c.id, messages.c.conversation_key,
                                                        messages.c.created_at)
                                  .where(messages.c.from_account.is_(False)), messages.c.conversation_key, keys):
            self.candidates.setdefault(row.conversation_key, []).append(row)

    def of(self, event: SlaEvent) -> str:
        since = [(row.created_at, row.id) for row in self.candidates.get(event.conversation_key, ())
                 if row.created_at >= event.received_at]
        return str(max(since)[1]) if since else event.inquiry_id


# --- cases and actions ---------------------------------------------------------------------------

def write_cases(connection: Connection, forwarded: Sequence[CaseForward]) -> None:
    """``apply_case`` for each: every (case, revision) once."""
    if not forwarded:
        return
    seen = {(row.case_id, row.revision) for row in _rows_where_in(
        connection, sa.select(cases.c.case_id, cases.c.revision), cases.c.case_id, [c.case_id for c in forwarded])}
    new = []
    for case in forwarded:
        if (case.case_id, case.revision) not in seen:
            seen.add((case.case_id, case.revision))
            new.append(case_row(case) | {"case": case.model_dump_json()})
    insert_rows(connection, cases, new)


#: What a later step of an action may set.
STEP_COLUMNS = (*ACTION_STEP, "text")


def write_actions(connection: Connection, events: Sequence[ActionEvent]) -> None:
    """``apply_action`` for each event in order: one row per action with its latest step (an approval's
    edited text), and the feed's word of each new step."""
    if not events:
        return
    stored = {row.action_id: dict(row._mapping) for row in _rows_where_in(
        connection, sa.select(actions.c.action_id, *(actions.c[name] for name in STEP_COLUMNS)),
        actions.c.action_id, [e.action_id for e in events])}
    current = {key: dict(value) for key, value in stored.items()}
    inserts: dict[str, dict[str, Any]] = {}
    for event in events:
        row = current.get(event.action_id)
        if row is None or OUTCOME_RANK[event.outcome] > OUTCOME_RANK[row["outcome"]]:
            change, bump = action_change(event, first=row is None)
            live.record(connection, change, bump=bump)
        if row is None:
            inserts[event.action_id] = current[event.action_id] = action_row(event)
        elif OUTCOME_RANK[event.outcome] > OUTCOME_RANK[row["outcome"]]:
            row.update(action_step(event))
    insert_rows(connection, actions, list(inserts.values()))
    update_rows(connection, actions, "action_id", [{"action_id": key, **{name: row[name] for name in STEP_COLUMNS}}
                                                   for key, row in current.items()
                                                   if key in stored and row != stored[key]])
