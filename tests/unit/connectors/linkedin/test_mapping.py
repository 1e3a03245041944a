"""connectors/linkedin/mapping.py: LinkedIn posts, comments and replies to InboxMessage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import IgnoredItem, MappingError
from connectors.linkedin.mapping import comment_urn, map_linkedin
from schemas import Event, Kind, Platform, RawEvent
from tests.unit.connectors.linkedin.helpers import A1, C1, C2, NOW, ORG, ORG_ID, P1, fixture


def raw(resource: str, payload: dict[str, Any], **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.LINKEDIN, account_id=ORG_ID, resource=resource, payload=payload,
                    context=context, fetched_at=NOW)


# -- mapping ---------------------------------------------------------------------------------

def test_mapping_of_posts_comments_and_replies() -> None:
    post = map_linkedin(raw("post", fixture("posts_page1.json")["elements"][0]))
    assert (post.kind, post.conversation_id, post.parent_id, post.from_account, post.event) == (
        Kind.POST, P1, None, True, Event.CREATED)
    assert post.id == f"linkedin:{P1}" and post.author_id == ORG
    assert post.created_at == datetime(2026, 11, 16, 5, 40, tzinfo=UTC)
    assert post.permalink == f"https://www.linkedin.com/feed/update/{P1}/"

    first, _ = fixture("comments_share_page1.json")["elements"]
    comment = map_linkedin(raw("comment", first, post_urn=P1))
    assert (comment.kind, comment.conversation_id, comment.parent_id, comment.from_account) == (
        Kind.COMMENT, C1, P1, False)
    assert comment.id == f"linkedin:{C1}" and comment.author_id == "urn:li:person:aB3dEfGh1J"
    assert comment.created_at == datetime(2026, 11, 16, 6, 10, tzinfo=UTC)
    assert (comment.text or "").startswith("Når blir Markveien")

    ours, follow_up = fixture("replies_comment1.json")["elements"]
    answer = map_linkedin(raw("comment", ours, post_urn=P1, parent_comment=C1))
    assert (answer.kind, answer.conversation_id, answer.parent_id, answer.from_account) == (Kind.REPLY, C1, C1, True)
    again = map_linkedin(raw("comment", follow_up, post_urn=P1, parent_comment=C1))
    assert (again.kind, again.conversation_id, again.from_account) == (Kind.REPLY, C1, False)
    assert answer.key == again.key == comment.key  # one conversation per citizen comment


def test_comment_without_context_uses_its_object_and_nested_comment_without_parent_uses_context() -> None:
    element = fixture("comments_ugcpost.json")["elements"][0]
    assert map_linkedin(raw("comment", element)).parent_id == "urn:li:activity:7262810099415519232"
    nested = {k: v for k, v in fixture("replies_comment1.json")["elements"][1].items() if k != "parentComment"}
    reply = map_linkedin(raw("comment", nested, parent_comment=C1))
    assert (reply.kind, reply.conversation_id) == (Kind.REPLY, C1)


def test_edited_item_maps_to_edited_and_account_id_may_be_a_urn() -> None:
    element = fixture("comments_share_page1.json")["elements"][1]
    assert map_linkedin(raw("comment", element, change="changed")).event is Event.EDITED
    post = fixture("posts_page1.json")["elements"][0]
    as_urn = RawEvent(platform=Platform.LINKEDIN, account_id=ORG, resource="post", payload=post, fetched_at=NOW)
    assert map_linkedin(as_urn).from_account is True


def test_comment_urn_fallbacks() -> None:
    assert comment_urn({"$URN": C2, "id": "1"}) == C2
    assert comment_urn({"object": A1, "id": "7263475000000000002"}) == C2
    assert comment_urn({"id": "7"}) is None


def test_draft_post_is_not_a_message() -> None:
    post = {**fixture("posts_page1.json")["elements"][0], "lifecycleState": "DRAFT"}
    with pytest.raises(IgnoredItem):
        map_linkedin(raw("post", post))


@pytest.mark.parametrize("resource, payload, code", [
    ("comment", {"commentUrn": C1, "created": {"time": "i går"}}, "schema_violation"),
    ("comment", {"commentUrn": C1}, "schema_violation"),
    ("comment", {"message": {"text": "Hei"}, "created": {"time": 1794809400000}}, "schema_violation"),
    ("post", {"id": P1, "commentary": "Hei"}, "schema_violation"),
    ("post", {"commentary": "Hei", "createdAt": 1794807600000}, "schema_violation"),
    ("reaction", {"id": "x"}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, payload: dict[str, Any], code: str) -> None:
    with pytest.raises(MappingError) as info:
        map_linkedin(raw(resource, payload))
    assert info.value.code == code
