"""innboks/store/batch.py writes the rows the per-record rules give, on SQLite and PostgreSQL.

Seeded streams of what the topics carry (questions with their platform items, triages read before or
after their messages, follow-ups, edits, our replies without and then with their items, SLA clocks
before their messages, late earlier states, cases, actions, crisis switches, re-deliveries) are
applied once in batches and once record by record (``apply``, each batch's records topic by topic,
which is what a batch stands for); every projected table must come out the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.db.fulltext import clear_index
from innboks.db.schema import PROJECTED, actions, cases, inquiries, message_revisions, messages, sla_events
from innboks.store.batch import apply_batch
from innboks.store.projection import apply
from schemas import (
    ActionEvent,
    ActionKind,
    ActionOutcome,
    CaseForward,
    Category,
    ControlEvent,
    EscalationReason,
    Event,
    InboxMessage,
    Kind,
    Language,
    NormalizedMessage,
    Platform,
    RawItem,
    Resolution,
    Screening,
    SlaEvent,
    SlaState,
    Triage,
    TriagedMessage,
)
from tests.helpers import PAGE_ID

T0 = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
ORDER = (topics.MESSAGES, topics.TRIAGED, topics.SLA, topics.CASES, topics.ACTIONS, topics.CONTROL)


@dataclass(frozen=True)
class Rec:
    topic: str
    value: bytes | None
    key: bytes | None = None


def _message(native: str, conversation: str, minutes: float, text: str | None, *, ours: bool = False,
             event: Event = Event.CREATED, created: float | None = None, permalink: str | None = None,
             author: str | None = "Kari") -> InboxMessage:
    return InboxMessage(id=f"facebook:{native}", platform=Platform.FACEBOOK, account_id=PAGE_ID, kind=Kind.COMMENT,
                        event=event, conversation_id=conversation, from_account=ours, text=text,
                        author_id=PAGE_ID if ours else "4242", author_name="Alta kommune" if ours else author,
                        created_at=T0 + timedelta(minutes=minutes if created is None else created),
                        fetched_at=T0 + timedelta(minutes=minutes), permalink=permalink)


def _normalized(message: InboxMessage, with_raw: bool = True) -> NormalizedMessage:
    raw = RawItem(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource="comment",
                  payload={"id": message.native_id, "message": message.text}, fetched_at=message.fetched_at)
    return NormalizedMessage.model_validate({**message.__dict__, "raw": raw if with_raw else None})


def conversation_streams(rng: random.Random, n: int) -> dict[str, list[Rec]]:
    """Per topic, what a conversation's life puts there, in order."""
    streams: dict[str, list[Rec]] = {topic: [] for topic in ORDER}

    def put(topic: str, model: Any) -> None:
        streams[topic].append(Rec(topic, model.to_json_bytes(), b"crisis" if topic == topics.CONTROL else None))

    start = T0
    for c in range(n):
        base = 10.0 * c
        question = _message(f"q{c}", f"c{c}", base, rng.choice(["Når brøytes veien?", "Hei", "Søknad?"]),
                            author=rng.choice(["Kari", None]))
        put(topics.MESSAGES, _normalized(question))
        escalate = rng.random() < 0.3
        triage = Triage(category=rng.choice(list(Category)), language=Language.BOKMAL, escalate=escalate,
                        escalation_reasons=[EscalationReason.MEDIA] if escalate else [], rules=["r"])
        put(topics.TRIAGED, TriagedMessage(message=question, triage=triage, triaged_at=question.fetched_at))
        clock = {"inquiry_id": question.id, "conversation_key": question.key, "account_id": PAGE_ID,
                 "platform": Platform.FACEBOOK, "policy": "standard", "received_at": question.created_at,
                 "due_at": question.created_at + timedelta(hours=rng.choice([2, 7.5, 30]))}
        put(topics.SLA, SlaEvent(event_id=f"{question.id}:opened", state=SlaState.OPENED,
                                 emitted_at=question.fetched_at, **clock))
        if rng.random() < 0.4:  # a follow-up, triaged, sometimes escalated
            follow = _message(f"f{c}", f"c{c}", base + 2, "Hallo?")
            put(topics.MESSAGES, _normalized(follow))
            late = rng.random() < 0.3
            put(topics.TRIAGED, TriagedMessage(message=follow, triaged_at=follow.fetched_at, triage=Triage(
                category=Category.OTHER, language=Language.BOKMAL, escalate=late,
                escalation_reasons=[EscalationReason.THREAT] if late else [])))
        if rng.random() < 0.3:  # edited, then maybe hidden
            edited = _message(f"q{c}", f"c{c}", base + 3, (question.text or "") + "!", event=Event.EDITED,
                              created=base)
            put(topics.MESSAGES, _normalized(edited))
            put(topics.TRIAGED, TriagedMessage(message=edited, triaged_at=edited.fetched_at))
        if rng.random() < 0.25:
            put(topics.CASES, CaseForward(case_id=f"case{c}", inquiry=question, conversation=[question],
                                          triage=triage, screening=Screening(screened=rng.random() < 0.5),
                                          forwarded_at=question.fetched_at))
        if rng.random() < 0.1:
            put(topics.SLA, SlaEvent(event_id=f"{question.id}:warning", state=SlaState.WARNING,
                                     emitted_at=question.fetched_at + timedelta(minutes=5), **clock))
        if rng.random() < 0.75:  # answered: the executor's action steps, our reply, the platform's sighting of it
            reply = _message(f"r{c}", f"c{c}", base + 5, "Hei! Se alta.kommune.no.", ours=True)
            request = ActionEvent(action_id=f"action-{c:04d}", outcome=ActionOutcome.REQUESTED, kind=ActionKind.REPLY,
                                  target=question, text=reply.text, requested_by="kari", at=reply.fetched_at)
            put(topics.ACTIONS, request)
            put(topics.ACTIONS, request.model_copy(update={"outcome": ActionOutcome.EXECUTING}))
            put(topics.ACTIONS, request.model_copy(update={"outcome": ActionOutcome.DONE,
                                                           "platform_id": reply.native_id}))
            posted = reply.model_copy(update={"author_name": None})
            put(topics.MESSAGES, _normalized(posted, with_raw=False))
            put(topics.TRIAGED, TriagedMessage(message=posted, triaged_at=posted.fetched_at))
            sighted = reply.model_copy(update={"permalink": f"https://www.facebook.com/r{c}",
                                               "fetched_at": reply.fetched_at + timedelta(minutes=1)})
            put(topics.MESSAGES, _normalized(sighted))
            put(topics.SLA, SlaEvent(event_id=f"{question.id}:answered", state=SlaState.ANSWERED,
                                     emitted_at=reply.fetched_at, answered_at=reply.created_at, answered_by=reply.id,
                                     response_seconds=300.0, resolution=Resolution.REPLY, **clock))
        start = max(start, question.fetched_at)
    put(topics.CONTROL, ControlEvent(active=True, reason="Flom", set_by="anne", at=start))
    put(topics.CONTROL, ControlEvent(active=False, reason="Over", set_by="anne", at=start + timedelta(hours=1)))
    return streams


def interleaved(rng: random.Random, streams: dict[str, list[Rec]], redeliveries: int) -> list[Rec]:
    """The topics read in a random interleaving, each in its order, with some records read again."""
    cursors = {topic: 0 for topic in streams}
    out: list[Rec] = []
    while any(cursors[t] < len(streams[t]) for t in streams):
        topic = rng.choice([t for t in streams if cursors[t] < len(streams[t])])
        take = rng.randint(1, 12)
        out.extend(streams[topic][cursors[topic]:cursors[topic] + take])
        cursors[topic] += take
    for _ in range(redeliveries):
        out.insert(rng.randrange(len(out)), rng.choice(out))
    return out


def dump(engine: sa.Engine) -> dict[str, list[tuple]]:
    tables = {messages: messages.c.id,
              message_revisions: (message_revisions.c.message_id, message_revisions.c.revision),
              inquiries: inquiries.c.inquiry_id, sla_events: sla_events.c.event_id,
              cases: (cases.c.case_id, cases.c.revision), actions: actions.c.action_id}
    out = {}
    with engine.connect() as connection:
        for table, order in tables.items():
            keys = order if isinstance(order, tuple) else (order,)
            out[table.name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*keys))]
        if engine.dialect.name == "sqlite":
            out["message_search"] = [tuple(row) for row in connection.execute(sa.text(
                "SELECT message_id, revision, words, author FROM message_search ORDER BY message_id, revision"))]
    return out


def empty(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(PROJECTED):
            connection.execute(table.delete())
        clear_index(connection)


@pytest.mark.parametrize("seed, batch_size", [(1, 7), (2, 50), (3, 400), (4, 13)])
def test_a_batch_writes_the_rows_of_its_records_applied_one_by_one(store_url, seed, batch_size) -> None:
    rng = random.Random(seed)
    records = interleaved(rng, conversation_streams(rng, 40), redeliveries=25)
    engine = open_store(store_url)
    try:
        for start in range(0, len(records), batch_size):
            chunk = records[start:start + batch_size]
            with engine.begin() as connection:
                for record in sorted(chunk, key=lambda r: ORDER.index(r.topic)):  # stable: each topic in order
                    apply(connection, record.topic, record.value, record.key)
        one_by_one = dump(engine)
        empty(engine)
        for start in range(0, len(records), batch_size):
            with engine.begin() as connection:
                assert apply_batch(connection, records[start:start + batch_size]) == []
        batched = dump(engine)
    finally:
        engine.dispose()
    assert {name: len(rows) for name, rows in batched.items()} == {name: len(rows) for name, rows in one_by_one.items()}
    for name in one_by_one:
        assert batched[name] == one_by_one[name], name
    # The streams reach what they should: escalations sorted out, our replies with their items.
    rows = {row[0]: row for row in one_by_one["inquiries"]}
    assert any(row[-1] for row in rows.values()) and not all(row[-1] for row in rows.values())


def test_a_batch_rejects_what_is_not_its_topics_schema_by_index(store_url) -> None:
    engine = open_store(store_url)
    question = _normalized(_message("q1", "c1", 0, "Hei"))
    try:
        with engine.begin() as connection:
            rejected = apply_batch(connection, [
                Rec(topics.SLA, b"{not json"), Rec(topics.MESSAGES, question.to_json_bytes()),
                Rec(topics.CONTROL, None), Rec(topics.CASES, b""), Rec("innboks.unknown", b"{}")])
        with engine.connect() as connection:
            assert connection.execute(sa.select(messages.c.id)).scalars().all() == ["facebook:q1"]
    finally:
        engine.dispose()
    assert [(r.index, r.error.code) for r in rejected] == [(0, "schema_violation"), (3, "empty_value"),
                                                           (4, "unknown_topic")]
