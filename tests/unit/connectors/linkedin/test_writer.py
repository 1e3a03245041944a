"""connectors/linkedin/writer.py: comments as the organization and deletions (Community Management API)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from connectors.errors import AuthError, RateLimited
from connectors.linkedin.writer import LinkedInWriter, split_comment_urn
from connectors.writer import NotSupported, PermissionMissing, TargetGone, failure_of
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi
from tests.unit.connectors.linkedin.helpers import A1, C1, C2, ORG, ORG_ID, P1, fixture
from tests.unit.connectors.writing import NOW, TEXT, target, writer_for

NEW_ID = "7263600000000000009"
NEW = f"urn:li:comment:({A1},{NEW_ID})"


def comments_path(urn: str) -> str:
    return f"/rest/socialActions/{quote(urn, safe='')}/comments"


def comment():
    return target(Platform.LINKEDIN, ORG_ID, C1, kind=Kind.COMMENT, parent=P1, author="urn:li:person:aB3dEfGh1J")


def reply():
    return target(Platform.LINKEDIN, ORG_ID, C2, kind=Kind.REPLY, parent=C1, conversation=C1,
                  author="urn:li:person:xY9zAbCd2E")


def writer(api: FakeApi, **options) -> LinkedInWriter:
    return writer_for(LinkedInWriter, api, ORG_ID, **options)  # type: ignore[return-value]


def created(text: str = TEXT, minutes_ago: int = 1, actor: str = ORG, comment_id: str = NEW_ID) -> dict:
    millis = int((NOW - timedelta(minutes=minutes_ago)).timestamp() * 1000)
    urn = f"urn:li:comment:({A1},{comment_id})"
    return {"actor": actor, "commentUrn": urn, "$URN": urn, "id": comment_id, "object": A1, "parentComment": C1,
            "created": {"actor": actor, "impersonator": "urn:li:person:kOmMuNe01", "time": millis},
            "lastModified": {"actor": actor, "time": millis}, "message": {"attributes": [], "text": text}}


def test_reply_to_a_comment_is_a_nested_comment_as_the_organization() -> None:
    with FakeApi() as api:
        api.json("POST", re.escape(comments_path(C1)), created(), status=201, headers={"x-restli-id": NEW_ID})
        assert writer(api).reply(comment(), TEXT) == NEW
    [request] = api.requests
    assert request.path == comments_path(C1)
    assert request.json() == {"actor": ORG, "message": {"text": TEXT}, "object": P1, "parentComment": C1}
    assert request.headers["linkedin-version"] == "202607"
    assert request.headers["x-restli-protocol-version"] == "2.0.0"


def test_reply_to_a_reply_goes_under_the_first_level_comment() -> None:
    with FakeApi() as api:
        api.json("POST", re.escape(comments_path(C1)), created(), status=201)
        writer(api).reply(reply(), TEXT)
    assert api.requests[0].json() == {"actor": ORG, "message": {"text": TEXT}, "object": A1, "parentComment": C1}


def test_new_urn_from_the_restli_header_when_the_body_is_empty() -> None:
    with FakeApi() as api:
        api.json("POST", re.escape(comments_path(C1)), b"", status=201, headers={"x-restli-id": NEW_ID})
        assert writer(api).reply(reply(), TEXT) == NEW


def test_comment_on_our_own_post() -> None:
    with FakeApi() as api:
        api.json("POST", re.escape(comments_path(P1)), created(), status=201)
        writer(api).reply(target(Platform.LINKEDIN, ORG_ID, P1, kind=Kind.POST, author=ORG, from_account=True), TEXT)
    assert api.requests[0].json() == {"actor": ORG, "message": {"text": TEXT}, "object": P1}


def test_delete_a_comment_on_our_post() -> None:
    with FakeApi() as api:
        api.json("DELETE", re.escape(comments_path(P1)) + r"/7263470000000000001", b"", status=204)
        api.json("DELETE", re.escape(comments_path(C1)) + r"/7263475000000000002", b"", status=204)
        writer(api).delete(comment())
        writer(api).delete(reply())
    assert [(r.method, r.path, r.query) for r in api.requests] == [
        ("DELETE", f"{comments_path(P1)}/7263470000000000001", {"actor": ORG}),
        ("DELETE", f"{comments_path(C1)}/7263475000000000002", {"actor": ORG})]


@pytest.mark.parametrize("kind", [ActionKind.HIDE, ActionKind.UNHIDE])
def test_hiding_is_not_supported_and_says_why(kind: ActionKind) -> None:
    with FakeApi() as api:
        action = writer(api).hide if kind is ActionKind.HIDE else writer(api).unhide
        with pytest.raises(NotSupported, match="LinkedIn's API has no") as caught:
            action(comment())
    assert failure_of(caught.value) is ActionFailure.NOT_SUPPORTED
    assert api.requests == []


@pytest.mark.parametrize("status, body, error, failure", [
    (403, "error_403_access_denied.json", PermissionMissing, ActionFailure.PERMISSION_MISSING),
    (401, "error_401_expired_token.json", AuthError, ActionFailure.TOKEN_EXPIRED),
    (429, "error_429_daily_quota.json", RateLimited, ActionFailure.RATE_LIMITED),
    (404, {"status": 404, "serviceErrorCode": 100, "code": "NOT_FOUND", "message": "Not found"}, TargetGone,
     ActionFailure.TARGET_GONE),
])
def test_errors_are_classified(status: int, body: str | dict, error: type, failure: ActionFailure) -> None:
    with FakeApi() as api:
        api.json("POST", re.escape(comments_path(C1)), fixture(body) if isinstance(body, str) else body,
                 status=status)
        with pytest.raises(error) as caught:
            writer(api).reply(comment(), TEXT)
    assert failure_of(caught.value) is failure
    assert len(api.requests) == 1
    if error is PermissionMissing:
        assert "w_organization_social" in str(caught.value) and "partnerApi" not in str(caught.value)


def test_find_reply_among_the_nested_comments() -> None:
    listing = {"paging": {"start": 0, "count": 50, "total": 3, "links": []}, "elements": [
        created(minutes_ago=60, comment_id="7263600000000000001"),
        created(actor="urn:li:person:xY9zAbCd2E", comment_id="7263600000000000002"),
        created()]}
    with FakeApi() as api:
        api.json("GET", re.escape(comments_path(C1)), listing)
        assert writer(api).find_reply(reply(), TEXT, NOW - timedelta(minutes=5)) == NEW
        assert writer(api).find_reply(comment(), "Noe annet", NOW - timedelta(minutes=5)) is None
    assert api.requests[0].query == {"start": "0", "count": "50"}


def test_a_comment_urn_names_its_thread_and_id() -> None:
    assert split_comment_urn(C1) == (A1, "7263470000000000001")
    assert split_comment_urn("urn:li:comment:(urn:li:ugcPost:7263,42)") == ("urn:li:ugcPost:7263", "42")
