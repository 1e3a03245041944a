"""Messages in, rows in the store, the inbox lists the open inquiries in due order: on the embedded broker."""

from __future__ import annotations

import uuid

import pytest
from starlette.testclient import TestClient

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.store.consumer import Projection
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from tests.helpers import PAGE_ID, facebook_comment_raw, produce
from tests.inbox_data import registry

pytestmark = pytest.mark.integration


def test_the_inbox_follows_the_pipeline_through_the_store(store_url, broker, reader, worker) -> None:
    run = uuid.uuid4().int % 10**9
    ids = [f"{run}_{n}" for n in range(3)]
    created = ["2026-11-16T10:00:00+0000", "2026-11-16T08:30:00+0000", "2026-11-17T09:00:00+0000"]
    texts = ["Når blir Markveien brøytet?", "Hvor finner jeg skjema for startlån?", "Er svømmehallen åpen i jula?"]
    questions = [facebook_comment_raw(i, t, created=c) for i, t, c in zip(ids, texts, created, strict=True)]
    produce(broker.bootstrap_servers, topics.RAW, [(b"k", raw.to_json_bytes()) for raw in questions])
    for native in ids:
        reader.wait_for(topics.SLA, lambda e, n=native: e["inquiry_id"] == f"facebook:{n}" and e["state"] == "opened")
    marker = f"bad-{run}".encode()
    # Not an SlaEvent, but with the fields other tests filter the topic by.
    produce(broker.bootstrap_servers, topics.SLA, [(marker, b'{"inquiry_id": "bad", "state": "opened"}')])

    engine = open_store(store_url)
    add_user(engine, "kari", "operator", "hemmelig-passord")
    projection = Projection(engine, broker.bootstrap_servers)
    try:
        projection.catch_up(timeout=60)
        client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
        client.auth = ("kari", "hemmelig-passord")
        mine = [r for r in client.get("/api/inquiries?state=all&limit=1000").json()
                if r["message_id"] in {f"facebook:{i}" for i in ids}]
        # Due one business day after each question: 08:30 first, then 10:00, then the next day.
        assert [r["message_id"] for r in mine] == [f"facebook:{ids[1]}", f"facebook:{ids[0]}", f"facebook:{ids[2]}"]
        assert mine[0]["text"] == texts[1] and mine[0]["category"] == "general_question"
        assert all(r["state"] in ("opened", "warning", "breached") for r in mine)

        answer = facebook_comment_raw(f"{run}_9", "Hei! Skjemaet ligger på alta.kommune.no/startlan.",
                                      author=PAGE_ID, parent=ids[1], created="2026-11-16T09:00:00+0000")
        produce(broker.bootstrap_servers, topics.RAW, [(b"k", answer.to_json_bytes())])
        reader.wait_for(topics.SLA, lambda e: e["inquiry_id"] == f"facebook:{ids[1]}" and e["state"] == "answered")
        projection.catch_up(timeout=60)
        open_now = {r["message_id"] for r in client.get("/api/inquiries?state=open&limit=1000").json()}
        assert f"facebook:{ids[1]}" not in open_now and f"facebook:{ids[0]}" in open_now
        answered = {r["message_id"]: r for r in client.get("/api/inquiries?state=answered&limit=1000").json()}
        assert answered[f"facebook:{ids[1]}"]["in_time"] is True
        thread = client.get(f"/api/conversations/{mine[0]['conversation_key']}").json()
        assert [m["from_account"] for m in thread["messages"]] == [False, True]
    finally:
        projection.close()
    letters = reader.wait_for(topics.DEADLETTER, lambda d: d["key"] == marker.decode() and d["stage"] == "store")
    assert letters[0]["reason_code"] == "schema_violation" and letters[0]["source_topic"] == topics.SLA


def test_a_projection_started_before_the_topics_picks_them_up(tmp_path) -> None:
    from innboks.db.schema import messages
    from innboks.kafka.admin import create_topics
    from innboks.kafka.broker import EmbeddedBroker
    from streams.normalize.process import normalize_raw

    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker:
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        projection = Projection(engine, broker.bootstrap_servers, dead_letters=lambda key, value: None)
        try:
            assert projection.step() == 0 and not projection.refresh_partitions()  # nothing there yet
            create_topics(broker.bootstrap_servers, 2, 1)
            message = normalize_raw(facebook_comment_raw("1_1", "Hei").to_json_bytes())
            produce(broker.bootstrap_servers, topics.MESSAGES, [(message.key.encode(), message.to_json_bytes())])
            assert projection.refresh_partitions()
            projection.catch_up(timeout=30)
        finally:
            projection.close()
        with engine.connect() as connection:
            assert connection.execute(messages.select()).one().id == message.id


def test_a_crisis_moves_the_stores_open_inquiries_to_the_crisis_deadline_at_once(tmp_path) -> None:
    """The SLA agent tells of the switch only with an inquiry's next warning; the store does not wait."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from innboks.config.sla import SlaConfig
    from innboks.db.schema import inquiries
    from innboks.domain.policies import crisis_policy_of
    from innboks.kafka.admin import create_topics
    from innboks.kafka.broker import EmbeddedBroker
    from schemas import ControlEvent, Platform, SlaEvent, SlaState

    received = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    opened = SlaEvent(event_id="facebook:1_1:opened", inquiry_id="facebook:1_1",
                      conversation_key=f"facebook:{PAGE_ID}:1_1", account_id=PAGE_ID, platform=Platform.FACEBOOK,
                      policy="standard", received_at=received,
                      due_at=received + timedelta(days=1), state=SlaState.OPENED, emitted_at=received)
    crisis_on = ControlEvent(active=True, reason="Flom", set_by="anne", at=received + timedelta(minutes=5))
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker:
        create_topics(broker.bootstrap_servers, 2, 1)
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        projection = Projection(engine, broker.bootstrap_servers, dead_letters=lambda key, value: None,
                                crisis_policy=crisis_policy_of(SlaConfig()))
        try:
            produce(broker.bootstrap_servers, topics.SLA, [(opened.conversation_key.encode(), opened.to_json_bytes())])
            produce(broker.bootstrap_servers, topics.CONTROL, [(b"crisis", crisis_on.to_json_bytes())])
            projection.catch_up(timeout=30)
        finally:
            projection.close()
        with engine.connect() as connection:
            row = connection.execute(sa.select(inquiries.c.policy, inquiries.c.due_at)).one()
    assert (row.policy, row.due_at) == ("crisis", received + timedelta(hours=1))
