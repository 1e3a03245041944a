"""connectors/mapping.py: each raw item is mapped once, at the edge, and carries the outcome."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors import mapping
from schemas import MappingRejection, Platform, RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw


def test_a_message_carries_its_mapping_and_is_keyed_by_its_conversation() -> None:
    reply = facebook_comment_raw("c2", "Takk!", parent="c1", mapped=False)
    event = mapping.mapped(reply)
    assert event.message == mapping.normalize(reply) and event.ignored is None and event.rejected is None
    assert event.key == f"facebook:{PAGE_ID}:c1"
    assert RawEvent.model_validate_json(event.to_json_bytes()) == event


def test_an_item_the_mapping_rejects_carries_the_reason_and_the_resource_key(unmappable: RawEvent) -> None:
    event = mapping.mapped(unmappable)
    assert event.message is None and event.ignored is None
    assert event.rejected == MappingRejection(code="schema_violation",
                                              reason="payload.created_time: missing or not a string")
    assert event.key == f"facebook:{PAGE_ID}:comment"


def test_an_item_that_is_not_a_message_is_marked_ignored() -> None:
    like = RawEvent(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource="webhook:feed",
                    payload={"item": "reaction", "verb": "add", "post_id": f"{PAGE_ID}_1"},
                    fetched_at=datetime(2026, 11, 16, 12, tzinfo=UTC), source="webhook")
    event = mapping.mapped(like)
    assert event.message is None and event.rejected is None
    assert event.ignored == "feed item 'reaction' verb 'add' is not a message"
    assert event.key == f"facebook:{PAGE_ID}:webhook:feed"


def test_an_item_is_mapped_once(mapped: list[str]) -> None:
    event = mapping.mapped(facebook_comment_raw("c1", "Hei", mapped=False))
    assert mapping.mapped(event) is event and mapped == ["c1"]
