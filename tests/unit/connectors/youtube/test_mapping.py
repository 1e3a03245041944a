"""connectors/youtube/mapping.py: YouTube comments and replies to InboxMessage."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import MappingError
from connectors.youtube.mapping import map_youtube
from schemas import Event, Kind, Platform, RawEvent
from tests.unit.connectors.youtube.helpers import (
    CHANNEL,
    KARI_THREAD,
    NOW,
    OUR_ANSWER_TO_SIGRID,
    SIGRID_THREAD,
    fixture,
)


def raw(resource: str, payload: dict[str, Any], **context: Any) -> RawEvent:
    return RawEvent(platform=Platform.YOUTUBE, account_id=CHANNEL, resource=resource, payload=payload,
                    context=context, fetched_at=NOW)


def top_level(page: str = "comment_threads_page1", index: int = 0) -> dict[str, Any]:
    return fixture(page)["items"][index]["snippet"]["topLevelComment"]


# -- mapping ----------------------------------------------------------------------------------------

def test_top_level_comment_opens_its_own_conversation_under_the_video() -> None:
    msg = map_youtube(raw("comment", top_level(), thread_id=KARI_THREAD, video_id="q3Vx9LtR2mE"))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account, msg.event) == (
        Kind.COMMENT, KARI_THREAD, "q3Vx9LtR2mE", False, Event.CREATED)
    assert msg.id == f"youtube:{KARI_THREAD}"
    assert msg.author_id == "UCk4R1n0rdM4nnQx7Lw2pZ9y" and msg.author_name == "@karinordmann"
    assert msg.text is not None and msg.text.startswith("Når blir Løkkeveien brøytet?")
    assert msg.created_at == datetime(2026, 11, 18, 7, 42, 10, tzinfo=UTC)
    assert msg.permalink == f"https://www.youtube.com/watch?v=q3Vx9LtR2mE&lc={KARI_THREAD}"


def test_our_reply_lands_in_the_thread_it_answers() -> None:
    reply = fixture("comment_threads_page1")["items"][0]["replies"]["comments"][0]
    msg = map_youtube(raw("reply", reply, thread_id=KARI_THREAD, video_id="q3Vx9LtR2mE"))
    assert (msg.kind, msg.conversation_id, msg.parent_id, msg.from_account) == (
        Kind.REPLY, KARI_THREAD, KARI_THREAD, True)
    assert msg.permalink == f"https://www.youtube.com/watch?v=q3Vx9LtR2mE&lc={reply['id']}"


def test_a_reply_without_video_id_takes_it_from_the_context() -> None:
    reply = copy.deepcopy(fixture("replies_page2")["items"][1])
    del reply["snippet"]["videoId"]
    msg = map_youtube(raw("reply", reply, thread_id=SIGRID_THREAD, video_id="Bn7KdP0wYzA"))
    assert (msg.kind, msg.conversation_id, msg.from_account) == (Kind.REPLY, SIGRID_THREAD, True)
    assert msg.permalink == f"https://www.youtube.com/watch?v=Bn7KdP0wYzA&lc={OUR_ANSWER_TO_SIGRID}"


@pytest.mark.parametrize("status, change, event", [
    ("published", None, Event.CREATED),
    ("heldForReview", None, Event.CREATED),
    (None, "changed", Event.EDITED),
    ("heldForReview", "changed", Event.HIDDEN),   # hidden since we last saw it (our hide)
    ("published", "changed", Event.EDITED),       # approved or shown again
    ("rejected", None, Event.HIDDEN),
    ("rejected", "changed", Event.HIDDEN),
    ("likelySpam", None, Event.HIDDEN),
])
def test_moderation_status_and_changes_become_events(status: str | None, change: str | None, event: Event) -> None:
    comment = copy.deepcopy(top_level())
    if status:
        comment["snippet"]["moderationStatus"] = status
    context = {"change": change} if change else {}
    assert map_youtube(raw("comment", comment, **context)).event is event


def test_channel_comment_without_video_has_no_parent_and_no_permalink() -> None:
    comment = copy.deepcopy(top_level())
    del comment["snippet"]["videoId"]
    msg = map_youtube(raw("comment", comment))
    assert (msg.conversation_id, msg.parent_id, msg.permalink) == (KARI_THREAD, None, None)


def test_text_falls_back_to_text_display_and_author_may_be_missing() -> None:
    comment = copy.deepcopy(top_level())
    del comment["snippet"]["textOriginal"], comment["snippet"]["authorChannelId"]
    msg = map_youtube(raw("comment", comment))
    assert msg.text == comment["snippet"]["textDisplay"]
    assert msg.author_id is None and msg.from_account is False


@pytest.mark.parametrize("resource, edit, context, code", [
    ("comment", lambda c: c.pop("id"), {}, "schema_violation"),
    ("comment", lambda c: c.pop("snippet"), {}, "schema_violation"),
    ("comment", lambda c: c["snippet"].pop("publishedAt"), {}, "schema_violation"),
    ("comment", lambda c: c["snippet"].update(publishedAt="i går"), {}, "schema_violation"),
    ("comment", lambda c: c["snippet"].update(publishedAt="2026-11-18T07:42:10"), {}, "schema_violation"),
    ("reply", lambda c: None, {}, "schema_violation"),  # a top-level payload has no parentId
    ("video", lambda c: None, {}, "unsupported_resource"),
])
def test_unmappable_items_raise_with_a_reason_code(resource: str, edit: Any, context: dict[str, Any],
                                                   code: str) -> None:
    comment = copy.deepcopy(top_level())
    edit(comment)
    with pytest.raises(MappingError) as info:
        map_youtube(raw(resource, comment, **context))
    assert info.value.code == code
    assert "Løkkeveien" not in str(info.value)
