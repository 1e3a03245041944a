"""connectors/instagram/mapping.py: Instagram media, comments, mentions, direct messages and webhook changes
to InboxMessage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import IgnoredItem, MappingError
from connectors.instagram.mapping import map_instagram
from schemas import Event, Kind, Platform, RawEvent
from tests.unit.connectors.instagram.helpers import C1, CITIZEN_IGSID, CONV1, IG_USER, MEDIA_A, R2, USERNAME, fixture

FETCHED = datetime(2026, 11, 16, 12, 0, 5, tzinfo=UTC)


def raw(resource: str, payload: dict[str, Any], source: str = "poll", **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.INSTAGRAM, account_id=IG_USER, resource=resource, payload=payload,
                    context=context, fetched_at=FETCHED, source=source)


def webhook_events(name: str, with_time: bool = True) -> list[RawEvent]:
    """What the webhook receiver makes of a notification: one RawEvent per change or messaging event."""
    events = []
    for entry in fixture(name)["entry"]:
        context = {"entry_time": entry["time"]} if with_time else {}
        for change in entry.get("changes", []):
            events.append(RawEvent(platform=Platform.INSTAGRAM, account_id=entry["id"],
                                   resource=f"webhook:{change['field']}", payload=change["value"],
                                   context=context, fetched_at=FETCHED, source="webhook"))
        for messaging in entry.get("messaging", []):
            events.append(RawEvent(platform=Platform.INSTAGRAM, account_id=entry["id"], resource="webhook:messages",
                                   payload=messaging, context=context, fetched_at=FETCHED, source="webhook"))
    return events


# -- mapping --------------------------------------------------------------------------------------

def test_our_media_is_a_post_with_its_caption_and_permalink() -> None:
    media = fixture("media_page1")["data"][0]
    msg = map_instagram(raw("media", media, username=USERNAME))
    assert (msg.id, msg.kind, msg.conversation_id, msg.parent_id, msg.from_account, msg.event) == (
        f"instagram:{MEDIA_A}", Kind.POST, MEDIA_A, None, True, Event.CREATED)
    assert msg.created_at == datetime(2026, 11, 15, 16, 2, 11, tzinfo=UTC)
    assert msg.permalink == "https://www.instagram.com/p/DRa7kLmNq2x/"
    assert msg.text and msg.text.startswith("Brøytingen")


def test_top_level_comment_is_its_own_conversation_under_the_media() -> None:
    comment = {k: v for k, v in fixture("comments_a_page1")["data"][0].items() if k != "replies"}
    msg = map_instagram(raw("comment", comment, media_id=MEDIA_A, username=USERNAME))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account, msg.event) == (
        Kind.COMMENT, C1, MEDIA_A, False, Event.CREATED)
    assert (msg.author_id, msg.author_name) == ("17841455512345678", "kari.nordmann87")


def test_our_reply_joins_the_comment_thread() -> None:
    reply = fixture("comments_a_page1")["data"][0]["replies"]["data"][0]
    msg = map_instagram(raw("comment", reply, media_id=MEDIA_A, parent_id=C1, username=USERNAME))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account) == (Kind.REPLY, C1, C1, True)


def test_our_reply_is_recognised_by_username_when_the_id_differs() -> None:
    reply = {"id": "18040000000000099", "text": "Svar", "timestamp": "2026-11-16T08:00:00+0000",
             "username": "AltaKommune", "from": {"id": "3456789012345678", "username": "AltaKommune"},
             "parent_id": C1}
    assert map_instagram(raw("comment", reply, username="@altakommune")).from_account is True
    assert map_instagram(raw("comment", reply)).from_account is False  # without options.username


def test_citizen_reply_uses_the_context_parent_when_the_payload_lacks_it() -> None:
    reply = {"id": R2, "text": "Takk", "timestamp": "2026-11-15T19:20:00+0000", "username": "kari.nordmann87"}
    msg = map_instagram(raw("comment", reply, media_id=MEDIA_A, parent_id=C1))
    assert (msg.kind, msg.conversation_id, msg.from_account, msg.author_id, msg.author_name) == (
        Kind.REPLY, C1, False, None, "kari.nordmann87")


def test_hidden_comment_and_changed_items() -> None:
    hidden = fixture("comments_a_page1")["data"][1]
    assert map_instagram(raw("comment", hidden, media_id=MEDIA_A)).event is Event.HIDDEN
    shown = {**hidden, "hidden": False}
    assert map_instagram(raw("comment", shown, media_id=MEDIA_A, change="changed")).event is Event.EDITED
    media = fixture("media_page1")["data"][1]
    assert map_instagram(raw("media", media, change="changed")).event is Event.EDITED


def test_tagged_media_is_a_mention_of_its_own() -> None:
    tagged = fixture("tags")["data"][0]
    msg = map_instagram(raw("tagged_media", tagged, username=USERNAME))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account, msg.author_id, msg.author_name) == (
        Kind.MENTION, "17990555000000001", None, False, None, "idrettslaget_nordlys")
    assert msg.permalink == "https://www.instagram.com/p/DRXy9QwEr4u/"


def test_direct_messages_are_keyed_by_the_citizens_igsid() -> None:
    ours, theirs, _old = fixture("messages_conv1")["data"]
    citizen = map_instagram(raw("conversation_message", theirs, conversation_id=CONV1, participant_id=CITIZEN_IGSID))
    answer = map_instagram(raw("conversation_message", ours, conversation_id=CONV1, participant_id=CITIZEN_IGSID))
    assert (citizen.kind, citizen.conversation_id, citizen.from_account) == (
        Kind.DIRECT_MESSAGE, CITIZEN_IGSID, False)
    assert (answer.conversation_id, answer.from_account, answer.author_id) == (CITIZEN_IGSID, True, IG_USER)
    # Without the participant from the conversation, the message's own from/to give the same thread.
    assert map_instagram(raw("conversation_message", ours)).conversation_id == CITIZEN_IGSID
    assert map_instagram(raw("conversation_message", theirs)).conversation_id == CITIZEN_IGSID


def test_webhook_comments_map_like_polled_comments() -> None:
    comment, reply = (map_instagram(e) for e in webhook_events("webhook_comments"))
    assert (comment.kind, comment.conversation_id, comment.parent_id, comment.from_account) == (
        Kind.COMMENT, "18040000000000021", MEDIA_A, False)
    assert (reply.kind, reply.conversation_id, reply.parent_id, reply.from_account) == (
        Kind.REPLY, "18040000000000021", "18040000000000021", True)
    # The notification has no timestamp of its own: the entry time, or else the time of receipt.
    assert comment.created_at == datetime(2026, 11, 16, 11, tzinfo=UTC)
    assert map_instagram(webhook_events("webhook_comments", with_time=False)[0]).created_at == FETCHED


def test_webhook_mentions_have_ids_but_no_text() -> None:
    in_comment, in_caption = (map_instagram(e) for e in webhook_events("webhook_mentions"))
    assert (in_comment.id, in_comment.kind, in_comment.conversation_id, in_comment.parent_id, in_comment.text) == (
        "instagram:18040666000000001", Kind.MENTION, "18040666000000001", "17990666000000001", None)
    assert (in_caption.id, in_caption.conversation_id, in_caption.parent_id) == (
        "instagram:17990666000000002", "17990666000000002", None)


def test_webhook_messages_agree_with_the_conversations_api() -> None:
    citizen_event, echo_event, read_event = webhook_events("webhook_messages")
    pushed_citizen, pushed_echo = map_instagram(citizen_event), map_instagram(echo_event)
    ours, theirs, _old = fixture("messages_conv1")["data"]
    polled_citizen = map_instagram(raw("conversation_message", theirs, participant_id=CITIZEN_IGSID))
    polled_ours = map_instagram(raw("conversation_message", ours, participant_id=CITIZEN_IGSID))
    for pushed, polled in ((pushed_citizen, polled_citizen), (pushed_echo, polled_ours)):
        assert (pushed.id, pushed.key, pushed.from_account, pushed.created_at) == (
            polled.id, polled.key, polled.from_account, polled.created_at)
    with pytest.raises(IgnoredItem):
        map_instagram(read_event)
    edit = {"sender": {"id": CITIZEN_IGSID}, "recipient": {"id": IG_USER}, "timestamp": 1794819100000,
            "message_edit": {"mid": pushed_citizen.native_id, "text": "Hei! Hvordan søker jeg om beboerparkering?",
                             "num_edit": 1}}
    edited = map_instagram(raw("webhook:messages", edit, source="webhook"))
    assert (edited.id, edited.event, edited.conversation_id, edited.from_account) == (
        pushed_citizen.id, Event.EDITED, CITIZEN_IGSID, False)
    deleted = citizen_event.payload["message"] | {"is_deleted": True}  # type: ignore[operator]
    assert map_instagram(citizen_event.model_copy(update={"payload": {**citizen_event.payload, "message": deleted}})
                         ).event is Event.DELETED


@pytest.mark.parametrize("resource, payload, code", [
    ("comment", {"id": "1", "timestamp": "i går"}, "schema_violation"),
    ("comment", {"id": "1"}, "schema_violation"),
    ("comment", {"text": "hei", "timestamp": "2026-11-16T05:40:00+0000"}, "schema_violation"),
    ("media", {"id": "1", "timestamp": "2026-11-16T05:40:00"}, "schema_violation"),
    ("conversation_message", {"id": "m_1", "created_time": "2026-11-16T05:40:00+0000"}, "schema_violation"),
    ("webhook:mentions", {"comment_id": "1"}, "schema_violation"),
    ("webhook:messages", {"sender": {"id": "1"}, "message": {"mid": "m", "text": "x"}}, "schema_violation"),
    ("story", {"id": "1", "timestamp": "2026-11-16T05:40:00+0000"}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, payload: dict[str, Any], code: str) -> None:
    with pytest.raises(MappingError) as info:
        map_instagram(raw(resource, payload))
    assert info.value.code == code
