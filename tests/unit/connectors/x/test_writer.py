"""connectors/x/writer.py: replies, hidden replies and DMs against X API v2 request and response shapes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.errors import AuthError, RateLimited
from connectors.writer import NotSupported, PermissionMissing, TargetGone, failure_of
from connectors.x.writer import XWriter, comparable
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi, load
from tests.unit.connectors.writing import NOW, TEXT, target, writer_for
from tests.unit.connectors.x.helpers import ACCOUNT, INGRID, M_INGRID, POST

NEW = "2122400000000000001"
DM_CONVERSATION = f"{ACCOUNT}-{INGRID}"
RESET = str(int(NOW.timestamp()) + 600)


def mention(native: str = M_INGRID, parent: str | None = POST):
    return target(Platform.X, ACCOUNT, native, kind=Kind.MENTION, conversation=f"{POST}:{INGRID}", parent=parent,
                  author=INGRID)


def dm():
    return target(Platform.X, ACCOUNT, "2122272306406584320", kind=Kind.DIRECT_MESSAGE,
                  conversation=DM_CONVERSATION, author=INGRID)


def writer(api: FakeApi) -> XWriter:
    return writer_for(XWriter, api, ACCOUNT)  # type: ignore[return-value]


def test_reply_posts_with_in_reply_to_tweet_id() -> None:
    with FakeApi() as api:
        api.json("POST", r"/2/tweets", {"data": {"id": NEW, "text": f"@ingridhansen {TEXT}",
                                                 "edit_history_tweet_ids": [NEW]}}, status=201)
        assert writer(api).reply(mention(), TEXT) == NEW
    [request] = api.requests
    assert (request.method, request.path) == ("POST", "/2/tweets")
    assert request.json() == {"text": TEXT, "reply": {"in_reply_to_tweet_id": M_INGRID}}
    assert request.headers["content-type"] == "application/json"


def test_direct_message_goes_to_the_dm_conversation() -> None:
    with FakeApi() as api:
        api.json("POST", rf"/2/dm_conversations/{DM_CONVERSATION}/messages",
                 {"data": {"dm_conversation_id": DM_CONVERSATION, "dm_event_id": "2122400000000000009"}}, status=201)
        assert writer(api).reply(dm(), TEXT) == "2122400000000000009"
    assert api.requests[0].json() == {"text": TEXT}


@pytest.mark.parametrize("hidden", [True, False])
def test_hide_and_unhide_a_reply(hidden: bool) -> None:
    with FakeApi() as api:
        api.json("PUT", rf"/2/tweets/{M_INGRID}/hidden", {"data": {"hidden": hidden}})
        (writer(api).hide if hidden else writer(api).unhide)(mention())
    [request] = api.requests
    assert (request.method, request.path, request.json()) == ("PUT", f"/2/tweets/{M_INGRID}/hidden",
                                                              {"hidden": hidden})


def test_delete_is_not_supported_and_says_why() -> None:
    with FakeApi() as api, pytest.raises(NotSupported, match="only its own posts") as caught:
        writer(api).delete(mention())
    assert failure_of(caught.value) is ActionFailure.NOT_SUPPORTED
    assert api.requests == []
    assert ActionKind.DELETE not in XWriter.capabilities().supports


def test_a_direct_message_or_a_post_that_replies_to_nothing_cannot_be_hidden() -> None:
    with FakeApi() as api:
        with pytest.raises(NotSupported, match="direct message"):
            writer(api).hide(dm())
        with pytest.raises(NotSupported, match="replies to nothing"):
            writer(api).hide(mention(parent=None))
    assert api.requests == []


FORBIDDEN = {"detail": "You are not permitted to perform this action.", "type": "about:blank", "title": "Forbidden",
             "status": 403}
REPLY_GONE = {"detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
              "type": "about:blank", "title": "Forbidden", "status": 403}
NOT_FOUND = {"errors": [{"value": M_INGRID, "detail": f"Could not find tweet with id: [{M_INGRID}].",
                         "parameter": "id", "resource_type": "tweet", "title": "Not Found Error",
                         "type": "https://api.twitter.com/2/problems/resource-not-found"}],
             "title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found"}


@pytest.mark.parametrize("status, body, headers, error, failure", [
    (403, FORBIDDEN, {}, PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (403, load("x/error_403_client_forbidden.json"), {}, PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (401, load("x/error_401.json"), {}, AuthError, ActionFailure.TOKEN_EXPIRED),
    (429, load("x/error_429.json"), {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                                     "x-rate-limit-reset": RESET}, RateLimited, ActionFailure.RATE_LIMITED),
    (403, REPLY_GONE, {}, TargetGone, ActionFailure.TARGET_GONE),
])
def test_reply_errors_are_classified(status: int, body: dict, headers: dict, error: type,
                                     failure: ActionFailure) -> None:
    with FakeApi() as api:
        api.json("POST", r"/2/tweets", body, status=status, headers=headers)
        with pytest.raises(error) as caught:
            writer(api).reply(mention(), TEXT)
    assert failure_of(caught.value) is failure
    assert len(api.requests) == 1
    assert "deleted or not visible" not in str(caught.value)  # X's detail is matched, not copied


def test_hiding_a_deleted_reply_is_target_gone() -> None:
    with FakeApi() as api:
        api.json("PUT", rf"/2/tweets/{M_INGRID}/hidden", NOT_FOUND, status=404)
        with pytest.raises(TargetGone):
            writer(api).hide(mention())


def test_comparable_drops_what_x_adds() -> None:
    assert comparable("@ingridhansen @altakommune Se https://t.co/abc123 &amp; ring oss") == \
        comparable("Se https://www.alta.kommune.no/brøyting & ring oss")


def timeline(*tweets: dict) -> dict:
    return {"data": list(tweets), "meta": {"result_count": len(tweets), "newest_id": NEW, "oldest_id": NEW}}


def tweet(text: str, replied_to: str = M_INGRID, minutes_ago: int = 1, native: str = NEW) -> dict:
    created = (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"id": native, "text": text, "created_at": created, "in_reply_to_user_id": INGRID,
            "referenced_tweets": [{"type": "replied_to", "id": replied_to}], "edit_history_tweet_ids": [native]}


def test_find_reply_reads_our_timeline_since_the_attempt() -> None:
    since = NOW - timedelta(minutes=5, microseconds=-250_000)
    with FakeApi() as api:
        api.json("GET", rf"/2/users/{ACCOUNT}/tweets", timeline(
            tweet("@ingridhansen Noe annet", native="2122400000000000003"),
            tweet(f"@ingridhansen {TEXT}", replied_to=POST, native="2122400000000000002"),
            tweet(f"@ingridhansen {TEXT}")))
        assert writer(api).find_reply(mention(), TEXT, since) == NEW
        assert writer(api).find_reply(mention("2122229444817522688"), TEXT, since) is None
    assert api.requests[0].query == {"start_time": "2026-11-17T11:55:00Z", "max_results": "100",
                                     "exclude": "retweets",
                                     "tweet.fields": "created_at,referenced_tweets,in_reply_to_user_id"}


def test_find_reply_in_a_dm_conversation() -> None:
    events = {"data": [
        {"id": "2122400000000000009", "text": TEXT, "event_type": "MessageCreate", "sender_id": ACCOUNT,
         "created_at": "2026-11-17T11:59:00.000Z", "dm_conversation_id": DM_CONVERSATION},
        {"id": "2122272306406584320", "text": "Hei", "event_type": "MessageCreate", "sender_id": INGRID,
         "created_at": "2026-11-17T09:00:00.000Z", "dm_conversation_id": DM_CONVERSATION}],
        "meta": {"result_count": 2}}
    with FakeApi() as api:
        api.json("GET", rf"/2/dm_conversations/{DM_CONVERSATION}/dm_events", events)
        assert writer(api).find_reply(dm(), TEXT, NOW - timedelta(minutes=5)) == "2122400000000000009"
        assert writer(api).find_reply(dm(), "Noe annet", NOW - timedelta(minutes=5)) is None
        assert writer(api).find_reply(dm(), TEXT, NOW) is None
    assert api.requests[0].query["event_types"] == "MessageCreate"
