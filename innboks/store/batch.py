"""Applying a whole batch of records to the store in a few statements, with the rows of ``apply``.

The projection reads up to thousands of records at a time. Applied one by one (``apply``), each
costs a savepoint and two to six statements, each a round trip to the database: 1-2.5 ms of CPU
per record (docs/performance.md). Here a batch is decoded first, its records are grouped by topic,
what they touch is read in one query per table, the per-record rules of
``innboks.store.projection`` run in memory, and the result is written with one statement per table
and kind (``innboks.db.bulk``: ``COPY`` on PostgreSQL, ``executemany`` on SQLite).

The rows are those the per-record rules give when the batch's records are applied topic by topic
(messages, then triages, SLA events, cases, actions, and the rest one by one), each topic in the
order read: a valid order, since the store takes the topics in any order and every partition's
records stay in their order. ``tests/unit/test_store_batch.py`` compares both ways table by table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from innboks.db.bulk import JsonText, chunks, insert_rows, one_of, update_rows
from innboks.db.fulltext import index_revisions
from innboks.db.schema import OPEN_STATES, actions, cases, inquiries, message_revisions, messages, sla_events
from innboks.domain.action_rules import OUTCOME_RANK
from innboks.store.projection import (
    FILLABLE,
    ONLY_ON_TOPIC,
    STATE_RANK,
    Decoded,
    InvalidRecord,
    action_row,
    apply_decoded,
    case_row,
    content_digest,
    decode,
    inquiry_values,
    message_values,
    refresh_escalation,
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


@dataclass
class Batch:
    """A batch's valid records, decoded and grouped by what they write, each group in the order read."""

    #: Each message with its platform item as JSON text (None: no item).
    messages: list[tuple[InboxMessage, str | None]] = field(default_factory=list)
    triages: list[TriagedMessage] = field(default_factory=list)
    sla: list[SlaEvent] = field(default_factory=list)
    cases: list[CaseForward] = field(default_factory=list)
    actions: list[ActionEvent] = field(default_factory=list)
    #: Topics without a batched writer (crisis switches, facts, archive receipts: few): one by one, in order.
    others: list[tuple[str, str, Decoded]] = field(default_factory=list)


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
            continue  # a tombstone on the compacted control topic
        if isinstance(decoded, NormalizedMessage):
            batch.messages.append((decoded, decoded.raw.model_dump_json() if decoded.raw else None))
        elif isinstance(decoded, TriagedMessage):
            if decoded.triage is not None:  # our own messages and edits carry none: nothing to write
                batch.triages.append(decoded)
        elif isinstance(decoded, SlaEvent):
            batch.sla.append(decoded)
        elif isinstance(decoded, CaseForward):
            batch.cases.append(decoded)
        elif isinstance(decoded, ActionEvent):
            batch.actions.append(decoded)
        else:
            batch.others.append((record.topic, (record.key or b"").decode("utf-8", "replace"), decoded))
    return batch, rejected


def write_batch(connection: Connection, batch: Batch) -> None:
    """Write a decoded batch: the rows ``apply`` gives for its records, topic by topic.

    Database errors propagate (the caller rolls back and, for an error a record caused, applies the
    batch one record at a time to find it: ``innboks.store.consumer``).
    """
    write_messages(connection, batch.messages, batch.triages)
    write_sla(connection, batch.sla)
    refresh_escalation(connection, [m.key for m, _ in batch.messages] + [t.message.key for t in batch.triages]
                       + [e.conversation_key for e in batch.sla])
    write_cases(connection, batch.cases)
    write_actions(connection, batch.actions)
    for topic, key, decoded in batch.others:
        apply_decoded(connection, topic, key, decoded)


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


# --- messages ----------------------------------------------------------------------------------

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


@dataclass
class _Revision:
    revision: int
    raw_empty: bool
    new: dict[str, Any] | None = None  # the row to insert, for a revision of this batch


def write_messages(connection: Connection, items: Sequence[tuple[InboxMessage, str | None]],
                   triages: Sequence[TriagedMessage] = ()) -> None:
    """``apply_message`` for every item in order, then ``apply_triage`` for every triage in order: new
    revisions, the messages' latest state and triage, raw items filled in, and the inquiries whose
    newest citizen message a new message becomes.

    A triage whose message is new in this batch goes into the message's row as it is inserted; one
    whose message is not stored at all writes the message from its copy first, as ``apply_triage``.
    """
    if not items and not triages:
        return
    ids = [message.id for message, _ in items] + [t.message.id for t in triages]
    known: dict[str, dict[str, _Revision]] = {}
    for row in _rows_where_in(connection, sa.select(message_revisions.c.message_id, message_revisions.c.revision,
                                                    message_revisions.c.content_sha256,
                                                    message_revisions.c.raw_payload.is_(None).label("raw_empty")),
                              message_revisions.c.message_id, ids):
        known.setdefault(row.message_id, {})[row.content_sha256] = _Revision(row.revision, bool(row.raw_empty))
    stored = {row.id: dict(row._mapping) for row in _rows_where_in(
        connection, sa.select(*(messages.c[name] for name in MESSAGE_COLUMNS)), messages.c.id, ids)}
    written = set(stored) | {message.id for message, _ in items}
    copies = list({t.message.id: (t.message, None) for t in reversed(triages) if t.message.id not in written}
                  .values())[::-1]  # each message once, where its first triage is
    current = {key: dict(value) for key, value in stored.items()}
    new_revisions: list[dict[str, Any]] = []
    raw_fills: list[dict[str, Any]] = []
    created: list[InboxMessage] = []
    for message, raw in [*items, *copies]:
        digest = content_digest(message)
        revisions = known.setdefault(message.id, {})
        seen = revisions.get(digest)
        if seen is not None:
            latest = current.get(message.id)
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
                    raw_fills.append({"b_id": message.id, "b_revision": seen.revision, "raw_payload": raw})
            continue
        revision = max((r.revision for r in revisions.values()), default=-1) + 1
        new = {"message_id": message.id, "revision": revision, "event": message.event.value, "text": message.text,
               "author_name": message.author_name, "content_sha256": digest,
               "message": message.model_dump_json(exclude=ONLY_ON_TOPIC), "observed_at": message.fetched_at,
               "raw_payload": raw}
        revisions[digest] = _Revision(revision, raw is None, new)
        new_revisions.append(new)
        values = message_values(message, revision)
        if revision == 0:
            current[message.id] = {name: None for name in MESSAGE_COLUMNS} | values | {
                "id": message.id, "first_seen_at": message.fetched_at} | UNTRIAGED
            if not message.from_account:
                created.append(message)
        else:
            current[message.id].update(values)
    triaged: dict[str, dict[str, Any]] = {}
    for triage in triages:
        values = _triage_columns(triage)
        if triage.message.id in stored:
            triaged[triage.message.id] = values
        else:
            current[triage.message.id].update(values)  # new in this batch: inserted with its triage
    insert_rows(connection, message_revisions, new_revisions)
    index_revisions(connection, new_revisions)
    if raw_fills:
        connection.execute(FILL_RAW, raw_fills)
    insert_rows(connection, messages, [row for key, row in current.items() if key not in stored])
    update_rows(connection, messages, "id", [row for key, row in current.items()
                                              if key in stored and row != stored[key]])
    update_rows(connection, messages, "id", [{"id": key, **values} for key, values in triaged.items()])
    _follow_up(connection, created)


def _triage_columns(triaged: TriagedMessage) -> dict[str, Any]:
    """``triage_values`` with the lists as JSON text."""
    values = triage_values(triaged)
    for name in TRIAGE_LISTS:
        values[name] = json.dumps(values[name], ensure_ascii=False, separators=(",", ":"))
    return values


def _follow_up(connection: Connection, created: Sequence[InboxMessage]) -> None:
    """A citizen's newer message in a conversation with an open inquiry becomes the one to answer
    (``projection._follow_up`` for each new message, in order)."""
    if not created:
        return
    pending = messages.alias("pending")
    open_inquiries = _rows_where_in(connection, sa.select(
        inquiries.c.inquiry_id, inquiries.c.conversation_key, inquiries.c.received_at, inquiries.c.message_id,
        pending.c.created_at.label("pending_created_at"),
    ).select_from(inquiries.outerjoin(pending, pending.c.id == inquiries.c.message_id))
        .where(inquiries.c.state.in_(OPEN_STATES)), inquiries.c.conversation_key, [m.key for m in created])
    if not open_inquiries:
        return
    by_conversation: dict[str, list[dict[str, Any]]] = {}
    for row in open_inquiries:
        by_conversation.setdefault(row.conversation_key, []).append(dict(row._mapping))
    # When the pending message was written, as its row says at each step: stored before the batch, or
    # written by it so far (a pending message not stored yet compares as NULL: no change).
    created_at = {row["message_id"]: row["pending_created_at"] for rows in by_conversation.values() for row in rows
                  if row["pending_created_at"] is not None}
    for message in created:
        created_at[message.id] = message.created_at
        for inquiry in by_conversation.get(message.key, ()):
            pending_at = created_at.get(inquiry["message_id"])
            if inquiry["received_at"] <= message.created_at and pending_at is not None \
                    and pending_at < message.created_at:
                inquiry["message_id"], inquiry["changed"] = message.id, True
    update_rows(connection, inquiries, "inquiry_id", [
        {"inquiry_id": row["inquiry_id"], "message_id": row["message_id"]}
        for rows in by_conversation.values() for row in rows if row.get("changed")])


# --- SLA ---------------------------------------------------------------------------------------

#: What SLA events write (``escalate`` is kept by ``refresh_escalation``).
INQUIRY_COLUMNS = tuple(column.name for column in inquiries.c if column.name != "escalate")


def write_sla(connection: Connection, events: Sequence[SlaEvent]) -> None:
    """``apply_sla`` for each event in order: every event once, and each inquiry's latest state."""
    if not events:
        return
    seen = {row.event_id for row in _rows_where_in(connection, sa.select(sla_events.c.event_id),
                                                     sla_events.c.event_id, [e.event_id for e in events])}
    stored = {row.inquiry_id: dict(row._mapping) for row in _rows_where_in(
        connection, sa.select(*(inquiries.c[name] for name in INQUIRY_COLUMNS)), inquiries.c.inquiry_id,
        [e.inquiry_id for e in events])}
    current = {key: dict(value) for key, value in stored.items()}
    new_events: list[dict[str, Any]] = []
    opened: list[SlaEvent] = []
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        new_events.append({"event_id": event.event_id, "inquiry_id": event.inquiry_id, "state": event.state.value,
                           "emitted_at": event.emitted_at, "event": event.model_dump_json()})
        row = current.get(event.inquiry_id)
        if row is not None and STATE_RANK[event.state.value] < STATE_RANK[row["state"]]:
            continue  # a late earlier state: the inquiry has moved on
        if row is None:
            current[event.inquiry_id] = {name: None for name in INQUIRY_COLUMNS} | inquiry_values(event) | {
                "inquiry_id": event.inquiry_id}
            opened.append(event)
        else:
            row.update(inquiry_values(event))
    insert_rows(connection, sla_events, new_events)
    for event, message_id in zip(opened, _pending_messages(connection, opened), strict=True):
        current[event.inquiry_id]["message_id"] = message_id
    insert_rows(connection, inquiries, [row for key, row in current.items() if key not in stored])
    update_rows(connection, inquiries, "inquiry_id", [row for key, row in current.items()
                                                      if key in stored and row != stored[key]])


def _pending_messages(connection: Connection, opened: Sequence[SlaEvent]) -> list[str]:
    """``projection._pending_message`` for each newly opened inquiry: the newest citizen message of its
    conversation since it opened, else the inquiry's own message id."""
    if not opened:
        return []
    candidates: dict[str, list[sa.Row[Any]]] = {}
    for row in _rows_where_in(connection, sa.select(messages.c.id, messages.c.conversation_key,
                                                    messages.c.created_at).where(messages.c.from_account.is_(False)),
                              messages.c.conversation_key, [e.conversation_key for e in opened]):
        candidates.setdefault(row.conversation_key, []).append(row)
    found = []
    for event in opened:
        since = [(row.created_at, row.id) for row in candidates.get(event.conversation_key, ())
                 if row.created_at >= event.received_at]
        found.append(max(since)[1] if since else event.inquiry_id)
    return found


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


ACTION_STEP = ("outcome", "approved_by", "platform_id", "failure", "detail", "updated_at")


def write_actions(connection: Connection, events: Sequence[ActionEvent]) -> None:
    """``apply_action`` for each event in order: one row per action with its latest step."""
    if not events:
        return
    stored = {row.action_id: dict(row._mapping) for row in _rows_where_in(
        connection, sa.select(actions.c.action_id, *(actions.c[name] for name in ACTION_STEP)), actions.c.action_id,
        [e.action_id for e in events])}
    current = {key: dict(value) for key, value in stored.items()}
    inserts: dict[str, dict[str, Any]] = {}
    for event in events:
        row = current.get(event.action_id)
        if row is None:
            inserts[event.action_id] = current[event.action_id] = action_row(event)
        elif OUTCOME_RANK[event.outcome] > OUTCOME_RANK[row["outcome"]]:
            row.update(outcome=event.outcome.value, approved_by=event.approved_by, platform_id=event.platform_id,
                       failure=event.failure.value if event.failure else None, detail=event.detail,
                       updated_at=event.at)
    insert_rows(connection, actions, list(inserts.values()))
    update_rows(connection, actions, "action_id", [{"action_id": key, **{name: row[name] for name in ACTION_STEP}}
                                                   for key, row in current.items()
                                                   if key in stored and row != stored[key]])

