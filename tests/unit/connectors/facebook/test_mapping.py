"""connectors/facebook/mapping.py: Graph API items and Meta webhook changes (Pages) to InboxMessage."""

from datetime import UTC, datetime

import pytest

from connectors.errors import IgnoredItem, MappingError
from connectors.facebook.mapping import map_facebook
from schemas import Event, Kind, Platform, RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw
from tests.unit.connectors.facebook.helpers import NOW


def raw(resource: str, payload: dict, **context: str) -> RawEvent:
    return RawEvent(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource=resource, payload=payload,
                    context=context, fetched_at=datetime(2026, 11, 16, tzinfo=UTC))


def test_top_level_comment_is_its_own_conversation() -> None:
    msg = map_facebook(facebook_comment_raw("1_100", "Hei", post_id=f"{PAGE_ID}_1"))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account) == (
        Kind.COMMENT, "1_100", f"{PAGE_ID}_1", False)
    assert msg.id == "facebook:1_100"
    assert msg.created_at == datetime(2026, 11, 16, 9, tzinfo=UTC)


def test_our_reply_belongs_to_the_comment_thread() -> None:
    msg = map_facebook(facebook_comment_raw("1_101", "Svar", author=PAGE_ID, parent="1_100"))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account) == (Kind.REPLY, "1_100", "1_100", True)


def test_post_and_direct_message() -> None:
    post = map_facebook(raw("post", {"id": f"{PAGE_ID}_9", "message": "Brøytemelding", "created_time":
                                     "2026-11-16T05:40:00+0000", "from": {"id": PAGE_ID, "name": "Alta kommune"}}))
    assert (post.kind, post.conversation_id, post.from_account) == (Kind.POST, f"{PAGE_ID}_9", True)
    dm = map_facebook(raw("conversation_message", {"id": "m_abc", "message": "Hei", "created_time":
                                                   "2026-11-16T05:40:00+0000", "from": {"id": "77"}},
                          conversation_id="t_1"))
    assert (dm.kind, dm.conversation_id, dm.author_id) == (Kind.DIRECT_MESSAGE, "t_1", "77")


def test_hidden_comment_and_missing_author() -> None:
    msg = map_facebook(raw("comment", {"id": "1_5", "created_time": "2026-11-16T05:40:00+0000", "is_hidden": True}))
    assert msg.event is Event.HIDDEN and msg.author_id is None and msg.text is None


@pytest.mark.parametrize("resource, payload, code", [
    ("comment", {"id": "1_5", "created_time": "i går"}, "schema_violation"),
    ("comment", {"id": "1_5"}, "schema_violation"),
    ("comment", {"created_time": "2026-11-16T05:40:00+0000"}, "schema_violation"),
    ("comment", {"id": "1_5", "created_time": "2026-11-16T05:40:00"}, "schema_violation"),
    ("conversation_message", {"id": "m_1", "created_time": "2026-11-16T05:40:00+0000"}, "schema_violation"),
    ("story", {"id": "1", "created_time": "2026-11-16T05:40:00+0000"}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, payload: dict, code: str) -> None:
    with pytest.raises(MappingError) as info:
        map_facebook(raw(resource, payload))
    assert info.value.code == code


# -- webhooks ------------------------------------------------------------------------------

def webhook(resource: str, value: dict) -> RawEvent:
    return RawEvent(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource=resource, payload=value,
                    fetched_at=NOW, source="webhook")


def feed(**value: object) -> RawEvent:
    base = {"from": {"id": "4242", "name": "Kari Nordmann"}, "post_id": f"{PAGE_ID}_9",
            "created_time": 1763370000, "item": "comment", "verb": "add"}
    return webhook("webhook:feed", {**base, **value})


@pytest.mark.parametrize("verb, event", [
    ("add", Event.CREATED), ("edited", Event.EDITED), ("remove", Event.DELETED), ("hide", Event.HIDDEN),
    ("unhide", Event.EDITED),
])
def test_feed_webhook_comment_verbs(verb: str, event: Event) -> None:
    msg = map_facebook(feed(comment_id="9_1", parent_id=f"{PAGE_ID}_9", message="Hei", verb=verb))
    assert (msg.id, msg.kind, msg.conversation_id, msg.parent_id, msg.event) == (
        "facebook:9_1", Kind.COMMENT, "9_1", f"{PAGE_ID}_9", event)
    assert msg.created_at == datetime.fromtimestamp(1763370000, UTC)


def test_feed_webhook_reply_and_our_reply_share_the_thread() -> None:
    citizen = map_facebook(feed(comment_id="9_2", parent_id="9_1", message="Og når?"))
    ours = map_facebook(feed(comment_id="9_3", parent_id="9_1", message="Svar", **{"from": {"id": PAGE_ID}}))
    assert citizen.kind is Kind.REPLY and citizen.conversation_id == ours.conversation_id == "9_1"
    assert ours.from_account and not citizen.from_account


def test_feed_webhook_visitor_post() -> None:
    msg = map_facebook(feed(item="status", message="Hei kommunen!"))
    assert (msg.kind, msg.conversation_id, msg.id) == (Kind.POST, f"{PAGE_ID}_9", f"facebook:{PAGE_ID}_9")


@pytest.mark.parametrize("value", [{"item": "reaction", "verb": "add"}, {"item": "like", "verb": "add"},
                                   {"item": "comment", "verb": "block"}])
def test_feed_webhook_reactions_are_ignored(value: dict) -> None:
    with pytest.raises(IgnoredItem):
        map_facebook(feed(**value))


def test_feed_webhook_without_comment_id_is_a_mapping_error() -> None:
    with pytest.raises(MappingError):
        map_facebook(feed(message="Hei"))


def test_messenger_webhook_citizen_message_and_our_echo() -> None:
    inbound = map_facebook(webhook("webhook:messages", {
        "sender": {"id": "4242"}, "recipient": {"id": PAGE_ID}, "timestamp": 1763370000123,
        "message": {"mid": "m_1", "text": "Hei"}}))
    echo = map_facebook(webhook("webhook:messages", {
        "sender": {"id": PAGE_ID}, "recipient": {"id": "4242"}, "timestamp": 1763370060000,
        "message": {"mid": "m_2", "text": "Hei Kari", "is_echo": True}}))
    assert (inbound.conversation_id, inbound.from_account, inbound.kind) == ("4242", False, Kind.DIRECT_MESSAGE)
    assert (echo.conversation_id, echo.from_account) == ("4242", True)
    assert inbound.created_at == datetime.fromtimestamp(1763370000.123, UTC)


def test_messenger_read_receipts_are_ignored() -> None:
    with pytest.raises(IgnoredItem):
        map_facebook(webhook("webhook:messages", {"sender": {"id": "4242"}, "recipient": {"id": PAGE_ID},
                                                  "timestamp": 1, "read": {"watermark": 1}}))
