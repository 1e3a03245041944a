"""connectors/writer.py: failure classes, the request helpers every writer uses, text and time matching."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest

from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalRequestError,
    PaginationLoop,
    RateLimited,
    RetriableError,
    SessionExpired,
)
from connectors.http import ApiClient, ResponsePolicy
from connectors.pagination import TokenPaginator
from connectors.platforms import WRITERS
from connectors.writer import (
    NotSupported,
    PermissionMissing,
    PlatformWriter,
    TargetGone,
    failure_of,
    posted_since,
    same_text,
    write_error,
)
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi
from tests.unit.connectors.writing import NOW, target


class SessionPolicy(ResponsePolicy):
    def classify(self, status, body, headers, path, now) -> ConnectorError:  # type: ignore[no-untyped-def]
        if status == 400 and isinstance(body, dict) and body.get("error") == "ExpiredToken":
            return SessionExpired("expired")
        return write_error(super().classify(status, body, headers, path, now), status)


class Example(PlatformWriter):
    platform: ClassVar[Platform] = Platform.MASTODON
    api_base: ClassVar[str] = "https://example.social"
    policy = SessionPolicy
    renewed = 0

    def refresh_auth(self) -> bool:
        self.renewed += 1
        return True


def example(api: FakeApi) -> Example:
    return Example("1", ApiClient(base_url=api.url, token="t", policy=SessionPolicy(), sleep=lambda _s: None))


@pytest.mark.parametrize("error, failure", [
    (NotSupported("x"), ActionFailure.NOT_SUPPORTED),
    (PermissionMissing("x"), ActionFailure.PERMISSION_MISSING),
    (AuthError("x"), ActionFailure.TOKEN_EXPIRED),
    (SessionExpired("x"), ActionFailure.TOKEN_EXPIRED),
    (RateLimited("x", 10), ActionFailure.RATE_LIMITED),
    (TargetGone("x"), ActionFailure.TARGET_GONE),
    (FatalRequestError("x"), ActionFailure.PLATFORM_ERROR),
    (RetriableError("x"), ActionFailure.PLATFORM_ERROR),
    (ValueError("x"), ActionFailure.PLATFORM_ERROR),
])
def test_failure_of(error: Exception, failure: ActionFailure) -> None:
    assert failure_of(error) is failure


@pytest.mark.parametrize("status, original, refined", [
    (403, FatalRequestError("HTTP 403"), PermissionMissing),
    (404, FatalRequestError("HTTP 404"), TargetGone),
    (410, FatalRequestError("HTTP 410"), TargetGone),
    (400, FatalRequestError("HTTP 400"), FatalRequestError),
    (403, AuthError("HTTP 403 scope"), AuthError),
    (404, TargetGone("gone"), TargetGone),
])
def test_write_error_refines_plain_fatal_errors_only(status: int, original: ConnectorError, refined: type) -> None:
    result = write_error(original, status)
    assert type(result) is refined and str(result) == str(original)


def test_same_text_ignores_whitespace_runs_and_unicode_composition() -> None:
    assert same_text("Hei Kari!\nVi  ser på saken.", " Hei Kari! Vi ser på saken. ")
    assert same_text("på", "pa\u030a")  # decomposed å
    assert not same_text("Hei Kari", "Hei Kari!")
    assert not same_text("Hei", None)


def test_posted_since_compares_whole_seconds() -> None:
    since = datetime(2026, 11, 17, 12, 0, 0, 700_000, tzinfo=UTC)
    assert posted_since("2026-11-17T12:00:00Z", since)  # the platform stored whole seconds
    assert posted_since(datetime(2026, 11, 17, 12, 0, 1, tzinfo=UTC), since)
    assert not posted_since("2026-11-17T11:59:59+00:00", since)
    assert not posted_since("yesterday", since)
    assert not posted_since(None, since)


def test_unsupported_actions_say_why() -> None:
    with FakeApi() as api:
        writer = example(api)
        with pytest.raises(NotSupported, match="mastodon cannot hide: Mastodon offers no way to hide"):
            writer.hide(target(Platform.MASTODON, "1", "9"))
        with pytest.raises(NotSupported, match="mastodon cannot delete: Mastodon lets an account delete only"):
            writer.delete(target(Platform.MASTODON, "1", "9"))
        assert writer.find_reply(target(Platform.MASTODON, "1", "9"), "x", NOW) is None
        refusal = writer.refuse(ActionKind.REPLY, "a direct message needs a mention")
    assert str(refusal) == "mastodon cannot reply this message: a direct message needs a mention"
    assert failure_of(refusal) is ActionFailure.NOT_SUPPORTED


def test_native_id_and_require_text() -> None:
    assert PlatformWriter.native_id(target(Platform.BLUESKY, "did:plc:a", "at://did:plc:a/app.bsky.feed.post/3k")) \
        == "at://did:plc:a/app.bsky.feed.post/3k"
    with pytest.raises(FatalRequestError, match="needs a text"):
        PlatformWriter.require_text("  ")
    assert PlatformWriter.require_text("Hei") == "Hei"


def test_send_once_is_not_repeated_after_a_server_error() -> None:
    with FakeApi() as api:
        api.sequence("POST", "/create", [(503, {}, {}), (200, {}, {"id": "1"})])
        writer = example(api)
        with pytest.raises(RetriableError):
            writer.send("POST", writer.url("/create"), body={"a": 1}, once=True)
        assert writer.send("POST", writer.url("/create"), body={"a": 1}, once=True) == {"id": "1"}
    assert len(api.requests) == 2


def test_send_retries_idempotent_calls_and_accepts_no_content() -> None:
    with FakeApi() as api:
        api.sequence("POST", "/moderate", [(503, {}, {}), (204, {}, b"")])
        writer = example(api)
        assert writer.send("POST", writer.url("/moderate"), params={"id": "9"}) == {}
    assert len(api.requests) == 2 and api.requests[1].query == {"id": "9"}


def test_send_renews_an_expired_session_once() -> None:
    with FakeApi() as api:
        api.sequence("POST", "/create", [(400, {}, {"error": "ExpiredToken"}), (200, {}, {"id": "2"})])
        writer = example(api)
        assert writer.send("POST", writer.url("/create"), body={}, once=True) == {"id": "2"}
    assert writer.renewed == 1 and len(api.requests) == 2


def test_pages_are_bounded() -> None:
    with FakeApi() as api:
        api.route("GET", "/list", lambda req: (200, {}, {"items": [{"n": req.query.get("cursor", "0")}],
                                                       "cursor": str(int(req.query.get("cursor", "0")) + 1)}))
        writer = example(api)
        bodies = list(writer.pages(writer.url("/list"), {}, TokenPaginator(("cursor",), "cursor", "items"),
                                   max_pages=3))
    assert [b["items"][0]["n"] for b in bodies] == ["0", "1", "2"]


def test_pages_stop_at_a_repeated_cursor() -> None:
    with FakeApi() as api:
        api.json("GET", "/list", {"items": [{"n": 1}], "cursor": "same"})
        writer = example(api)
        with pytest.raises(PaginationLoop):
            list(writer.pages(writer.url("/list"), {}, TokenPaginator(("cursor",), "cursor", "items")))


def test_target_helper_builds_valid_messages() -> None:
    message = target(Platform.X, "1", "2", kind=Kind.MENTION, conversation="2:3")
    assert (message.native_id, message.key) == ("2", "x:1:2:3")


def test_every_writer_is_documented() -> None:
    docs = Path(__file__).parents[3] / "docs" / "platforms"
    for platform in WRITERS:
        assert "## Acting from Innboks" in (docs / f"{platform.value}.md").read_text(encoding="utf-8"), platform
    assert "## Writers: acting on the platform" in (docs / "CONNECTOR-BRIEF.md").read_text(encoding="utf-8")
