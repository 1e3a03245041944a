"""connectors/bluesky/mapping.py: Bluesky notifications, our posts and chat messages to InboxMessage."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.bluesky.mapping import map_bluesky
from connectors.errors import IgnoredItem, MappingError
from schemas import Event, Kind, Platform, RawEvent
from tests.fakeapi import load
from tests.unit.connectors.bluesky.helpers import CONVO, INGRID, NILS, NOW, US, notification

MARTE = "did:plc:udrcrevs53nkbnp33og3f35s"
SARA = "did:plc:kjdzhvtacezb6jmezwklhl5n"
P1 = f"at://{US}/app.bsky.feed.post/3mfbtkx2wqc2r"
P2 = f"at://{US}/app.bsky.feed.post/3mfdqb6yx2k2o"
R1 = f"at://{INGRID}/app.bsky.feed.post/3mfdhw4ms7k2a"
M1 = f"at://{NILS}/app.bsky.feed.post/3mfdjj2bxcs2u"


# -- helpers ------------------------------------------------------------------------------------

def raw(resource: str, payload: dict[str, Any], **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.BLUESKY, account_id=US, resource=resource, payload=payload, context=context,
                    fetched_at=NOW)


def feed_post(page: str, index: int) -> dict[str, Any]:
    return copy.deepcopy(load(f"bluesky/{page}.json")["feed"][index]["post"])


def message(index: int) -> dict[str, Any]:
    return copy.deepcopy(load("bluesky/messages.json")["messages"][index])


# -- mapping ------------------------------------------------------------------------------------

def test_citizen_reply_to_our_post_is_a_reply_in_the_citizens_own_conversation() -> None:
    msg = map_bluesky(raw("notification", notification("notifications_page2", 1)))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account, msg.event) == (
        Kind.REPLY, f"{P1}:{INGRID}", P1, False, Event.CREATED)
    assert msg.id == f"bluesky:{R1}"
    assert (msg.author_id, msg.author_name) == (INGRID, "Ingrid Haugland")
    assert msg.created_at == datetime(2026, 11, 16, 6, 58, 30, 871000, tzinfo=UTC)  # record.createdAt
    assert msg.permalink == f"https://bsky.app/profile/{INGRID}/post/3mfdhw4ms7k2a"
    assert msg.text and msg.text.startswith("Hei! Når kommer brøytebilen")


def test_mention_and_quote_are_mentions_rooted_at_the_citizens_post() -> None:
    mention = map_bluesky(raw("notification", notification("notifications_page1", 3)))
    assert (mention.kind, mention.conversation_id, mention.parent_id) == (Kind.MENTION, f"{M1}:{NILS}", None)
    quote = map_bluesky(raw("notification", notification("notifications_page1", 2)))
    q1 = f"at://{MARTE}/app.bsky.feed.post/3mfdoqgeulk2m"
    assert (quote.kind, quote.conversation_id, quote.parent_id) == (Kind.MENTION, f"{q1}:{MARTE}", P1)


def test_our_replies_land_in_the_conversation_of_the_citizen_they_answer() -> None:
    citizen_reply = map_bluesky(raw("notification", notification("notifications_page2", 1)))
    our_answer = map_bluesky(raw("post", feed_post("author_feed_page2", 0)))
    assert (our_answer.kind, our_answer.from_account, our_answer.parent_id) == (Kind.REPLY, True, R1)
    assert our_answer.conversation_id == citizen_reply.conversation_id == f"{P1}:{INGRID}"
    mention = map_bluesky(raw("notification", notification("notifications_page1", 3)))
    answer = map_bluesky(raw("post", feed_post("author_feed_page1", 3)))
    assert answer.conversation_id == mention.conversation_id == f"{M1}:{NILS}"
    assert (answer.kind, answer.parent_id, answer.author_name) == (Kind.REPLY, M1, "Alta kommune")


def test_our_standalone_post_and_our_own_thread_are_posts() -> None:
    standalone = map_bluesky(raw("post", feed_post("author_feed_page1", 1)))
    assert (standalone.kind, standalone.conversation_id, standalone.parent_id, standalone.from_account) == (
        Kind.POST, P2, None, True)
    continuation = map_bluesky(raw("post", feed_post("author_feed_page1", 0)))
    p3 = f"at://{US}/app.bsky.feed.post/3mfdqdv3ook2o"
    assert (continuation.kind, continuation.conversation_id, continuation.parent_id) == (Kind.POST, p3, P2)


def test_reply_deeper_in_our_thread_is_a_mention_and_keeps_the_citizen_apart() -> None:
    payload = notification("notifications_page2", 1)
    other = f"at://{MARTE}/app.bsky.feed.post/3mfdx2kqfzc2a"
    payload["record"]["reply"]["parent"] = {"cid": "bafyreihx", "uri": other}
    msg = map_bluesky(raw("notification", payload))
    assert (msg.kind, msg.conversation_id, msg.parent_id) == (Kind.MENTION, f"{P1}:{INGRID}", other)


def test_chat_messages_are_direct_messages_in_the_convo() -> None:
    citizen = map_bluesky(raw("chat_message", message(2), convo_id=CONVO, sender_name="Sara Pedersen"))
    assert (citizen.kind, citizen.conversation_id, citizen.from_account, citizen.author_id) == (
        Kind.DIRECT_MESSAGE, CONVO, False, SARA)
    assert citizen.id == f"bluesky:{CONVO}/3mfdt2a7wyc2w"
    assert citizen.author_name == "Sara Pedersen"
    assert citizen.created_at == datetime(2026, 11, 16, 10, 44, 31, 877000, tzinfo=UTC)
    ours = map_bluesky(raw("chat_message", message(0), convo_id=CONVO))
    assert (ours.from_account, ours.conversation_id, ours.event) == (True, CONVO, Event.CREATED)


def test_deleted_chat_message_and_edited_post() -> None:
    deleted = {"$type": "chat.bsky.convo.defs#deletedMessageView", "id": "3mfdt2pxn4s2y", "rev": "2226ksqu7ye2c",
               "sender": {"did": SARA}, "sentAt": "2026-11-16T10:45:02.120Z"}
    msg = map_bluesky(raw("chat_message", deleted, convo_id=CONVO))
    assert (msg.event, msg.text) == (Event.DELETED, None)
    edited = map_bluesky(raw("notification", notification("notifications_page1", 3), change="changed"))
    assert edited.event is Event.EDITED


def test_created_at_falls_back_to_indexed_at() -> None:
    payload = notification("notifications_page1", 3)
    payload["record"]["createdAt"] = "2026-11-16T07:40:18"  # no offset: not usable
    assert map_bluesky(raw("notification", payload)).created_at == datetime(2026, 11, 16, 7, 40, 19, 557000,
                                                                            tzinfo=UTC)


@pytest.mark.parametrize("index", [0, 1])
def test_follows_and_likes_are_ignored(index: int) -> None:
    with pytest.raises(IgnoredItem):
        map_bluesky(raw("notification", notification("notifications_page1", index)))


def test_system_chat_messages_are_ignored() -> None:
    system = {"$type": "chat.bsky.convo.defs#systemMessageView", "id": "3mfe", "rev": "2227", "sentAt":
              "2026-11-16T10:45:02.120Z", "data": {"$type": "chat.bsky.convo.defs#systemMessageDataEditGroup"}}
    with pytest.raises(IgnoredItem):
        map_bluesky(raw("chat_message", system, convo_id=CONVO))


def _broken(change: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    payload = notification("notifications_page1", 3)
    context: dict[str, Any] = {}
    if change == "uri":
        payload["uri"] = "https://bsky.app/profile/x/post/y"
    elif change == "times":
        payload["record"].pop("createdAt")
        payload.pop("indexedAt")
    elif change == "reply":
        payload["record"]["reply"] = {"root": {"uri": P1}}
    elif change == "collection":
        payload["uri"] = f"at://{NILS}/app.bsky.feed.generator/alta"
    elif change == "chat_convo":
        return "chat_message", message(1), {}
    elif change == "chat_time":
        payload = message(1)
        payload["sentAt"] = "i går"
        context = {"convo_id": CONVO}
        return "chat_message", payload, context
    elif change == "resource":
        return "like", payload, {}
    return "notification", payload, context


@pytest.mark.parametrize("change, code", [
    ("uri", "schema_violation"), ("times", "schema_violation"), ("reply", "schema_violation"),
    ("collection", "unsupported_resource"), ("chat_convo", "schema_violation"), ("chat_time", "schema_violation"),
    ("resource", "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(change: str, code: str) -> None:
    resource, payload, context = _broken(change)
    with pytest.raises(MappingError) as info:
        map_bluesky(raw(resource, payload, **context))
    assert info.value.code == code
    assert "Gatelyset" not in str(info.value) and "behandlingstiden" not in str(info.value)
