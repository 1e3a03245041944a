"""connectors/instagram/writer.py: comment replies, hiding, deleting and direct messages (Instagram Graph API)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.errors import AuthError, RateLimited
from connectors.instagram.writer import InstagramWriter
from connectors.writer import NotSupported, PermissionMissing, TargetGone, failure_of
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi
from tests.unit.connectors.instagram.helpers import C1, CITIZEN_IGSID, IG_USER, MEDIA_A, R1, USERNAME
from tests.unit.connectors.writing import NOW, TEXT, target, writer_for

V = "/v24.0"
PAGE = "104857362918274"
CONVERSATION = "aWdfZAG06MTpJR01lc3NhZA2VUaHJlYWQ6MTc4NDE0MDAwMDAwMDAwMToxMjM0"


def graph_error(code: int, subcode: int | None = None, kind: str = "OAuthException") -> dict:
    error: dict = {"message": f"(#{code}) error", "type": kind, "code": code, "fbtrace_id": "AxYzAbC"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


def comment(native: str = C1, kind: Kind = Kind.COMMENT, parent: str | None = MEDIA_A):
    return target(Platform.INSTAGRAM, IG_USER, native, kind=kind, parent=parent,
                  conversation=C1 if kind is Kind.REPLY else native, author="17841455512345678")


def dm():
    return target(Platform.INSTAGRAM, IG_USER, "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx", kind=Kind.DIRECT_MESSAGE,
                  conversation=CITIZEN_IGSID, author=CITIZEN_IGSID, created=NOW - timedelta(hours=3))


def writer(api: FakeApi, **options) -> InstagramWriter:
    return writer_for(InstagramWriter, api, IG_USER, **{"username": USERNAME, **options})  # type: ignore[return-value]


def test_reply_to_a_comment_uses_the_replies_edge() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{C1}/replies", {"id": "18050000000000001"})
        assert writer(api).reply(comment(), TEXT) == "18050000000000001"
    [request] = api.requests
    assert (request.method, request.path, request.json()) == ("POST", f"{V}/{C1}/replies", {"message": TEXT})


def test_reply_to_a_reply_goes_to_the_top_level_comment() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{C1}/replies", {"id": "18050000000000002"})
        writer(api).reply(comment(R1, Kind.REPLY, parent=C1), TEXT)
    assert api.paths() == [f"{V}/{C1}/replies"]


@pytest.mark.parametrize("hidden", [True, False])
def test_hide_and_unhide(hidden: bool) -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{C1}", {"success": True})
        (writer(api).hide if hidden else writer(api).unhide)(comment())
    [request] = api.requests
    assert (request.path, request.json()) == (f"{V}/{C1}", {"hide": hidden})


def test_delete() -> None:
    with FakeApi() as api:
        api.json("DELETE", rf"{V}/{C1}", {"success": True})
        writer(api).delete(comment())
    assert [(r.method, r.path) for r in api.requests] == [("DELETE", f"{V}/{C1}")]


def test_direct_message_goes_through_the_linked_page() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{PAGE}/messages", {"recipient_id": CITIZEN_IGSID, "message_id": "aWdfZAG1faXRlbTox"})
        assert writer(api, page_id=PAGE).reply(dm(), TEXT) == "aWdfZAG1faXRlbTox"
    assert api.requests[0].json() == {"recipient": {"id": CITIZEN_IGSID}, "messaging_type": "RESPONSE",
                                      "message": {"text": TEXT}}


def test_direct_message_without_a_page_is_not_supported() -> None:
    with FakeApi() as api, pytest.raises(NotSupported, match="page_id"):
        writer(api).reply(dm(), TEXT)
    assert api.requests == []


@pytest.mark.parametrize("kind", [Kind.MENTION, Kind.POST])
def test_mentions_and_tags_cannot_be_answered_here(kind: Kind) -> None:
    with FakeApi() as api:
        message = target(Platform.INSTAGRAM, IG_USER, MEDIA_A, kind=kind)
        with pytest.raises(NotSupported, match="comments on our own media"):
            writer(api).reply(message, TEXT)
        with pytest.raises(NotSupported):
            writer(api).hide(message)
        assert writer(api).find_reply(message, TEXT, NOW) is None
    assert api.requests == []


@pytest.mark.parametrize("status, body, error, failure", [
    (400, graph_error(10), PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (403, graph_error(200), PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (400, graph_error(190, 463), AuthError, ActionFailure.TOKEN_EXPIRED),
    (400, graph_error(4), RateLimited, ActionFailure.RATE_LIMITED),
    (400, graph_error(100, 33, "GraphMethodException"), TargetGone, ActionFailure.TARGET_GONE),
])
def test_errors_are_classified(status: int, body: dict, error: type, failure: ActionFailure) -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{C1}/replies", body, status=status)
        with pytest.raises(error) as caught:
            writer(api).reply(comment(), TEXT)
    assert failure_of(caught.value) is failure
    assert len(api.requests) == 1


def reply_item(text: str, minutes_ago: int, username: str = USERNAME, author: str = "17841400000000099") -> dict:
    moment = NOW - timedelta(minutes=minutes_ago)
    return {"id": f"1805000000000{minutes_ago:04d}", "text": text, "username": username,
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S+0000"), "from": {"id": author, "username": username}}


def test_find_reply_recognises_our_username() -> None:
    since = NOW - timedelta(minutes=10)
    with FakeApi() as api:
        api.json("GET", rf"{V}/{C1}/replies", {"data": [reply_item(TEXT, 30), reply_item(TEXT, 2, "kari.nordmann"),
                                                         reply_item(TEXT, 1)]})
        assert writer(api).find_reply(comment(), TEXT, since) == "18050000000000001"
        assert writer(api).find_reply(comment(), "Et annet svar", since) is None
    assert api.requests[0].query["fields"] == "id,text,timestamp,username,from"


def test_find_reply_in_a_direct_message_thread() -> None:
    with FakeApi() as api:
        api.json("GET", rf"{V}/{PAGE}/conversations", {"data": [{"id": CONVERSATION}]})
        api.json("GET", rf"{V}/{CONVERSATION}/messages", {"data": [
            {"id": "aWdfZAG1faXRlbToy", "message": TEXT, "created_time": "2026-11-17T11:59:00+0000",
             "from": {"username": USERNAME, "id": IG_USER}}]})
        assert writer(api, page_id=PAGE).find_reply(dm(), TEXT, NOW - timedelta(minutes=5)) == "aWdfZAG1faXRlbToy"
    assert api.requests[0].query["platform"] == "instagram"


def test_supports_every_action() -> None:
    assert InstagramWriter.capabilities().supports == frozenset(ActionKind)
