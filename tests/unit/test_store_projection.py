"""The conversation store's projection: revisions kept, idempotent replays, SLA states never go back."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from innboks.config import topics
from innboks.store.engine import StoreError, open_store
from innboks.store.projection import apply
from innboks.store.schema import audit_log, inquiries, message_revisions, messages
from schemas import Category, Event, Language, SlaEvent, SlaState, Triage, TriagedMessage
from streams.normalize.process import normalize_raw
from tests.helpers import facebook_comment_raw

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture()
def engine(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


def message(text: str | None, event: Event = Event.CREATED, minutes: int = 0):
    msg = normalize_raw(facebook_comment_raw("1_100", text or "x").to_json_bytes())
    return msg.model_copy(update={"text": text, "event": event, "fetched_at": T0 + timedelta(minutes=minutes)})


def sla(state: SlaState, minutes: int, **extra) -> SlaEvent:
    msg = message("Hei")
    return SlaEvent(event_id=f"{msg.id}:{state.value}", inquiry_id=msg.id, conversation_key=msg.key,
                    account_id=msg.account_id, platform=msg.platform, policy="standard", received_at=T0,
                    due_at=T0 + timedelta(hours=7.5), state=state, emitted_at=T0 + timedelta(minutes=minutes), **extra)


def project(engine, *events) -> None:
    with engine.begin() as connection:
        for topic, event in events:
            apply(connection, topic, event.to_json_bytes())


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


def test_triage_lands_on_the_message(engine) -> None:
    msg = message("Når kommer brøytebilen?")
    triage = Triage(category=Category.GENERAL_QUESTION, language=Language.BOKMAL, rules=["question.mark"])
    project(engine, (topics.TRIAGED, TriagedMessage(message=msg, triage=triage, triaged_at=T0)))
    with engine.connect() as connection:
        row = connection.execute(sa.select(messages.c.category, messages.c.rules)).one()
    assert tuple(row) == ("general_question", ["question.mark"])


def test_a_late_opened_never_reopens_an_answered_inquiry(engine) -> None:
    answered = sla(SlaState.ANSWERED, 30, answered_at=T0 + timedelta(minutes=30), response_seconds=1800.0)
    project(engine, (topics.SLA, answered), (topics.SLA, sla(SlaState.OPENED, 0)), (topics.SLA, answered))
    with engine.connect() as connection:
        row = connection.execute(sa.select(inquiries.c.state, inquiries.c.response_seconds)).one()
    assert tuple(row) == ("answered", 1800.0)


def test_the_audit_log_is_append_only(engine) -> None:
    with engine.begin() as connection:
        connection.execute(audit_log.insert().values(at=T0, actor="kari", action="assign", details={}))
    for statement in (audit_log.update().values(actor="ola"), audit_log.delete()):
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(statement)


def test_a_bad_store_url_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="not a store URL"):
        open_store("mysql+nosuchdriver://x")
