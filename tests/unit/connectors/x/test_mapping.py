"""connectors/x/mapping.py: X posts and DM events (recorded X API v2 responses) to InboxMessage."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import IgnoredItem, MappingError
from connectors.x.mapping import map_x
from schemas import Event, Kind, Platform, RawEvent
from tests.fakeapi import load
from tests.unit.connectors.x.helpers import (
    ACCOUNT,
    DM_INGRID,
    DM_OURS,
    INGRID,
    M_INGRID,
    M_MATHIAS,
    M_SIRI,
    M_SIRI_EDIT,
    MATHIAS,
    NOW,
    POST,
    R_INGRID,
    RETWEET,
    SIRI,
)

# -- helpers -----------------------------------------------------------------------------------

def find(fixture: str, native_id: str) -> dict[str, Any]:
    body = load(f"x/{fixture}")
    return next(copy.deepcopy(item) for item in body["data"] if item["id"] == native_id)


def users(fixture: str) -> dict[str, dict[str, str]]:
    return {u["id"]: u for u in load(f"x/{fixture}")["includes"]["users"]}


def raw(resource: str, payload: dict[str, Any], **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.X, account_id=ACCOUNT, resource=resource, payload=payload,
                    context=context, fetched_at=NOW)


def tweet_raw(fixture: str, native_id: str, resource: str = "mention", **context: Any) -> RawEvent:
    payload = find(fixture, native_id)
    author = users(fixture)[payload["author_id"]]
    return raw(resource, payload, author_username=author["username"], author_name=author["name"], **context)


# -- mapping -----------------------------------------------------------------------------------

def test_citizen_reply_is_a_mention_keyed_by_thread_and_citizen() -> None:
    msg = map_x(tweet_raw("mentions_page2.json", M_INGRID))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account, msg.event) == (
        Kind.MENTION, f"{POST}:{INGRID}", POST, False, Event.CREATED)
    assert msg.id == f"x:{M_INGRID}" and msg.author_id == INGRID and msg.author_name == "Ingrid Haugen"
    assert msg.created_at == datetime(2026, 11, 16, 7, 10, 44, tzinfo=UTC)
    assert msg.permalink == f"https://x.com/ingridhaugen_/status/{M_INGRID}"
    assert msg.text is not None and msg.text.startswith("@altakommune Veien opp til Komsa")


def test_a_post_without_conversation_id_is_delivered_in_the_thread_it_replies_to() -> None:
    """Older and partial responses lack conversation_id: the message is kept, threaded by its parent."""
    full = map_x(tweet_raw("mentions_page2.json", M_INGRID))
    event = tweet_raw("mentions_page2.json", M_INGRID)
    partial = map_x(event.model_copy(update={"payload": {k: v for k, v in event.payload.items()
                                                         if k != "conversation_id"}}))
    assert (partial.id, partial.conversation_id, partial.parent_id) == (full.id, full.conversation_id, POST)
    standalone = find("mentions_page2.json", M_INGRID)
    bare = {k: v for k, v in standalone.items() if k not in ("conversation_id", "referenced_tweets")}
    alone = map_x(raw("mention", bare))
    assert alone.conversation_id == f"{M_INGRID}:{INGRID}" and alone.parent_id is None


def test_a_citizen_dm_without_its_conversation_id_gets_x_s_one_to_one_id() -> None:
    full = map_x(raw("dm_event", find("dm_events_page1.json", DM_INGRID), author_name="Ingrid Haugen"))
    partial = map_x(raw("dm_event", _without("dm_events_page1.json", DM_INGRID, "dm_conversation_id")))
    assert partial.conversation_id == full.conversation_id and partial.id == full.id


def test_our_reply_answers_exactly_the_citizen_it_replies_to() -> None:
    citizen = map_x(tweet_raw("mentions_page2.json", M_INGRID))
    other = map_x(tweet_raw("mentions_page2.json", M_MATHIAS))
    ours = map_x(tweet_raw("tweets_page1.json", R_INGRID, resource="tweet"))
    assert (ours.kind, ours.parent_id, ours.from_account, ours.author_name) == (
        Kind.REPLY, M_INGRID, True, "Alta kommune")
    assert ours.conversation_id == citizen.conversation_id == f"{POST}:{INGRID}"
    assert other.conversation_id == f"{POST}:{MATHIAS}" != ours.conversation_id  # same thread, other citizen
    assert ours.key == citizen.key != other.key
    assert ours.permalink == f"https://x.com/altakommune/status/{R_INGRID}"


def test_our_standalone_post_is_its_own_conversation() -> None:
    msg = map_x(tweet_raw("tweets_page1.json", POST, resource="tweet"))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account) == (Kind.POST, POST, None, True)


def test_our_thread_continuation_is_a_post_not_an_answer() -> None:
    payload = {**find("tweets_page1.json", POST), "id": "2122215900000000000", "in_reply_to_user_id": ACCOUNT,
               "referenced_tweets": [{"type": "replied_to", "id": POST}],
               "edit_history_tweet_ids": ["2122215900000000000"]}
    msg = map_x(raw("tweet", payload))
    assert (msg.kind, msg.conversation_id, msg.parent_id) == (Kind.POST, "2122215900000000000", POST)
    assert msg.permalink == "https://x.com/i/web/status/2122215900000000000"  # no username known


def test_standalone_mention_and_quote() -> None:
    msg = map_x(tweet_raw("mentions_page1.json", M_SIRI))
    assert (msg.kind, msg.conversation_id, msg.parent_id) == (Kind.MENTION, f"{M_SIRI}:{SIRI}", None)
    quote = {**find("mentions_page1.json", M_SIRI), "referenced_tweets": [{"type": "quoted", "id": POST}]}
    assert map_x(raw("mention", quote)).parent_id == POST


def test_edited_post_updates_the_original_message() -> None:
    original = map_x(tweet_raw("mentions_page1.json", M_SIRI))
    edit = map_x(tweet_raw("mentions_since.json", M_SIRI_EDIT))
    assert edit.event is Event.EDITED and original.event is Event.CREATED
    assert edit.id == original.id == f"x:{M_SIRI}"
    assert edit.conversation_id == original.conversation_id == f"{M_SIRI}:{SIRI}"
    assert edit.text is not None and "august 2027" in edit.text
    assert edit.permalink == f"https://x.com/siri_j_alta/status/{M_SIRI_EDIT}"


def test_a_change_noticed_by_the_connector_is_an_edit() -> None:
    assert map_x(tweet_raw("mentions_page2.json", M_INGRID, change="changed")).event is Event.EDITED


def test_long_post_text_comes_from_note_tweet() -> None:
    payload = find("mentions_page2.json", M_MATHIAS)
    payload["note_tweet"] = {"text": payload["text"] + " Og ved skolen i Komsa. " * 20}
    assert map_x(raw("mention", payload)).text == payload["note_tweet"]["text"]


def test_direct_messages_from_a_citizen_and_from_us() -> None:
    page = users("dm_events_page1.json")
    citizen = map_x(raw("dm_event", find("dm_events_page1.json", DM_INGRID), author_name=page[INGRID]["name"],
                        author_username=page[INGRID]["username"]))
    ours = map_x(raw("dm_event", find("dm_events_page1.json", DM_OURS)))
    conversation = f"{ACCOUNT}-{INGRID}"
    assert (citizen.kind, citizen.conversation_id, citizen.from_account, citizen.author_name) == (
        Kind.DIRECT_MESSAGE, conversation, False, "Ingrid Haugen")
    assert (ours.kind, ours.conversation_id, ours.from_account, ours.parent_id) == (
        Kind.DIRECT_MESSAGE, conversation, True, None)
    assert citizen.id == f"x:{DM_INGRID}" and citizen.permalink is None
    assert map_x(raw("dm_event", find("dm_events_page1.json", DM_OURS), change="changed")).event is Event.EDITED


def test_reposts_and_membership_events_are_not_messages() -> None:
    with pytest.raises(IgnoredItem):
        map_x(tweet_raw("mentions_page1.json", RETWEET))
    join = {"id": "2122272306406584999", "event_type": "ParticipantsJoin", "created_at": "2026-11-16T10:15:22.000Z",
            "dm_conversation_id": "1578398451921985538", "participant_ids": [INGRID]}
    with pytest.raises(IgnoredItem):
        map_x(raw("dm_event", join))


def _without(fixture: str, native_id: str, field: str) -> dict[str, Any]:
    payload = find(fixture, native_id)
    payload.pop(field)
    return payload


@pytest.mark.parametrize("resource, payload, code", [
    ("mention", _without("mentions_page2.json", M_INGRID, "id"), "schema_violation"),
    ("mention", _without("mentions_page2.json", M_INGRID, "author_id"), "schema_violation"),
    ("mention", _without("mentions_page2.json", M_INGRID, "created_at"), "schema_violation"),
    ("mention", {**find("mentions_page2.json", M_INGRID), "created_at": "Mon Nov 16 07:10:44 2026"},
     "schema_violation"),
    ("mention", {**find("mentions_page2.json", M_INGRID), "created_at": "2026-11-16T07:10:44"}, "schema_violation"),
    ("dm_event", _without("dm_events_page1.json", DM_INGRID, "sender_id"), "schema_violation"),
    ("space", {"id": "1"}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, payload: dict[str, Any], code: str) -> None:
    with pytest.raises(MappingError) as info:
        map_x(raw(resource, payload))
    assert info.value.code == code
    assert "Ingrid" not in info.value.reason and "Komsa" not in info.value.reason
