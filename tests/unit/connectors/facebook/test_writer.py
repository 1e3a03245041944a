"""connectors/facebook/writer.py: replies, hiding, deleting and Messenger replies against Graph API shapes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from connectors.errors import AuthError, RateLimited, RetriableError
from connectors.facebook.writer import FacebookWriter
from connectors.writer import NotSupported, PermissionMissing, TargetGone, failure_of
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi
from tests.helpers import PAGE_ID
from tests.unit.connectors.writing import NOW, TEXT, target, writer_for

COMMENT = "1365859083088_68398685840396671"
REPLY = "1365859083088_391373706129546"
POST = f"{PAGE_ID}_1365859083088"
PSID = "4285447252234649"
CONVERSATION = "t_121628872880419"
V = "/v24.0"


def graph_error(message: str, kind: str, code: int, subcode: int | None = None) -> dict:
    error: dict = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


PERMISSION = graph_error("(#200) The user hasn't authorized the application to perform this action",
                         "OAuthException", 200)
EXPIRED = graph_error("Error validating access token: Session has expired on Tuesday, 17-Nov-26 03:00:00 PST.",
                      "OAuthException", 190, 463)
THROTTLED = graph_error("(#32) Page request limit reached", "OAuthException", 32)
GONE = graph_error(f"Unsupported post request. Object with ID '{COMMENT}' does not exist, cannot be loaded due to "
                   "missing permissions, or does not support this operation.", "GraphMethodException", 100, 33)
OUTSIDE = graph_error("(#10) This message is sent outside of allowed window.", "OAuthException", 10, 2018278)


def graph_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def comment(native: str = COMMENT, kind: Kind = Kind.COMMENT, parent: str | None = POST):
    return target(Platform.FACEBOOK, PAGE_ID, native, kind=kind, parent=parent,
                  conversation=COMMENT if kind is Kind.REPLY else native)


def dm(created: datetime = NOW - timedelta(hours=2)):
    return target(Platform.FACEBOOK, PAGE_ID, "m_yPZ1JUoqY2SbvB5c5JHSMR", kind=Kind.DIRECT_MESSAGE,
                  conversation=PSID, author=PSID, created=created)


def writer(api: FakeApi, **options) -> FacebookWriter:
    return writer_for(FacebookWriter, api, PAGE_ID, **options)  # type: ignore[return-value]


def test_reply_to_a_comment_posts_under_it_and_returns_the_new_id() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{COMMENT}/comments", {"id": "1365859083088_991000000000001"})
        new_id = writer(api).reply(comment(), TEXT)
    assert new_id == "1365859083088_991000000000001"
    [request] = api.requests
    assert (request.method, request.path, request.json()) == ("POST", f"{V}/{COMMENT}/comments", {"message": TEXT})
    assert request.headers["authorization"] == "Bearer t0ken"


def test_reply_to_a_reply_goes_under_its_top_level_comment() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{COMMENT}/comments", {"id": "1365859083088_991000000000002"})
        writer(api).reply(comment(REPLY, Kind.REPLY, parent=COMMENT), TEXT)
    assert api.paths() == [f"{V}/{COMMENT}/comments"]


def test_reply_to_a_visitor_post_comments_on_the_post() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{POST}/comments", {"id": "1365859083088_991000000000003"})
        writer(api).reply(target(Platform.FACEBOOK, PAGE_ID, POST, kind=Kind.POST), TEXT)
    assert api.paths() == [f"{V}/{POST}/comments"]


def test_graph_version_comes_from_the_account_options() -> None:
    with FakeApi() as api:
        api.json("POST", rf"/v25.0/{COMMENT}/comments", {"id": "1"})
        writer(api, graph_version="v25.0").reply(comment(), TEXT)
    assert api.paths() == [f"/v25.0/{COMMENT}/comments"]


@pytest.mark.parametrize("kind, hidden", [(ActionKind.HIDE, True), (ActionKind.UNHIDE, False)])
def test_hide_and_unhide_set_is_hidden_on_the_comment(kind: ActionKind, hidden: bool) -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{COMMENT}", {"success": True})
        action = writer(api).hide if kind is ActionKind.HIDE else writer(api).unhide
        action(comment())
    [request] = api.requests
    assert (request.method, request.path, request.json()) == ("POST", f"{V}/{COMMENT}", {"is_hidden": hidden})


def test_delete_deletes_the_comment() -> None:
    with FakeApi() as api:
        api.json("DELETE", rf"{V}/{COMMENT}", {"success": True})
        writer(api).delete(comment())
    assert [(r.method, r.path) for r in api.requests] == [("DELETE", f"{V}/{COMMENT}")]


def test_a_direct_message_cannot_be_hidden_or_deleted() -> None:
    with FakeApi() as api:
        for action in (writer(api).hide, writer(api).delete):
            with pytest.raises(NotSupported, match="Messenger") as caught:
                action(dm())
            assert failure_of(caught.value) is ActionFailure.NOT_SUPPORTED
    assert api.requests == []


def test_messenger_reply_within_24_hours_is_a_response() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{PAGE_ID}/messages", {"recipient_id": PSID, "message_id": "m_AG5Hz2Uq7tuwNEhXfYYKj8"})
        new_id = writer(api).reply(dm(), TEXT)
    assert new_id == "m_AG5Hz2Uq7tuwNEhXfYYKj8"
    [request] = api.requests  # the citizen's message is recent: no look-up needed
    assert request.path == f"{V}/{PAGE_ID}/messages"
    assert request.json() == {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": TEXT}}


def conversation_routes(api: FakeApi, last_citizen: datetime, ours_after: datetime | None = None,
                        ours_text: str = TEXT) -> None:
    api.json("GET", rf"{V}/{PAGE_ID}/conversations",
             {"data": [{"id": CONVERSATION, "updated_time": "2026-11-17T08:00:00+0000"}]})
    messages = [{"id": "m_citizen", "message": "Hei igjen", "created_time": graph_time(last_citizen),
                 "from": {"name": "Anne Berit Søreng", "id": PSID}}]
    if ours_after is not None:
        messages.insert(0, {"id": "m_ours", "message": ours_text, "created_time": graph_time(ours_after),
                            "from": {"name": "Alta kommune", "id": PAGE_ID}})
    api.json("GET", rf"{V}/{CONVERSATION}/messages", {"data": messages})


def test_messenger_reply_after_24_hours_is_refused_before_calling_the_send_api() -> None:
    with FakeApi() as api:
        conversation_routes(api, last_citizen=NOW - timedelta(hours=30))
        with pytest.raises(NotSupported, match="30 hours ago") as caught:
            writer(api).reply(dm(created=NOW - timedelta(hours=30)), TEXT)
    assert failure_of(caught.value) is ActionFailure.NOT_SUPPORTED
    assert [r.method for r in api.requests] == ["GET", "GET"]
    lookup = api.requests[0]
    assert lookup.query == {"platform": "messenger", "user_id": PSID, "fields": "id,updated_time"}


def test_a_later_message_of_the_citizen_reopens_the_window() -> None:
    with FakeApi() as api:
        conversation_routes(api, last_citizen=NOW - timedelta(hours=1))
        api.json("POST", rf"{V}/{PAGE_ID}/messages", {"recipient_id": PSID, "message_id": "m_2"})
        assert writer(api).reply(dm(created=NOW - timedelta(days=2)), TEXT) == "m_2"
    assert api.requests[-1].json()["messaging_type"] == "RESPONSE"


def test_human_agent_tag_only_when_the_account_enables_it() -> None:
    with FakeApi() as api:
        conversation_routes(api, last_citizen=NOW - timedelta(days=3))
        api.json("POST", rf"{V}/{PAGE_ID}/messages", {"recipient_id": PSID, "message_id": "m_3"})
        with pytest.raises(NotSupported):
            writer(api).reply(dm(created=NOW - timedelta(days=3)), TEXT)
        writer(api, human_agent=True).reply(dm(created=NOW - timedelta(days=3)), TEXT)
    sent = [r.json() for r in api.requests if r.method == "POST"]
    assert sent == [{"recipient": {"id": PSID}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
                     "message": {"text": TEXT}}]
    with FakeApi() as api:
        conversation_routes(api, last_citizen=NOW - timedelta(days=8))
        with pytest.raises(NotSupported):  # the Human Agent window is 7 days
            writer(api, human_agent=True).reply(dm(created=NOW - timedelta(days=8)), TEXT)
    assert [r.method for r in api.requests] == ["GET", "GET"]


def test_window_closed_meanwhile_is_not_supported() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{PAGE_ID}/messages", OUTSIDE, status=400)
        with pytest.raises(NotSupported, match="messaging window") as caught:
            writer(api).reply(dm(), TEXT)
    assert failure_of(caught.value) is ActionFailure.NOT_SUPPORTED


@pytest.mark.parametrize("status, body, error, failure", [
    (403, PERMISSION, PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (400, graph_error("(#10) Permission denied", "OAuthException", 10), PermissionMissing,
     ActionFailure.PERMISSION_MISSING),
    (400, EXPIRED, AuthError, ActionFailure.TOKEN_EXPIRED),
    (400, THROTTLED, RateLimited, ActionFailure.RATE_LIMITED),
    (400, GONE, TargetGone, ActionFailure.TARGET_GONE),
])
def test_errors_are_classified(status: int, body: dict, error: type, failure: ActionFailure) -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{COMMENT}/comments", body, status=status)
        api.json("POST", rf"{V}/{COMMENT}", body, status=status)
        for action in (lambda w: w.reply(comment(), TEXT), lambda w: w.hide(comment())):
            with pytest.raises(error) as caught:
                action(writer(api))
            assert failure_of(caught.value) is failure
    assert len(api.requests) == 2  # neither an expired token nor a permission is retried
    assert all("Brøytebilen" not in str(r.path) for r in api.requests)


def test_a_reply_is_sent_once_but_a_hide_is_retried_after_a_server_error() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{COMMENT}/comments", graph_error("An unexpected error has occurred.",
                                                                 "OAuthException", 2), status=500)
        api.sequence("POST", rf"{V}/{COMMENT}", [(500, {}, {}), (200, {}, {"success": True})])
        with pytest.raises(RetriableError) as caught:
            writer(api).reply(comment(), TEXT)
        assert failure_of(caught.value) is ActionFailure.PLATFORM_ERROR
        writer(api).hide(comment())
    assert [r.path for r in api.requests] == [f"{V}/{COMMENT}/comments", f"{V}/{COMMENT}", f"{V}/{COMMENT}"]


def test_error_messages_carry_no_text() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{V}/{COMMENT}/comments", GONE, status=400)
        with pytest.raises(TargetGone) as caught:
            writer(api).reply(comment(), TEXT)
    assert TEXT not in str(caught.value) and "does not exist, cannot" not in str(caught.value)


def replies(*items: dict) -> dict:
    return {"data": list(items), "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}}


def ours(text: str, created: datetime, native: str = "1365859083088_991000000000001") -> dict:
    return {"id": native, "message": text, "created_time": graph_time(created),
            "from": {"name": "Alta kommune", "id": PAGE_ID}}


def test_find_reply_finds_our_reply_with_that_text_since_the_attempt() -> None:
    since = NOW - timedelta(minutes=5)
    citizen = {"id": "1365859083088_5", "message": TEXT, "created_time": "2026-11-17T11:58:00+0000",
               "from": {"name": "Stian Pedersen", "id": "42390036723238836"}}
    with FakeApi() as api:
        api.json("GET", rf"{V}/{COMMENT}/comments", replies(citizen, ours(TEXT, NOW - timedelta(minutes=1))))
        assert writer(api).find_reply(comment(), TEXT, since) == "1365859083088_991000000000001"
    assert api.requests[0].query == {"fields": "id,message,created_time,from", "limit": "100", "filter": "stream",
                                     "order": "reverse_chronological"}


@pytest.mark.parametrize("found", [
    ours("Et annet svar", NOW - timedelta(minutes=1)),  # other text
    ours(TEXT, NOW - timedelta(hours=1)),  # before the attempt
    {**ours(TEXT, NOW - timedelta(minutes=1)), "from": {"name": "Stian Pedersen", "id": "42390036723238836"}},
])
def test_find_reply_does_not_take_another_comment(found: dict) -> None:
    with FakeApi() as api:
        api.json("GET", rf"{V}/{COMMENT}/comments", replies(found))
        assert writer(api).find_reply(comment(), TEXT, NOW - timedelta(minutes=5)) is None


def test_find_reply_in_a_messenger_thread() -> None:
    with FakeApi() as api:
        conversation_routes(api, last_citizen=NOW - timedelta(hours=1), ours_after=NOW - timedelta(minutes=1))
        assert writer(api).find_reply(dm(), TEXT, NOW - timedelta(minutes=5)) == "m_ours"
        assert writer(api).find_reply(dm(), "Noe annet", NOW - timedelta(minutes=5)) is None
        assert writer(api).find_reply(dm(), TEXT, NOW) is None


def test_find_reply_without_a_conversation_is_none() -> None:
    with FakeApi() as api:
        api.json("GET", rf"{V}/{PAGE_ID}/conversations", {"data": []})
        assert writer(api).find_reply(dm(), TEXT, NOW - timedelta(minutes=5)) is None


def test_supports_every_action() -> None:
    assert FacebookWriter.capabilities().supports == frozenset(ActionKind)
    assert FacebookWriter.capabilities().unsupported_because == {}
