"""The inbox's JSON API and pages over a real SQLite store: order, filters, roles, corrections, audit."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from innboks.config import topics
from innboks.config.accounts import Account, Registry
from innboks.inbox.app import create_app
from innboks.inbox.users import add_user
from innboks.store.engine import open_store
from innboks.store.projection import apply
from innboks.store.schema import audit_log, triage_corrections
from schemas import Category, Language, Platform, SlaEvent, SlaState, Triage, TriagedMessage
from streams.normalize.process import normalize_raw
from tests.helpers import PAGE_ID, facebook_comment_raw

NOW = datetime.now(UTC)


def inquiry(connection, native: str, text: str, due_in_hours: float, category: Category) -> str:
    msg = normalize_raw(facebook_comment_raw(native, text).to_json_bytes())
    triage = Triage(category=category, language=Language.BOKMAL, suggested_reply="Takk for meldingen!")
    apply(connection, topics.TRIAGED, TriagedMessage(message=msg, triage=triage, triaged_at=NOW).to_json_bytes())
    event = SlaEvent(event_id=f"{msg.id}:opened", inquiry_id=msg.id, conversation_key=msg.key,
                     account_id=msg.account_id, platform=msg.platform, policy="standard",
                     received_at=NOW - timedelta(hours=1), due_at=NOW + timedelta(hours=due_in_hours),
                     state=SlaState.OPENED, emitted_at=NOW)
    apply(connection, topics.SLA, event.to_json_bytes())
    return msg.id


@pytest.fixture()
def client(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as connection:
        ids = [inquiry(connection, "1_300", "Når blir veien brøytet?", 5, Category.GENERAL_QUESTION),
               inquiry(connection, "1_301", "Byggesøknaden min har ikke fått svar", -2, Category.CASE_HANDLING),
               inquiry(connection, "1_302", "Takk for god hjelp", 30, Category.FEEDBACK)]
    add_user(engine, "kari", "operator", "hemmelig-passord")
    add_user(engine, "lars", "reader", "hemmelig-passord")
    registry = Registry(accounts=[Account(platform=Platform.FACEBOOK, account_id=PAGE_ID, name="Alta kommune",
                                          owning_unit="Kommunikasjon")])
    test_client = TestClient(create_app(engine, registry))
    test_client.auth = ("kari", "hemmelig-passord")
    test_client.engine, test_client.ids = engine, ids
    return test_client


def test_open_inquiries_come_most_urgent_first_with_the_contract_fields(client) -> None:
    rows = client.get("/api/inquiries?state=open").json()
    assert [r["message_id"] for r in rows] == [client.ids[1], client.ids[0], client.ids[2]]
    assert set(rows[0]) >= {"inquiry_id", "message_id", "conversation_key", "platform", "account_id", "state",
                            "received_at", "due_at", "category", "escalate", "moderation", "text", "author_name",
                            "suggested_reply", "permalink", "assignee"}
    assert rows[0]["overdue"] and rows[0]["business_seconds_left"] <= 0  # 0 outside business hours
    assert [r["message_id"] for r in client.get("/api/inquiries?state=overdue").json()] == [client.ids[1]]


def test_assign_filters_and_is_audited(client) -> None:
    reply = client.post(f"/api/inquiries/{client.ids[0]}/assign", json={"assignee": "kari"})
    assert reply.status_code == 200 and reply.json()["assignee"] == "kari"
    assert [r["message_id"] for r in client.get("/api/inquiries?assignee=kari").json()] == [client.ids[0]]
    assert len(client.get("/api/inquiries?unassigned=1").json()) == 2
    with client.engine.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.actor, audit_log.c.action)).all()
    assert ("kari", "assign") in [tuple(a) for a in actions]


def test_a_triage_correction_is_kept_with_who(client) -> None:
    reply = client.post(f"/api/messages/{client.ids[0]}/triage",
                        json={"category": "case_handling", "moderation": ["third_party"]})
    assert reply.status_code == 200
    with client.engine.connect() as connection:
        row = connection.execute(sa.select(triage_corrections)).one()
    assert (row.category, row.moderation, row.corrected_by) == ("case_handling", ["third_party"], "kari")
    thread = client.get(f"/api/conversations/{client.get('/api/inquiries').json()[1]['conversation_key']}").json()
    assert thread["messages"][0]["correction"]["category"] == "case_handling"


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("post", "/api/messages/facebook:404/triage", {"json": {"category": "other"}}, 404),
    ("post", "/api/inquiries/facebook:404/assign", {"json": {"assignee": "kari"}}, 404),
    ("post", "/api/messages/{0}/triage", {"json": {"category": "spam"}}, 422),
    ("post", "/api/messages/{0}/triage", {"content": b"{broken", "headers": {"content-type": "application/json"}}, 400),
    ("post", "/api/inquiries/{0}/assign", {"data": {"assignee": "kari"}}, 415),  # a form post: no CSRF way in
    ("get", "/api/inquiries?state=late", {}, 422),
    ("get", "/api/conversations/facebook:1:nope", {}, 404),
])
def test_bad_input_gets_a_clear_4xx(client, method, path, kwargs, status) -> None:
    reply = getattr(client, method)(path.format(client.ids[0]), **kwargs)
    assert reply.status_code == status and reply.json()["error"]


def test_sign_in_and_roles(client) -> None:
    assert client.get("/api/inquiries", auth=("kari", "feil")).status_code == 401
    assert client.get("/", auth=None).status_code == 401
    reader = ("lars", "hemmelig-passord")
    assert client.get("/api/inquiries", auth=reader).status_code == 200
    assert client.post(f"/api/inquiries/{client.ids[0]}/assign", json={"assignee": "lars"},
                       auth=reader).status_code == 403


def test_pages_render_in_bokmal(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "mest haster først" in page.text and "over fristen" in page.text
    key = client.get("/api/inquiries").json()[0]["conversation_key"]
    thread = client.get(f"/samtale/{key}")
    assert thread.status_code == 200 and "Byggesøknaden min" in thread.text and "Forslag til svar" in thread.text
