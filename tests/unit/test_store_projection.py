"""The conversation store's projection on SQLite and PostgreSQL: revisions, idempotency, out-of-order events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from innboks.config import topics
from innboks.db.engine import StoreError, open_store
from innboks.db.schema import (
    audit_log,
    cases,
    control_state,
    include_name,
    inquiries,
    message_revisions,
    messages,
    metadata,
)
from innboks.store.projection import InvalidRecord, apply
from schemas import Category, ControlEvent, Event, Language, SlaEvent, SlaState, Triage, TriagedMessage
from streams.normalize.process import normalize_raw
from tests.helpers import facebook_comment_raw

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture()
def engine(store_url):
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def message(text: str | None, event: Event = Event.CREATED, minutes: int = 0, native: str = "1_100",
            created_minutes: int = 0, parent: str | None = None):
    msg = normalize_raw(facebook_comment_raw(native, text or "x", parent=parent).to_json_bytes())
    return msg.model_copy(update={"text": text, "event": event, "fetched_at": T0 + timedelta(minutes=minutes),
                                  "created_at": T0 + timedelta(minutes=created_minutes)})


def sla(state: SlaState, minutes: int, **extra) -> SlaEvent:
    msg = message("Hei")
    return SlaEvent(event_id=f"{msg.id}:{state.value}", inquiry_id=msg.id, conversation_key=msg.key,
                    account_id=msg.account_id, platform=msg.platform, policy="standard", received_at=T0,
                    due_at=T0 + timedelta(hours=7.5), state=state, emitted_at=T0 + timedelta(minutes=minutes), **extra)


def project(engine, *events) -> None:
    with engine.begin() as connection:
        for topic, event in events:
            apply(connection, topic, event.to_json_bytes(), b"crisis" if topic == topics.CONTROL else None)


def test_the_migrations_build_exactly_the_declared_schema(engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"include_name": include_name}),
                                       metadata)
    assert differences == []
    open_store(str(engine.url.render_as_string(hide_password=False))).dispose()  # migrating again is a no-op


def test_every_revision_is_kept_and_the_latest_state_shown(engine) -> None:
    history = [message("Søknaden min er borte"), message("Søknaden min er borte!", Event.EDITED, 5),
               message("Søknaden min er borte!", Event.HIDDEN, 9), message(None, Event.DELETED, 12)]
    project(engine, *[(topics.MESSAGES, m) for m in history])
    project(engine, *[(topics.MESSAGES, m) for m in history])  # a replay adds nothing
    with engine.connect() as connection:
        revisions = connection.execute(sa.select(message_revisions.c.revision, message_revisions.c.event,
                                                 message_revisions.c.text).order_by("revision")).all()
        latest = connection.execute(sa.select(messages.c.event, messages.c.text, messages.c.revision)).one()
    assert [tuple(r) for r in revisions] == [(0, "created", "Søknaden min er borte"),
                                            (1, "edited", "Søknaden min er borte!"),
                                            (2, "hidden", "Søknaden min er borte!"), (3, "deleted", None)]
    assert tuple(latest) == ("deleted", "Søknaden min er borte!", 3)  # the last text seen stays readable


def test_triage_lands_on_the_message_whichever_topic_comes_first(engine) -> None:
    msg = message("Når kommer brøytebilen?")
    triage = Triage(category=Category.GENERAL_QUESTION, language=Language.BOKMAL, rules=["question.mark"])
    project(engine, (topics.TRIAGED, TriagedMessage(message=msg, triage=triage, triaged_at=T0)),
            (topics.MESSAGES, msg))
    with engine.connect() as connection:
        row = connection.execute(sa.select(messages.c.category, messages.c.rules)).one()
        assert connection.execute(sa.select(sa.func.count()).select_from(message_revisions)).scalar() == 1
    assert tuple(row) == ("general_question", ["question.mark"])


def test_each_message_is_written_once_and_its_triage_only_updates_it(engine) -> None:
    """From innboks.triaged the store takes the triage: an UPDATE, not the message again."""
    msg = message("Når kommer brøytebilen?")
    triage = Triage(category=Category.GENERAL_QUESTION, language=Language.BOKMAL, rules=["question.mark"])
    project(engine, (topics.MESSAGES, msg))
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement.split()[0] + " " + statement.split()[1 if statement.startswith("UPDATE") else 0])

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        with engine.begin() as connection:
            apply(connection, topics.TRIAGED, TriagedMessage(message=msg.inbox_message(), triage=triage,
                                                             triaged_at=T0).to_json_bytes())
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    # The triage onto the message, and the conversation's inquiries told whether they are escalated now.
    assert [s for s in statements if not s.startswith(("BEGIN", "COMMIT"))] == ["UPDATE messages", "UPDATE inquiries"]
    with engine.connect() as connection:
        assert connection.execute(sa.select(messages.c.category)).scalar() == "general_question"


@pytest.mark.parametrize("order", ["message, triage, clock", "clock, triage, message", "triage, clock, message"])
def test_an_inquiry_is_escalated_when_its_first_or_pending_message_is_whatever_comes_first(engine, order) -> None:
    """``inquiries.escalate`` (the list's first sort key) is what the inbox shows: first or pending escalated."""
    from schemas import EscalationReason

    first = message("Hei?")
    follow_up = message("Jeg skal ta dere", native="1_101", created_minutes=20, parent="1_100")
    calm = Triage(category=Category.OTHER, language=Language.BOKMAL)
    threat = Triage(category=Category.OTHER, language=Language.BOKMAL, escalate=True,
                    escalation_reasons=[EscalationReason.THREAT])
    records = {"message": (topics.MESSAGES, first),
               "triage": (topics.TRIAGED, TriagedMessage(message=first.inbox_message(), triage=calm, triaged_at=T0)),
               "clock": (topics.SLA, sla(SlaState.OPENED, 0))}
    project(engine, *(records[name] for name in order.split(", ")))

    def escalated() -> bool:
        with engine.connect() as connection:
            return connection.execute(sa.select(inquiries.c.escalate)).scalar_one()

    assert not escalated()
    project(engine, (topics.TRIAGED, TriagedMessage(message=follow_up.inbox_message(), triage=threat, triaged_at=T0)))
    assert escalated()  # the follow-up, written from its triage's copy, is the message to answer now
    project(engine, (topics.MESSAGES, follow_up))
    assert escalated()


def test_a_late_opened_never_reopens_an_answered_inquiry(engine) -> None:
    answered = sla(SlaState.ANSWERED, 30, answered_at=T0 + timedelta(minutes=30), response_seconds=1800.0)
    project(engine, (topics.SLA, answered), (topics.SLA, sla(SlaState.OPENED, 0)), (topics.SLA, answered))
    with engine.connect() as connection:
        row = connection.execute(sa.select(inquiries.c.state, inquiries.c.response_seconds)).one()
    assert tuple(row) == ("answered", 1800.0)


def test_the_pending_message_follows_the_citizens_newest_message(engine) -> None:
    first, follow_up = message("Hei?"), message("Hallo, noen der?", native="1_101", created_minutes=20,
                                                        parent="1_100")
    project(engine, (topics.SLA, sla(SlaState.OPENED, 0)))  # the clock before its message
    with engine.connect() as connection:
        assert connection.execute(sa.select(inquiries.c.message_id)).scalar() == first.id
    project(engine, (topics.MESSAGES, first), (topics.MESSAGES, follow_up))
    with engine.connect() as connection:
        assert connection.execute(sa.select(inquiries.c.message_id)).scalar() == follow_up.id
    project(engine, (topics.MESSAGES, first))  # a re-delivered older message changes nothing
    with engine.connect() as connection:
        assert connection.execute(sa.select(inquiries.c.message_id)).scalar() == follow_up.id


def test_crisis_mode_is_kept_with_the_newest_switch(engine) -> None:
    on = ControlEvent(active=True, reason="Flom", set_by="anne", at=T0)
    off = ControlEvent(active=False, reason="Over", set_by="anne", at=T0 + timedelta(hours=5))
    project(engine, (topics.CONTROL, off), (topics.CONTROL, on))
    with engine.connect() as connection:
        assert tuple(connection.execute(sa.select(control_state.c.active, control_state.c.reason)).one()) == (
            False, "Over")


def test_a_crisis_moves_no_earlier_inquiry_and_those_it_brought_return_to_their_policy_after(engine) -> None:
    from innboks.config.sla import SlaConfig
    from innboks.domain.policies import built_policies, crisis_policy_of
    from innboks.store.projection import follow_crisis

    crisis, policies = crisis_policy_of(SlaConfig()), built_policies(SlaConfig())
    during = message("Er vannet trygt å drikke?", native="1_201")
    in_crisis = SlaEvent(event_id=f"{during.id}:opened", inquiry_id=during.id, conversation_key=during.key,
                         account_id=during.account_id, platform=during.platform, policy="crisis",
                         normal_policy="standard", received_at=T0 + timedelta(hours=1),
                         due_at=T0 + timedelta(hours=2), state=SlaState.OPENED, emitted_at=T0)
    project(engine, (topics.CONTROL, ControlEvent(active=True, reason="Flom", set_by="anne", at=T0)),
            (topics.SLA, sla(SlaState.OPENED, 0)), (topics.SLA, in_crisis))

    def rows() -> list[tuple]:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(sa.select(
                inquiries.c.inquiry_id, inquiries.c.policy, inquiries.c.due_at).order_by(inquiries.c.received_at))]

    before = rows()
    with engine.begin() as connection:
        assert follow_crisis(connection, crisis, policies) == 0  # during the crisis nothing moves
    assert rows() == before == [(sla(SlaState.OPENED, 0).inquiry_id, "standard", T0 + timedelta(hours=7.5)),
                                (during.id, "crisis", T0 + timedelta(hours=2))]
    project(engine, (topics.CONTROL, ControlEvent(active=False, reason="Over", set_by="anne",
                                                  at=T0 + timedelta(hours=3))))
    with engine.begin() as connection:
        assert follow_crisis(connection, crisis, policies) == 1
        assert follow_crisis(connection, crisis, policies) == 0  # idempotent
    # Received Monday 10:00: one business day (7.5 h from 08:00–15:30) is Tuesday 10:00 Oslo time.
    assert rows()[1] == (during.id, "standard", policies["standard"].due_at(T0 + timedelta(hours=1)))
    assert rows()[0] == before[0]


def test_cases_are_kept_once_per_revision(engine) -> None:
    from schemas import CaseForward, Screening

    inquiry = message("Jeg vil klage på vedtaket i saken min")
    triage = Triage(category=Category.CASE_HANDLING, language=Language.BOKMAL)
    case = CaseForward(case_id="c1", inquiry=inquiry, conversation=[inquiry], triage=triage,
                       screening=Screening(screened=False), forwarded_at=T0)
    project(engine, (topics.CASES, case), (topics.CASES, case))
    with engine.connect() as connection:
        assert connection.execute(sa.select(cases.c.case_id, cases.c.revision)).all() == [("c1", 0)]


@pytest.mark.parametrize("topic, value, code", [
    (topics.SLA, b"", "empty_value"),
    (topics.SLA, b"{not json", "schema_violation"),
    (topics.CASES, b'{"case_id": 7}', "schema_violation"),
    (topics.MESSAGES, b"[]", "schema_violation"),
    ("innboks.unknown", b"{}", "unknown_topic"),
])
def test_a_bad_record_is_one_clear_reason(engine, topic, value, code) -> None:
    with engine.begin() as connection, pytest.raises(InvalidRecord) as info:
        apply(connection, topic, value)
    assert info.value.code == code and info.value.reason


def test_the_audit_log_is_append_only(engine) -> None:
    with engine.begin() as connection:
        connection.execute(audit_log.insert().values(at=T0, actor="kari", action="assign", details={}))
    for statement in (audit_log.update().values(actor="ola"), audit_log.delete()):
        with pytest.raises(sa.exc.DatabaseError), engine.begin() as connection:
            connection.execute(statement)


@pytest.mark.parametrize("url, message", [("mysql+nosuchdriver://x", "not a store URL"),
                                          ("oracle://u@h/db", "not a store URL|unsupported store"),
                                          ("sqlite:////nonexistent/dir/store.db", "cannot open the store")])
def test_a_bad_store_url_is_one_clear_error(url, message) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(url)


def test_the_platforms_later_sighting_of_our_reply_fills_in_its_link_and_is_no_new_revision(engine) -> None:
    posted = message("Hei! Svaret kommer.").model_copy(update={"permalink": None, "author_name": None})
    polled = posted.model_copy(update={"permalink": "https://www.facebook.com/1_100", "author_name": "Alta kommune",
                                       "fetched_at": T0 + timedelta(minutes=1)})
    project(engine, (topics.MESSAGES, posted), (topics.MESSAGES, polled))
    with engine.connect() as connection:
        row = connection.execute(sa.select(messages.c.permalink, messages.c.author_name, messages.c.revision)).one()
        assert connection.execute(sa.select(sa.func.count()).select_from(message_revisions)).scalar() == 1
    assert tuple(row) == ("https://www.facebook.com/1_100", "Alta kommune", 0)


def test_a_batch_writes_the_change_feed_at_its_end_with_the_same_versions(engine) -> None:
    from innboks.db import live

    first, second = message("Hei", native="1_300"), message("Hallo", native="1_301")
    with engine.begin() as connection, live.buffered(connection) as feed:
        for m in (first, second):
            apply(connection, topics.MESSAGES, m.to_json_bytes())
        mark = len(feed)
        apply(connection, topics.MESSAGES, message("Hei igjen", native="1_302").to_json_bytes())
        del feed[mark:]  # a record the consumer rolled back
        assert connection.execute(sa.select(sa.func.count()).select_from(live.changes)).scalar() == 0
    with engine.begin() as connection:
        apply(connection, topics.MESSAGES, first.model_copy(update={"text": "Hei!", "event": Event.EDITED})
              .to_json_bytes())  # unbuffered: written at once
        feed = live.feed(connection, 0)
        versions = live.versions_of(connection, [first.key, second.key])
    assert [(c["conversation_key"], c["version"], c["actor"]) for c in feed] == [
        (first.key, 1, "citizen"), (second.key, 1, "citizen"), (first.key, 2, "citizen")]
    assert versions == {first.key: 2, second.key: 1}
