"""innboks/store/batch.py is the same projection as ``apply``, on SQLite and PostgreSQL.

Seeded streams of what the topics carry (questions with their platform items, triages read before or
after their messages, follow-ups, edits, our replies without and then with their items, SLA clocks
before their messages, warnings, snoozes and wake-ups, answers and closes by staff, late earlier
states, cases, actions with approvals that edit the reply, crisis switches with inquiries on the
crisis policy that return to their normal one, facts, archive receipts, accounts' control records,
re-deliveries) are applied once in batches and once record by record (``apply``, in the order read),
with the consumer's crisis rule at each batch's end; every projected table, the change feed (kind,
actor, details, version, in order) and the conversations' versions must come out the same.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from innboks.config import topics
from innboks.config.sla import SlaConfig
from innboks.db import live
from innboks.db.engine import open_store
from innboks.db.fulltext import clear_index
from innboks.db.schema import (
    PROJECTED,
    actions,
    archive_events,
    case_archive,
    cases,
    changes,
    control_state,
    conversation_versions,
    facts_versions,
    inquiries,
    message_revisions,
    messages,
    sla_events,
)
from innboks.domain.policies import built_policies, crisis_policy_of
from innboks.store.batch import apply_batch
from innboks.store.projection import apply, follow_crisis
from schemas import (
    ACCOUNT_KEY_PREFIX,
    FACTS_KEY,
    ActionEvent,
    ActionKind,
    ActionOutcome,
    ArchiveReceipt,
    ArchiveStatus,
    CaseForward,
    Category,
    CloseReason,
    ControlEvent,
    EscalationReason,
    Event,
    FactsEvent,
    HideReason,
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
ORDER = (topics.MESSAGES, topics.TRIAGED, topics.SLA, topics.CASES, topics.ACTIONS, topics.CONTROL,
         topics.ARCHIVE_RECEIPTS)
CRISIS, POLICIES = crisis_policy_of(SlaConfig()), built_policies(SlaConfig())


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

    def put(topic: str, model: Any, key: bytes | None = None) -> None:
        streams[topic].append(Rec(topic, model.to_json_bytes(),
                                  key or (b"crisis" if topic == topics.CONTROL else None)))

    start = T0
    crisis_from, crisis_until = 10.0 * (n // 3), 10.0 * (2 * n // 3)
    for c in range(n):
        base = 10.0 * c
        if c == n // 3:
            put(topics.CONTROL, ControlEvent(active=True, reason="Flom", set_by="anne",
                                             at=T0 + timedelta(minutes=base)))
        if c == 2 * n // 3:
            put(topics.CONTROL, ControlEvent(active=False, reason="Over", set_by="anne",
                                             at=T0 + timedelta(minutes=base)))
        if c % 7 == 3:
            document = f"kontor: Rådhuset {c}\n"
            put(topics.CONTROL, FactsEvent(document=document, digest=hashlib.sha256(document.encode()).hexdigest(),
                                           set_by="anne", at=T0 + timedelta(minutes=base)), FACTS_KEY.encode())
        if c % 11 == 5:  # an account connected in Kontoer: not for the projection
            streams[topics.CONTROL].append(Rec(topics.CONTROL, b'{"anything": 1}',
                                               f"{ACCOUNT_KEY_PREFIX}facebook:{c}".encode()))
        question = _message(f"q{c}", f"c{c}", base, rng.choice(["Når brøytes veien?", "Hei", "Søknad?"]),
                            author=rng.choice(["Kari", None]))
        put(topics.MESSAGES, _normalized(question))
        escalate = rng.random() < 0.3
        triage = Triage(category=rng.choice(list(Category)), language=Language.BOKMAL, escalate=escalate,
                        escalation_reasons=[EscalationReason.MEDIA] if escalate else [], rules=["r"])
        put(topics.TRIAGED, TriagedMessage(message=question, triage=triage, triaged_at=question.fetched_at))
        in_crisis = crisis_from <= base < crisis_until
        clock = {"inquiry_id": question.id, "conversation_key": question.key, "account_id": PAGE_ID,
                 "platform": Platform.FACEBOOK, "policy": CRISIS.name if in_crisis else "standard",
                 "normal_policy": "standard" if in_crisis else None, "received_at": question.created_at,
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
        asleep = False
        if rng.random() < 0.3:  # snoozed by staff (until a time, or until the citizen writes), sometimes woken
            until = rng.choice([None, question.created_at + timedelta(days=1)])
            put(topics.SLA, SlaEvent(event_id=f"{question.id}:snoozed", state=SlaState.SNOOZED, closed_by="per",
                                     snoozed_until=until, emitted_at=question.fetched_at + timedelta(minutes=4),
                                     **clock))
            asleep = rng.random() < 0.5
            if not asleep:
                put(topics.SLA, SlaEvent(event_id=f"{question.id}:woken", state=SlaState.OPENED,
                                         emitted_at=question.fetched_at + timedelta(minutes=4.5), **clock))
        if rng.random() < 0.15 and not asleep:  # closed by staff without a reply
            put(topics.SLA, SlaEvent(event_id=f"{question.id}:closed", state=SlaState.CLOSED,
                                     emitted_at=question.fetched_at + timedelta(minutes=4.8), closed_by="per",
                                     closed_because=CloseReason.NO_REPLY_NEEDED,
                                     resolution=Resolution.CLOSED_WITHOUT_REPLY, **clock))
        if rng.random() < 0.2:  # a hiding that needs approval: requested, approved, done
            hide = ActionEvent(action_id=f"hide-{c:04d}", outcome=ActionOutcome.REQUESTED, kind=ActionKind.HIDE,
                               target=question, reason=HideReason.PERSONAL_ATTACK, requested_by="kari",
                               needs_approval=True, at=question.fetched_at + timedelta(minutes=1))
            put(topics.ACTIONS, hide)
            put(topics.ACTIONS, hide.model_copy(update={"outcome": ActionOutcome.APPROVED, "approved_by": "per"}))
            put(topics.ACTIONS, hide.model_copy(update={"outcome": ActionOutcome.DONE, "approved_by": "per"}))
        if rng.random() < 0.75 and not asleep:  # answered: the action's steps, our reply, the platform's sighting
            reply = _message(f"r{c}", f"c{c}", base + 5, "Hei! Se alta.kommune.no.", ours=True)
            approval = rng.random() < 0.4
            automatic = not approval and rng.random() < 0.2
            asked = "Hei! Se nettsiden." if approval else reply.text
            request = ActionEvent(action_id=f"action-{c:04d}", outcome=ActionOutcome.REQUESTED, kind=ActionKind.REPLY,
                                  target=question, text=asked, requested_by="system:out-of-hours" if automatic
                                  else "kari", automatic=automatic, needs_approval=approval, at=reply.fetched_at)
            put(topics.ACTIONS, request)
            if approval:  # approved with the text edited, which is what is posted
                put(topics.ACTIONS, request.model_copy(update={"outcome": ActionOutcome.APPROVED, "approved_by": "per",
                                                               "text": reply.text}))
                request = request.model_copy(update={"approved_by": "per", "text": reply.text})
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
            if rng.random() < 0.5:  # forwarded to the archive: its receipts
                for attempt, status in enumerate(rng.choice([["pending", "sent", "received", "archived"],
                                                             ["pending", "sent", "failed"]]), start=1):
                    put(topics.ARCHIVE_RECEIPTS, ArchiveReceipt(
                        event_id=f"case{c}:{status}", case_id=f"case{c}", revision=0, conversation_key=question.key,
                        inquiry_id=question.id, status=ArchiveStatus(status), attempt=1 if attempt < 4 else 2,
                        retry=status == "failed", saksaar=2026 if status == "archived" else None,
                        sakssekvensnummer=c if status == "archived" else None,
                        at=question.fetched_at + timedelta(minutes=attempt)))
        start = max(start, question.fetched_at)
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
              cases: (cases.c.case_id, cases.c.revision), actions: actions.c.action_id,
              control_state: control_state.c.key, facts_versions: (facts_versions.c.digest, facts_versions.c.at),
              archive_events: archive_events.c.event_id,
              case_archive: (case_archive.c.case_id, case_archive.c.revision)}
    out = {}
    with engine.connect() as connection:
        for table, order in tables.items():
            keys = order if isinstance(order, tuple) else (order,)
            out[table.name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*keys))]
        # The feed in its order, without its position and the time it was written.
        out["changes"] = [tuple(row) for row in connection.execute(sa.select(
            *(column for column in changes.c if column.name not in ("id", "at"))).order_by(changes.c.id))]
        out["conversation_versions"] = [tuple(row) for row in connection.execute(sa.select(
            conversation_versions.c.conversation_key, conversation_versions.c.version)
            .order_by(conversation_versions.c.conversation_key))]
        if engine.dialect.name == "sqlite":
            out["message_search"] = [tuple(row) for row in connection.execute(sa.text(
                "SELECT message_id, revision, words, author FROM message_search ORDER BY message_id, revision"))]
    return out


def empty(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for table in (*reversed(PROJECTED), changes, conversation_versions):
            connection.execute(table.delete())
        clear_index(connection)


@pytest.mark.parametrize("seed, batch_size", [(1, 7), (2, 50), (3, 400), (4, 13), (5, 1000)])
def test_a_batch_is_the_projection_of_its_records_applied_one_by_one(store_url, seed, batch_size) -> None:
    rng = random.Random(seed)
    records = interleaved(rng, conversation_streams(rng, 40), redeliveries=25)
    engine = open_store(store_url)
    moved: dict[str, int] = {}
    try:
        for start in range(0, len(records), batch_size):
            with engine.begin() as connection:
                for record in records[start:start + batch_size]:
                    apply(connection, record.topic, record.value, record.key)
                moved["one by one"] = moved.get("one by one", 0) + follow_crisis(connection, CRISIS, POLICIES)
        one_by_one = dump(engine)
        empty(engine)
        for start in range(0, len(records), batch_size):
            with engine.begin() as connection, live.buffered(connection):  # as the consumer writes a batch
                assert apply_batch(connection, records[start:start + batch_size]) == []
                moved["batched"] = moved.get("batched", 0) + follow_crisis(connection, CRISIS, POLICIES)
        batched = dump(engine)
    finally:
        engine.dispose()
    assert {name: len(rows) for name, rows in batched.items()} == {name: len(rows) for name, rows in one_by_one.items()}
    for name in one_by_one:
        assert batched[name] == one_by_one[name], name
    assert moved["batched"] == moved["one by one"]
    # The streams reach what they should: escalations sorted out, snoozes, closes, the crisis and its
    # end, approvals' edited texts, staff as the authors of their replies, archived cases.
    escalate = [row[-1] for row in one_by_one["inquiries"]]
    assert any(escalate) and not all(escalate)
    states = {row[6] for row in one_by_one["inquiries"]}
    assert {"opened", "snoozed", "answered", "closed"} <= states, states
    assert moved["one by one"] > 0
    assert any(row[6].get("outcome") == "approved" for row in one_by_one["changes"])
    feed = one_by_one["changes"]
    assert {row[4] for row in feed} >= {"citizen", "kari", "per", "system"}, {row[4] for row in feed}
    assert {row[3] for row in feed} == {"message", "sla", "action"}
    assert any(row[5] is not None for row in feed) and any(row[5] is None for row in feed)
    assert len(one_by_one["facts_versions"]) > 1 and one_by_one["case_archive"]
    assert [row[0] for row in one_by_one["control_state"]] == ["crisis"]


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
