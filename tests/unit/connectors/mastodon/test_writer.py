"""connectors/mastodon/writer.py: replies (public and direct) against Mastodon API shapes."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from connectors.errors import AuthError, FatalRequestError, RateLimited
from connectors.mastodon.writer import MastodonWriter
from connectors.writer import NotSupported, PermissionMissing, TargetGone, failure_of
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi, load
from tests.unit.connectors.mastodon.helpers import ACCOUNT, KARI, KARI_MENTION, OLA, OLA_DM, OUR_REPLY_KARI
from tests.unit.connectors.writing import NOW, TEXT, target, writer_for

NEW = "117640000000000001"


def mention():
    return target(Platform.MASTODON, ACCOUNT, KARI_MENTION["id"], kind=Kind.MENTION, conversation=KARI, author=KARI)


def direct():
    return target(Platform.MASTODON, ACCOUNT, OLA_DM["id"], kind=Kind.DIRECT_MESSAGE, conversation=OLA, author=OLA)


def writer(api: FakeApi, **options) -> MastodonWriter:
    return writer_for(MastodonWriter, api, ACCOUNT, **options)  # type: ignore[return-value]


def created(status_id: str = NEW, visibility: str = "public", minutes_ago: int = 0, in_reply_to: str = "",
            text: str = TEXT, author: str = ACCOUNT) -> dict:
    status = copy.deepcopy(OUR_REPLY_KARI)
    status.update(id=status_id, visibility=visibility, in_reply_to_id=in_reply_to or KARI_MENTION["id"],
                  created_at=(NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                  content=f'<p><span class="h-card" translate="no"><a href="https://snabelen.no/@kari_nordmann" '
                          f'class="u-url mention">@<span>kari_nordmann</span></a></span> {text}</p>')
    status["account"] = {**status["account"], "id": author}
    return status


def test_public_reply_mentions_the_citizen_and_keeps_visibility() -> None:
    with FakeApi() as api:
        api.json("GET", rf"/api/v1/statuses/{KARI_MENTION['id']}", KARI_MENTION)
        api.json("POST", r"/api/v1/statuses", created())
        assert writer(api).reply(mention(), TEXT) == NEW
    lookup, post = api.requests
    assert (lookup.method, post.method, post.path) == ("GET", "POST", "/api/v1/statuses")
    acct = KARI_MENTION["account"]["acct"]
    assert post.json() == {"status": f"@{acct} {TEXT}", "in_reply_to_id": KARI_MENTION["id"],
                           "visibility": KARI_MENTION["visibility"]}
    assert len(post.headers["idempotency-key"]) == 40


def test_a_direct_message_is_answered_directly() -> None:
    assert OLA_DM["visibility"] == "direct"
    with FakeApi() as api:
        api.json("GET", rf"/api/v1/statuses/{OLA_DM['id']}", OLA_DM)
        api.json("POST", r"/api/v1/statuses", created(visibility="direct"))
        writer(api, reply_visibility="unlisted").reply(direct(), TEXT)
    body = api.requests[1].json()
    assert body["visibility"] == "direct" and body["status"].startswith(f"@{OLA_DM['account']['acct']} ")


def test_reply_visibility_option_quiets_public_answers() -> None:
    with FakeApi() as api:
        api.json("GET", rf"/api/v1/statuses/{KARI_MENTION['id']}", {**KARI_MENTION, "visibility": "public"})
        api.json("POST", r"/api/v1/statuses", created())
        writer(api, reply_visibility="unlisted").reply(mention(), TEXT)
    assert api.requests[1].json()["visibility"] == "unlisted"


def test_the_same_reply_carries_the_same_idempotency_key() -> None:
    with FakeApi() as api:
        api.json("GET", rf"/api/v1/statuses/{KARI_MENTION['id']}", KARI_MENTION)
        api.json("POST", r"/api/v1/statuses", created())
        writer(api).reply(mention(), TEXT)
        writer(api).reply(mention(), TEXT)
        writer(api).reply(mention(), "Et annet svar")
    keys = [r.headers["idempotency-key"] for r in api.requests if r.method == "POST"]
    assert keys[0] == keys[1] != keys[2]


def test_instance_comes_from_the_options() -> None:
    with FakeApi() as api:
        instance = writer(api, instance_url=api.url)
        instance.client.base_url = None  # no --base-url: the instance URL alone decides
        api.json("GET", rf"/api/v1/statuses/{KARI_MENTION['id']}", KARI_MENTION)
        api.json("POST", r"/api/v1/statuses", created())
        assert instance.reply(mention(), TEXT) == NEW
    with pytest.raises(FatalRequestError, match="instance_url is not set"):
        MastodonWriter(ACCOUNT, instance.client).url("/api/v1/statuses")


@pytest.mark.parametrize("kind", [ActionKind.HIDE, ActionKind.UNHIDE, ActionKind.DELETE])
def test_hiding_and_deleting_are_not_supported(kind: ActionKind) -> None:
    with FakeApi() as api:
        with pytest.raises(NotSupported, match="moderat|own posts|no hidden posts") as caught:
            getattr(writer(api), kind.value)(mention())
    assert failure_of(caught.value) is ActionFailure.NOT_SUPPORTED
    assert api.requests == []


@pytest.mark.parametrize("status, body, headers, error, failure", [
    (403, load("mastodon/error_403_scope.json"), {}, PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (401, load("mastodon/error_401.json"), {}, AuthError, ActionFailure.TOKEN_EXPIRED),
    (429, load("mastodon/error_429.json"), {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                                            "X-RateLimit-Reset": "2026-11-17T12:05:00.000Z"}, RateLimited,
     ActionFailure.RATE_LIMITED),
    (404, load("mastodon/error_404.json"), {}, TargetGone, ActionFailure.TARGET_GONE),
])
def test_errors_are_classified(status: int, body: dict, headers: dict, error: type, failure: ActionFailure) -> None:
    with FakeApi() as api:
        api.json("GET", rf"/api/v1/statuses/{KARI_MENTION['id']}", KARI_MENTION)
        api.json("POST", r"/api/v1/statuses", body, status=status, headers=headers)
        with pytest.raises(error) as caught:
            writer(api).reply(mention(), TEXT)
    assert failure_of(caught.value) is failure
    assert [r.method for r in api.requests] == ["GET", "POST"]


def test_a_deleted_status_is_target_gone_before_anything_is_posted() -> None:
    with FakeApi() as api:
        api.json("GET", rf"/api/v1/statuses/{KARI_MENTION['id']}", load("mastodon/error_404.json"), status=404)
        with pytest.raises(TargetGone):
            writer(api).reply(mention(), TEXT)
    assert [r.method for r in api.requests] == ["GET"]


def test_find_reply_in_the_status_context() -> None:
    context = {"ancestors": [], "descendants": [
        created("117640000000000002", minutes_ago=30),  # before the attempt
        created("117640000000000003", author=KARI),  # not ours
        created("117640000000000004", in_reply_to="117625116637317999"),  # answers another status
        created()]}
    with FakeApi() as api:
        api.json("GET", rf"/api/v1/statuses/{KARI_MENTION['id']}/context", context)
        since = NOW - timedelta(minutes=5)
        assert writer(api).find_reply(mention(), TEXT, since) == NEW
        assert writer(api).find_reply(mention(), f"@kari_nordmann {TEXT}", since) == NEW
        assert writer(api).find_reply(mention(), "Et annet svar", since) is None
