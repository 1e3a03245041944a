"""connectors/youtube/writer.py: comments.insert, comments.setModerationStatus and comments.delete shapes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.errors import AuthError, RateLimited
from connectors.writer import NotSupported, PermissionMissing, TargetGone, failure_of
from connectors.youtube.writer import YouTubeWriter
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi
from tests.unit.connectors.writing import NOW, TEXT, target, writer_for
from tests.unit.connectors.youtube.helpers import CHANNEL, KARI_THREAD, SIGRID_THREAD, fixture

NEW = f"{KARI_THREAD}.AQn0Pq3Rs6Tu9Vw2Xy5Za8"
HANNE_REPLY = f"{SIGRID_THREAD}.AQm1Nb4Vc7Xz0Lk3Jh6Gf9"


def comment(native: str = KARI_THREAD, kind: Kind = Kind.COMMENT, thread: str = KARI_THREAD,
            from_account: bool = False):
    return target(Platform.YOUTUBE, CHANNEL, native, kind=kind, conversation=thread,
                  parent=thread if kind is Kind.REPLY else "Bn7KdP0wYzA",
                  author=CHANNEL if from_account else "UCk4r1N0rdm4nnAbCdEfGh12", from_account=from_account)


def writer(api: FakeApi) -> YouTubeWriter:
    return writer_for(YouTubeWriter, api, CHANNEL)  # type: ignore[return-value]


def inserted(text: str = TEXT, native: str = NEW, thread: str = KARI_THREAD, author: str = CHANNEL,
             minutes_ago: int = 0) -> dict:
    published = (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"kind": "youtube#comment", "etag": "Zr16lS8wM3oO0qY5dC7uX2aB9t", "id": native, "snippet": {
        "channelId": CHANNEL, "textDisplay": text, "textOriginal": text, "parentId": thread,
        "authorDisplayName": "@altakommune", "authorChannelUrl": "http://www.youtube.com/@altakommune",
        "authorChannelId": {"value": author}, "canRate": True, "viewerRating": "none", "likeCount": 0,
        "publishedAt": published, "updatedAt": published}}


def test_reply_inserts_a_comment_under_the_thread() -> None:
    with FakeApi() as api:
        api.json("POST", r"/youtube/v3/comments", inserted())
        assert writer(api).reply(comment(), TEXT) == NEW
    [request] = api.requests
    assert (request.method, request.path, request.query) == ("POST", "/youtube/v3/comments", {"part": "snippet"})
    assert request.json() == {"snippet": {"parentId": KARI_THREAD, "textOriginal": TEXT}}


def test_reply_to_a_reply_names_the_top_level_comment() -> None:
    with FakeApi() as api:
        api.json("POST", r"/youtube/v3/comments", inserted(thread=SIGRID_THREAD))
        writer(api).reply(comment(HANNE_REPLY, Kind.REPLY, SIGRID_THREAD), TEXT)
    assert api.requests[0].json()["snippet"]["parentId"] == SIGRID_THREAD


@pytest.mark.parametrize("kind, status", [(ActionKind.HIDE, "heldForReview"), (ActionKind.UNHIDE, "published"),
                                          (ActionKind.DELETE, "rejected")])
def test_moderation_statuses(kind: ActionKind, status: str) -> None:
    with FakeApi() as api:
        api.json("POST", r"/youtube/v3/comments/setModerationStatus", b"", status=204)
        getattr(writer(api), kind.value)(comment())
    [request] = api.requests
    assert (request.method, request.path, request.query, request.body) == (
        "POST", "/youtube/v3/comments/setModerationStatus", {"id": KARI_THREAD, "moderationStatus": status}, b"")


def test_our_own_comment_is_deleted_not_rejected() -> None:
    with FakeApi() as api:
        api.json("DELETE", r"/youtube/v3/comments", b"", status=204)
        writer(api).delete(comment(NEW, Kind.REPLY, from_account=True))
    assert [(r.method, r.query) for r in api.requests] == [("DELETE", {"id": NEW})]


def test_a_video_or_post_cannot_be_answered_or_moderated() -> None:
    video = target(Platform.YOUTUBE, CHANNEL, "Bn7KdP0wYzA", kind=Kind.POST)
    with FakeApi() as api:
        with pytest.raises(NotSupported):
            writer(api).reply(video, TEXT)
        with pytest.raises(NotSupported):
            writer(api).hide(video)
        assert writer(api).find_reply(video, TEXT, NOW) is None
    assert api.requests == []


FORBIDDEN = {"error": {"code": 403, "message": "The comment could not be created due to insufficient permissions.",
                       "errors": [{"message": "The comment could not be created due to insufficient permissions.",
                                   "domain": "youtube.comment", "reason": "forbidden"}]}}
SCOPE = {"error": {"code": 403, "message": "Request had insufficient authentication scopes.",
                   "errors": [{"message": "Insufficient Permission", "domain": "global",
                               "reason": "insufficientPermissions"}], "status": "PERMISSION_DENIED"}}
NOT_FOUND = {"error": {"code": 404, "message": "The parent comment could not be found.",
                       "errors": [{"message": "The parent comment could not be found.", "domain": "youtube.comment",
                                   "reason": "parentCommentNotFound", "location": "parentId",
                                   "locationType": "parameter"}]}}


@pytest.mark.parametrize("status, body, error, failure", [
    (403, FORBIDDEN, PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (403, SCOPE, PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (401, fixture("error_auth"), AuthError, ActionFailure.TOKEN_EXPIRED),
    (403, fixture("error_quota_exceeded"), RateLimited, ActionFailure.RATE_LIMITED),
    (404, NOT_FOUND, TargetGone, ActionFailure.TARGET_GONE),
    (403, fixture("error_comments_disabled"), NotSupported, ActionFailure.NOT_SUPPORTED),
])
def test_reply_errors_are_classified(status: int, body: dict, error: type, failure: ActionFailure) -> None:
    with FakeApi() as api:
        api.json("POST", r"/youtube/v3/comments", body, status=status)
        with pytest.raises(error) as caught:
            writer(api).reply(comment(), TEXT)
    assert failure_of(caught.value) is failure
    assert len(api.requests) == 1


def test_moderating_a_comment_deleted_by_its_author_is_target_gone() -> None:
    failure = {"error": {"code": 400, "message": "The API server failed to successfully process the request.",
                         "errors": [{"message": "The API server failed to successfully process the request.",
                                     "domain": "youtube.comment", "reason": "processingFailure"}]}}
    with FakeApi() as api:
        api.json("POST", r"/youtube/v3/comments/setModerationStatus", failure, status=400)
        with pytest.raises(TargetGone):
            writer(api).hide(comment())


def test_find_reply_among_the_threads_replies() -> None:
    listing = {"kind": "youtube#commentListResponse", "etag": "Kp2", "items": [
        inserted(native=f"{KARI_THREAD}.old", minutes_ago=30),
        inserted(native=f"{KARI_THREAD}.other", author="UCh4nn3P3d3rS3nMn6Bv9Cx2"),
        inserted(minutes_ago=1)]}
    with FakeApi() as api:
        api.json("GET", r"/youtube/v3/comments", listing)
        assert writer(api).find_reply(comment(), TEXT, NOW - timedelta(minutes=5)) == NEW
        assert writer(api).find_reply(comment(), "Noe annet", NOW - timedelta(minutes=5)) is None
    assert api.requests[0].query == {"part": "snippet", "parentId": KARI_THREAD, "maxResults": "100",
                                     "textFormat": "plainText"}
