"""The inbox as a workplace (#27) over a real store: versions and 409, close and snooze through the clock's
topic, notes, takeover, bulk actions, presence and the change feed behind /api/events."""

from __future__ import annotations

import json

import sqlalchemy as sa

from innboks.config import topics
from innboks.db import live
from innboks.db.schema import audit_log
from innboks.inbox import events
from schemas import ActionEvent, ActionOutcome, SlaTick
from tests.unit.test_inbox_api import PASSWORD, client  # noqa: F401 - the fixture


def conversation(client, index: int = 0) -> dict:  # noqa: F811
    rows = {r["inquiry_id"]: r for r in client.get("/api/inquiries?state=all").json()}
    key = rows[client.ids[index]]["conversation_key"]
    return client.get(f"/api/conversations/{key}").json()


def test_a_second_reply_from_the_same_version_is_refused_with_what_changed(client) -> None:  # noqa: F811
    thread = conversation(client)
    assert isinstance(thread["version"], str)  # opaque
    first = client.post(f"/api/messages/{client.ids[0]}/reply", json={"text": "Brøytes i dag.",
                                                                      "version": thread["version"]})
    assert first.status_code == 202 and first.json()["version"] != thread["version"]
    sent = len(client.publisher.sent)
    client.auth = ("anne", PASSWORD)
    second = client.post(f"/api/messages/{client.ids[0]}/reply", json={"text": "Vi brøyter i morgen.",
                                                                       "version": thread["version"]})
    assert second.status_code == 409
    body = second.json()
    assert [c["summary"] for c in body["changes"]] == ["kari ba om et svar"]
    assert body["version"] == first.json()["version"] and len(client.publisher.sent) == sent  # nothing sent
    # With the version it now has, the colleague may still act (having seen the reply).
    hidden = client.post(f"/api/messages/{client.ids[0]}/hide", json={"reason": "third_party",
                                                                       "version": body["version"]})
    assert hidden.status_code == 202
    assert client.get(f"/api/conversations/{thread['conversation_key']}").json()["version"] == hidden.json()["version"]


def test_assign_checks_the_version_and_taking_over_must_be_asked(client) -> None:  # noqa: F811
    thread = conversation(client, 1)
    inquiry = client.ids[1]
    assert client.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "kari",
                                                                  "version": thread["version"]}).status_code == 200
    client.auth = ("anne", PASSWORD)
    stale = client.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "anne", "version": thread["version"]})
    assert stale.status_code == 409 and stale.json()["changes"][0]["summary"] == "kari tildelte samtalen til kari"
    asked = client.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "anne"})
    assert asked.status_code == 409 and asked.json()["assignee"] == "kari" and asked.json()["takeover_needed"]
    taken = client.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "anne", "takeover": True})
    assert taken.status_code == 200 and taken.json()["assignee"] == "anne"
    with client.engine.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.action, audit_log.c.actor)
                                     .where(audit_log.c.action.in_(("assign", "take_over")))).all()
    assert actions == [("assign", "kari"), ("take_over", "anne")]


def test_close_without_reply_and_snooze_go_to_the_clock_keyed_by_conversation(client) -> None:  # noqa: F811
    thread = conversation(client, 2)
    closed = client.post(f"/api/inquiries/{client.ids[2]}/close", json={"reason": "no_reply_needed",
                                                                         "version": thread["version"]})
    assert closed.status_code == 202 and closed.json()["state"] == "closing"
    topic, key, value = client.publisher.sent[-1]
    command = SlaTick.model_validate_json(value)
    assert (topic, key) == (topics.SLA_TICKS, thread["conversation_key"].encode())
    assert (command.reason, command.inquiry_id, command.close_reason.value, command.requested_by) == (
        "close", client.ids[2], "no_reply_needed", "kari")
    assert client.post(f"/api/inquiries/{client.ids[2]}/close", json={"reason": "because"}).status_code == 422
    snoozed = client.post(f"/api/inquiries/{client.ids[0]}/snooze", json={"until": "2099-01-05T08:00:00+01:00"})
    assert snoozed.status_code == 422  # more than 90 days ahead
    until_they_write = client.post(f"/api/inquiries/{client.ids[0]}/snooze", json={"until": None})
    assert until_they_write.status_code == 202
    assert SlaTick.model_validate_json(client.publisher.sent[-1][2]).until is None
    assert client.post(f"/api/inquiries/{client.ids[0]}/snooze", json={"until": "i morgen"}).status_code == 422
    client.auth = ("lars", PASSWORD)  # a reader
    assert client.post(f"/api/inquiries/{client.ids[0]}/close", json={"reason": "spam"}).status_code == 403


def test_notes_are_internal_audited_without_text_and_never_published(client) -> None:  # noqa: F811
    thread = conversation(client)
    sent = len(client.publisher.sent)
    note = client.post(f"/api/conversations/{thread['conversation_key']}/notes", json={"text": "Ringer ham i morgen."})
    assert note.status_code == 201 and note.json()["internal"] and len(client.publisher.sent) == sent
    again = client.get(f"/api/conversations/{thread['conversation_key']}").json()
    assert [n["text"] for n in again["notes"]] == ["Ringer ham i morgen."] and again["version"] != thread["version"]
    with client.engine.connect() as connection:
        details = connection.execute(sa.select(audit_log.c.details).where(audit_log.c.action == "add_note")).scalar()
    assert "Ringer" not in json.dumps(details)


def test_bulk_actions_answer_for_each_inquiry(client) -> None:  # noqa: F811
    reply = client.post("/api/inquiries/bulk", json={"action": "assign", "assignee": "kari",
                                                     "inquiry_ids": [client.ids[0], client.ids[1], "facebook:nope"]})
    assert [(r["inquiry_id"], r["status"]) for r in reply.json()["results"]] == [
        (client.ids[0], 200), (client.ids[1], 200), ("facebook:nope", 404)]
    hide = client.post("/api/inquiries/bulk", json={"action": "hide", "reason": "third_party",
                                                    "inquiry_ids": [client.ids[2]]})
    assert hide.json()["done"] == 1
    event = ActionEvent.model_validate_json(client.publisher.sent[-1][2])
    assert (event.kind.value, event.target.id, event.outcome) == ("hide", client.ids[2], ActionOutcome.REQUESTED)
    assert client.post("/api/inquiries/bulk", json={"action": "delete", "inquiry_ids": [client.ids[0]]}
                       ).status_code == 422


def test_presence_is_shared_through_the_store_and_expires(client) -> None:  # noqa: F811
    key = conversation(client)["conversation_key"]
    assert client.post(f"/api/conversations/{key}/presence", json={"state": "writing"}).json()["presence"] == []
    client.auth = ("anne", PASSWORD)
    others = client.post(f"/api/conversations/{key}/presence", json={"state": "viewing"}).json()["presence"]
    assert others == [{"username": "kari", "state": "writing"}]
    assert client.get(f"/api/conversations/{key}").json()["presence"] == [
        {"username": "anne", "state": "viewing"}, {"username": "kari", "state": "writing"}]
    client.auth = ("kari", PASSWORD)
    client.post(f"/api/conversations/{key}/presence", json={"state": "left"})
    with client.engine.connect() as connection:
        kinds = [(c["actor"], c["state"]) for c in live.feed(connection, 0) if c["kind"] == "presence"]
    assert kinds == [("kari", "writing"), ("anne", "viewing"), ("kari", "left")]


def test_the_event_stream_names_an_assigned_inquiry(client, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr(events, "STREAM_SECONDS", 1.0)
    monkeypatch.setattr(events, "HEARTBEAT_SECONDS", 0.2)
    with client.engine.connect() as connection:
        start = live.feed_end(connection)
    client.post(f"/api/inquiries/{client.ids[1]}/assign", json={"assignee": "kari"})
    client.post(f"/api/inquiries/{client.ids[3]}/assign", json={"assignee": "anne"})
    client.auth = ("berit", PASSWORD)  # limited to the unit Kultur: sees only the library's inquiry
    with client.stream("GET", "/api/events", headers={"Last-Event-ID": str(start)}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    blocks = [b for b in text.split("\n\n") if "event:" in b]
    assert len(blocks) == 1 and "event: inquiry" in blocks[0]
    data = json.loads(blocks[0].split("data: ", 1)[1])
    assert (data["inquiry_id"], data["kind"], data["assignee"]) == (client.ids[3], "assignment", "anne")


def test_escalated_come_first_and_search_and_author_filters_stay_in_the_users_units(client) -> None:  # noqa: F811
    rows = client.get("/api/inquiries?state=open").json()
    assert rows[0]["escalate"] and not any(r["escalate"] for r in rows[1:])
    assert [r["inquiry_id"] for r in client.get("/api/inquiries?escalated=1").json()] == [client.ids[1]]
    assert [r["inquiry_id"] for r in client.get("/api/inquiries?q=BRØYTET").json()] == [client.ids[0]]
    assert [r["inquiry_id"] for r in client.get("/api/inquiries?q=100%25").json()] == []  # % is a character
    author = rows[-1]["author_id"]
    assert {r["author_id"] for r in client.get(f"/api/inquiries?state=all&author={author}").json()} == {author}
    client.auth = ("berit", PASSWORD)  # the unit Kultur: the library's account only
    assert [r["inquiry_id"] for r in client.get("/api/inquiries?q=biblioteket").json()] == [client.ids[3]]
    assert client.get("/api/inquiries?q=brøytet").json() == []


def project_last(client) -> None:  # noqa: F811
    """What the projection would do with the request the inbox just published."""
    from innboks.store.projection import apply

    topic, key, value = client.publisher.sent[-1]
    with client.engine.begin() as connection:
        apply(connection, topic, value, key)


def test_an_approver_edits_or_rejects_with_a_comment(client) -> None:  # noqa: F811
    reply = client.post(f"/api/messages/{client.ids[1]}/reply", json={"text": "Vi ser på saken."})
    project_last(client)
    assert reply.json()["needs_approval"]  # escalated
    action_id = reply.json()["action_id"]
    client.auth = ("anne", PASSWORD)
    edited = client.post(f"/api/actions/{action_id}/approve", json={"text": "Vi ser på saken i dag."})
    assert edited.status_code == 202
    event = ActionEvent.model_validate_json(client.publisher.sent[-1][2])
    assert (event.outcome, event.text, event.approved_by) == (ActionOutcome.APPROVED, "Vi ser på saken i dag.", "anne")
    client.auth = ("kari", PASSWORD)
    second = client.post(f"/api/messages/{client.ids[1]}/reply", json={"text": "Hei!"}).json()["action_id"]
    project_last(client)
    client.auth = ("anne", PASSWORD)
    assert client.post(f"/api/actions/{second}/approve", json={"reject": ""}).status_code == 422
    rejected = client.post(f"/api/actions/{second}/approve", json={"reject": "For kort, skriv hva vi gjør."})
    event = ActionEvent.model_validate_json(client.publisher.sent[-1][2])
    assert rejected.json()["failure"] == "rejected" and event.outcome is ActionOutcome.FAILED
    assert event.detail == "avvist av anne: For kort, skriv hva vi gjør."
    with client.engine.connect() as connection:
        logged = connection.execute(sa.select(audit_log.c.action, audit_log.c.details)
                                    .where(audit_log.c.action.in_(("approve", "reject")))).all()
    assert [(a, d["edited"]) for a, d in logged] == [("approve", True), ("reject", False)]


def test_saved_replies_fill_in_the_citizens_first_name(client) -> None:  # noqa: F811
    from innboks.domain.reply_variables import ALTA, first_name

    assert (first_name("Kari Nordmann"), first_name("@kari"), first_name(None)) == ("Kari", "", "")
    assert ALTA.fill("Hei {navn}! Hilsen {account_name}", "Alta kommune", "Per Olsen") \
        == "Hei Per! Hilsen Alta kommune"
    assert ALTA.fill("Hei {navn}, takk!", "Alta kommune", None) == "Hei, takk!"
    client.auth = ("anne", PASSWORD)
    client.post("/api/saved-replies", json={"title": "Takk", "language": "nb", "body": "Hei {navn}! Takk."})
    author = client.get("/api/inquiries").json()[0]["author_name"]
    filled = client.get(f"/api/saved-replies?account=x&message_id={client.ids[0]}").json()
    assert f"Hei {author.split()[0]}! Takk." in [r["text"] for r in filled]
