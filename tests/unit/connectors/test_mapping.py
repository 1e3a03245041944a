"""connectors/mapping.py: the key of a raw item on ``innboks.raw`` comes from its mapping."""

from __future__ import annotations

from connectors.mapping import normalize, raw_key
from schemas import RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw


def test_raw_key_is_the_conversation_key_else_platform_account_resource(unmappable: RawEvent) -> None:
    reply = facebook_comment_raw("c2", "Takk!", parent="c1")
    assert raw_key(reply) == normalize(reply).key == f"facebook:{PAGE_ID}:c1"
    assert raw_key(unmappable) == f"facebook:{PAGE_ID}:comment"
