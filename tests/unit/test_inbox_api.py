"""The inbox's JSON API over a real store (SQLite and PostgreSQL): order, filters, units, roles, audit, 4xx."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from innboks.db.engine import open_store
from innboks.db.schema import audit_log, triage_corrections
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category, ControlEvent, EscalationReason, ModerationReason
from tests.helpers import RecordingPublisher
from tests.inbox_data import OTHER_PAGE, add_inquiry, answer, registry

CONTRACT = {"inquiry_id", "message_id", "conversation_key", "platform", "account_id", "state", "received_at",
            "due_at", "category", "escalate", "moderation", "text", "author_name", "suggested_reply", "permalink",
            "assignee"}
PASSWORD = "hemmelig-passord"


@pytest.fixture()
def client(store_url):
    engine = open_store(store_url)
    with engine.begin() as connection:
        ids = [add_inquiry(connection, "1_300", "Når blir veien brøytet?", 5, Category.GENERAL_QUESTION),
               add_inquiry(connection, "1_301", "Byggesøknaden min har ikke fått svar", -2, Category.CASE_HANDLING,
                           escalate=[EscalationReason.MEDIA]),
               add_inquiry(connection, "1_302", "Takk for god hjelp", 30, Category.FEEDBACK,
                           moderation=[ModerationReason.THIRD_PARTY]),
               add_inquiry(connection, "1_303", "Åpner biblioteket i romjula?", 10, Category.GENERAL_QUESTION,
                           account=OTHER_PAGE)]
    for name, role, units in (("kari", "operator", ()), ("lars", "reader", ()), ("berit", "operator", ("Kultur",)),
                              ("anne", "admin", ())):
        add_user(engine, name, role, PASSWORD, units)
    publisher = RecordingPublisher()
    app = create_app(engine, registry(), AuthConfig(secret_key="test-key"), publisher)
    test_client = TestClient(app)
    test_client.auth = ("kari", PASSWORD)
    test_client.engine, test_client.ids, test_client.publisher = engine, ids, publisher
    yield test_client
    engine.dispose()


def ids_of(rows: list[dict]) -> list[str]:
    return [row["message_id"] for row in rows]


def test_open_inquiries_come_most_urgent_first_with_the_contract_fields(client) -> None:
    reply = client.get("/api/inquiries?state=open")
    rows = reply.json()
    assert ids_of(rows) == [client.ids[1], client.ids[0], client.ids[3], client.ids[2]]
    assert reply.headers["x-total-count"] == "4"
    assert all(set(row) >= CONTRACT for row in rows)
    late = rows[0]
    assert late["overdue"] and late["business_seconds_left"] <= 0 and late["escalate"]
    assert late["category"] == "case_handling" and late["suggested_reply"] == "Takk for meldingen!"
    assert datetime.fromisoformat(late["due_at"]) < datetime.now(UTC)
    assert ids_of(client.get("/api/inquiries?state=overdue").json()) == [client.ids[1]]
    assert rows[3]["moderation"] == ["third_party"]


def test_filters_by_account_category_and_limit(client) -> None:
    assert ids_of(client.get(f"/api/inquiries?account={OTHER_PAGE}").json()) == [client.ids[3]]
    assert ids_of(client.get("/api/inquiries?category=general_question").json()) == [client.ids[0], client.ids[3]]
    reply = client.get("/api/inquiries?limit=1")
    assert ids_of(reply.json()) == [client.ids[1]] and reply.headers["x-total-count"] == "4"


def test_an_answered_inquiry_leaves_the_open_list(client) -> None:
    with client.engine.begin() as connection:
        answer(connection, client.ids[0])
    assert client.ids[0] not in ids_of(client.get("/api/inquiries?state=open").json())
    answered = client.get("/api/inquiries?state=answered").json()
    assert ids_of(answered) == [client.ids[0]] and answered[0]["state"] == "answered"
    assert len(client.get("/api/inquiries?state=all").json()) == 4


def test_assign_filters_mine_unassigned_and_is_audited(client) -> None:
    reply = client.post(f"/api/inquiries/{client.ids[0]}/assign", json={"assignee": "kari"})
    assert reply.status_code == 200 and reply.json()["assignee"] == "kari"
    assert ids_of(client.get("/api/inquiries?assignee=kari").json()) == [client.ids[0]]
    assert ids_of(client.get("/api/inquiries?mine=1").json()) == [client.ids[0]]
    assert client.ids[0] not in ids_of(client.get("/api/inquiries?unassigned=1").json())
    assert client.post(f"/api/inquiries/{client.ids[0]}/assign", json={"assignee": ""}).json()["assignee"] is None
    assert ids_of(client.get("/api/inquiries?assignee=kari").json()) == []
    with client.engine.connect() as connection:
        entries = connection.execute(sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.details)
                                     .where(audit_log.c.action == "assign").order_by(audit_log.c.id)).all()
    assert [(e.actor, e.details["assignee"]) for e in entries] == [("kari", "kari"), ("kari", None)]


def test_a_triage_correction_is_kept_with_who_and_shown_instead(client) -> None:
    reply = client.post(f"/api/messages/{client.ids[0]}/triage",
                        json={"category": "case_handling", "moderation": ["third_party"]})
    assert reply.status_code == 200 and reply.json()["corrected_by"] == "kari"
    with client.engine.connect() as connection:
        row = connection.execute(sa.select(triage_corrections)).one()
    assert (row.category, row.moderation, row.corrected_by) == ("case_handling", ["third_party"], "kari")
    listed = {r["message_id"]: r for r in client.get("/api/inquiries").json()}[client.ids[0]]
    assert (listed["category"], listed["moderation"]) == ("case_handling", ["third_party"])
    assert ids_of(client.get("/api/inquiries?category=case_handling").json()) == [client.ids[1], client.ids[0]]
    thread = client.get(f"/api/conversations/{listed['conversation_key']}").json()
    message = thread["messages"][0]
    assert message["correction"]["category"] == "case_handling" and message["category"] == "general_question"
    assert message["rules"] == ["test.rule"] and message["revisions"][0]["event"] == "created"


def test_a_unit_limited_user_sees_only_its_units_accounts(client) -> None:
    berit = ("berit", PASSWORD)
    assert ids_of(client.get("/api/inquiries", auth=berit).json()) == [client.ids[3]]
    key = client.get("/api/inquiries").json()[0]["conversation_key"]
    assert client.get(f"/api/conversations/{key}", auth=berit).status_code == 404
    assert client.post(f"/api/inquiries/{client.ids[0]}/assign", json={"assignee": "berit"},
                       auth=berit).status_code == 404


def test_roles(client) -> None:
    reader = ("lars", PASSWORD)
    assert client.get("/api/inquiries", auth=reader).status_code == 200
    assert client.post(f"/api/inquiries/{client.ids[0]}/assign", json={"assignee": "lars"},
                       auth=reader).status_code == 403
    assert client.post("/api/messages/x/triage", json={"category": "other"}, auth=reader).status_code == 403
    assert client.post("/api/crisis", json={"active": True, "reason": "Flom"}).status_code == 403  # operator
    assert client.get("/api/me", auth=reader).json() == {"username": "lars", "role": "reader", "units": [],
                                                          "display_name": None}


def test_crisis_switch_is_an_event_on_the_control_topic_and_audited(client) -> None:
    reply = client.post("/api/crisis", json={"active": True, "reason": "Flom i Altaelva"}, auth=("anne", PASSWORD))
    assert reply.status_code == 202
    topic, key, value = client.publisher.sent[-1]
    event = ControlEvent.model_validate_json(value)
    assert (topic, key, event.active, event.set_by) == ("innboks.control", b"crisis", True, "anne")
    with client.engine.connect() as connection:
        assert connection.execute(sa.select(audit_log.c.actor).where(audit_log.c.action == "crisis_on")).scalar() \
            == "anne"


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("post", "/api/messages/facebook:404/triage", {"json": {"category": "other"}}, 404),
    ("post", "/api/inquiries/facebook:404/assign", {"json": {"assignee": "kari"}}, 404),
    ("post", "/api/messages/{0}/triage", {"json": {"category": "spam"}}, 422),
    ("post", "/api/messages/{0}/triage", {"json": {"moderation": "insult"}}, 422),
    ("post", "/api/messages/{0}/triage", {"content": b"{broken", "headers": {"content-type": "application/json"}}, 400),
    ("post", "/api/messages/{0}/triage", {"content": b"[1]", "headers": {"content-type": "application/json"}}, 400),
    ("post", "/api/messages/{0}/triage", {"content": b"[" * 20000 + b"]" * 20000,
                                           "headers": {"content-type": "application/json"}}, 400),
    ("post", "/api/inquiries/{0}/assign", {"data": {"assignee": "kari"}}, 415),
    ("post", "/api/inquiries/{0}/assign", {"json": {"assignee": 7}}, 422),
    ("post", "/api/inquiries/{0}/assign", {"json": {"assignee": "x" * 70_000}}, 413),
    ("get", "/api/inquiries?state=late", {}, 422),
    ("get", "/api/inquiries?category=spam", {}, 422),
    ("get", "/api/inquiries?limit=0", {}, 422),
    ("get", "/api/inquiries?limit=many", {}, 422),
    ("get", "/api/conversations/facebook:1:nope", {}, 404),
    ("get", "/api/nothing-here", {}, 404),
    ("get", "/api/inquiries", {"auth": ("kari", "feil-passord")}, 401),
    ("delete", "/api/inquiries", {}, 405),
])
def test_bad_input_gets_a_clear_4xx(client, method, path, kwargs, status) -> None:
    reply = client.request(method.upper(), path.format(client.ids[0]), **kwargs)
    assert reply.status_code == status
    if status != 405:
        assert reply.json()["error"]
    if status == 401:
        assert reply.headers["www-authenticate"].startswith("Basic")


def published_actions(client) -> list:
    from schemas import ActionEvent

    return [ActionEvent.model_validate_json(value) for topic, _key, value in client.publisher.sent
            if topic == "innboks.actions"]


def project_actions(client) -> None:
    """The projection brings the published actions back into the store."""
    from innboks.config import topics
    from innboks.store.projection import apply

    with client.engine.begin() as connection:
        for topic, key, value in client.publisher.sent:
            if topic == topics.ACTIONS:
                apply(connection, topic, value, key)


def test_a_reply_is_requested_on_the_actions_topic_and_audited(client) -> None:
    reply = client.post(f"/api/messages/{client.ids[0]}/reply", json={"text": "Hei! Veien brøytes i morgen."})
    assert reply.status_code == 202 and reply.json()["needs_approval"] is False
    [event] = published_actions(client)
    assert (event.kind, event.outcome, event.text, event.forward, event.requested_by) == (
        "reply", "requested", "Hei! Veien brøytes i morgen.", False, "kari")
    assert event.target.id == client.ids[0] and event.key == event.target.key
    project_actions(client)
    thread = client.get(f"/api/conversations/{event.key}").json()
    assert [(a["kind"], a["outcome"]) for a in thread["actions"]] == [("reply", "requested")]
    assert client.get(f"/api/actions/{event.action_id}").json()["text"] == "Hei! Veien brøytes i morgen."
    with client.engine.connect() as connection:
        assert connection.execute(sa.select(audit_log.c.actor).where(audit_log.c.action == "request_reply")).scalar() \
            == "kari"


def test_a_case_handling_reply_forwards_with_the_suggested_text_and_escalated_needs_approval(client) -> None:
    reply = client.post(f"/api/messages/{client.ids[1]}/reply", json={})
    assert reply.status_code == 202
    [event] = published_actions(client)
    assert event.forward and event.text == "Takk for meldingen!" and event.needs_approval  # escalated (media)
    project_actions(client)
    assert client.post(f"/api/actions/{event.action_id}/approve", json={}).status_code == 403  # the same operator
    approved = client.post(f"/api/actions/{event.action_id}/approve", json={}, auth=("anne", PASSWORD))
    assert approved.status_code == 202
    assert [(e.outcome, e.approved_by) for e in published_actions(client)][-1] == ("approved", "anne")
    project_actions(client)
    assert client.post(f"/api/actions/{event.action_id}/approve", json={}, auth=("anne", PASSWORD)).status_code == 409


def test_in_a_crisis_a_reply_off_the_crisis_channel_needs_approval(client) -> None:
    from innboks.config import topics
    from innboks.store.projection import apply

    with client.engine.begin() as connection:
        on = ControlEvent(active=True, reason="Flom", set_by="anne", at=datetime.now(UTC))
        apply(connection, topics.CONTROL, on.to_json_bytes(), b"crisis")
    assert client.post(f"/api/messages/{client.ids[0]}/reply", json={"text": "Hei"}).json()["needs_approval"]


def test_hiding_and_deleting_need_an_allowed_reason(client) -> None:
    assert client.post(f"/api/messages/{client.ids[2]}/hide", json={}).status_code == 422
    assert client.post(f"/api/messages/{client.ids[2]}/hide", json={"reason": "rude"}).status_code == 422
    assert client.post(f"/api/messages/{client.ids[2]}/delete", json={"reason": "boring"}).status_code == 422
    assert client.post(f"/api/messages/{client.ids[2]}/hide", json={"reason": "third_party"}).status_code == 202
    assert client.post(f"/api/messages/{client.ids[2]}/unhide").status_code == 202
    assert [(e.kind, e.reason) for e in published_actions(client)] == [("hide", "third_party"), ("unhide", None)]
    assert client.post(f"/api/messages/{client.ids[2]}/reply", json={"text": "x"}, auth=("lars", PASSWORD)) \
        .status_code == 403
    assert client.post("/api/messages/facebook:404/reply", json={"text": "x"}).status_code == 404
    assert client.post(f"/api/messages/{client.ids[0]}/reply", json={"text": ""}).status_code == 422


def test_saved_replies_are_kept_by_admins_and_filled_for_the_account(client) -> None:
    admin = ("anne", PASSWORD)
    body = {"title": "Brøyting", "language": "nn", "body": "Hei! Vi brøyter i morgon. Helsing {account_name}"}
    assert client.post("/api/saved-replies", json=body).status_code == 403  # an operator may not
    created = client.post("/api/saved-replies", json=body, auth=admin)
    assert created.status_code == 201
    reply_id = created.json()["id"]
    from tests.helpers import PAGE_ID

    [listed] = client.get(f"/api/saved-replies?account={PAGE_ID}").json()
    assert listed["text"] == "Hei! Vi brøyter i morgon. Helsing Alta kommune"
    bad = client.post("/api/saved-replies", json={**body, "body": "Hei {citizen_name}"}, auth=admin)
    assert bad.status_code == 422 and "citizen_name" in bad.json()["error"]
    assert client.put(f"/api/saved-replies/{reply_id}", json={**body, "title": "Brøyting i morgon"},
                      auth=admin).status_code == 200
    assert client.delete(f"/api/saved-replies/{reply_id}", auth=admin).status_code == 204
    assert client.delete(f"/api/saved-replies/{reply_id}", auth=admin).status_code == 404
    assert client.get("/api/saved-replies").json() == []


def test_an_action_the_platform_cannot_do_is_refused_before_asking(client) -> None:
    from datetime import UTC, datetime

    from innboks.config import topics
    from innboks.store.projection import apply
    from schemas import InboxMessage, Kind, Platform

    toot = InboxMessage(id="mastodon:110", platform=Platform.MASTODON, account_id="109", kind=Kind.MENTION,
                        conversation_id="110", author_name="Kari", text="@alta når brøytes veien?",
                        created_at=datetime.now(UTC), fetched_at=datetime.now(UTC))
    with client.engine.begin() as connection:
        apply(connection, topics.MESSAGES, toot.to_json_bytes())
    refused = client.post("/api/messages/mastodon:110/hide", json={"reason": "third_party"})
    assert refused.status_code == 422 and "mastodon cannot hide" in refused.json()["error"]
    assert client.post("/api/messages/mastodon:110/reply", json={"text": "Hei!"}).status_code == 202
    too_long = client.post("/api/messages/mastodon:110/reply", json={"text": "Hei! " + "brøyting " * 60})
    assert too_long.status_code == 422
    assert too_long.json()["error"] == "mastodon takes a reply of at most 500 characters (a link counts 23); " \
                                       "this one has 544"
