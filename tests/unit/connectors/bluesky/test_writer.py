"""connectors/bluesky/writer.py: replies with strong references, chat replies and threadgate hiding (XRPC shapes)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.bluesky.writer import BlueskyWriter, link_facets
from connectors.errors import AuthError, FatalRequestError, RateLimited
from connectors.http import ApiClient
from connectors.writer import NotSupported, PermissionMissing, TargetGone, failure_of
from innboks.config.credentials import AppPasswordCredentials
from schemas import ActionFailure, ActionKind, Kind, Platform
from tests.fakeapi import FakeApi, load
from tests.unit.connectors.bluesky.helpers import CONVO, INGRID, NILS, US
from tests.unit.connectors.writing import NOW, TEXT, target, writer_for

ROOT = f"at://{US}/app.bsky.feed.post/3mfbrk2gxvs2a"
ROOT_CID = "bafyreihroot4rfrb5vh3jqx6nvbpw2c7lmafq7ozgfwhlwq5jcyqgsu2ua"
REPLY = f"at://{INGRID}/app.bsky.feed.post/3mfbt6qkwlc2b"
REPLY_CID = "bafyreiingrid7d3yfz5k3x2pnm6ie2bqzt4lw5wqfm6tagd7hnk3vjw6ri"
NEW = f"at://{US}/app.bsky.feed.post/3mfcfy5hgbk2x"
XRPC = "/xrpc"


def citizen_reply(uri: str = REPLY):
    return target(Platform.BLUESKY, US, uri, kind=Kind.REPLY, conversation=f"{ROOT}:{INGRID}", parent=ROOT,
                  author=INGRID)


def chat():
    return target(Platform.BLUESKY, US, f"{CONVO}/3mfcz9a1b2c3d", kind=Kind.DIRECT_MESSAGE, conversation=CONVO,
                  author=INGRID)


def thread(uri: str = REPLY, cid: str = REPLY_CID, root: str | None = ROOT, root_cid: str = ROOT_CID,
           author: str = INGRID) -> dict:
    record: dict = {"$type": "app.bsky.feed.post", "text": "Når åpner skøytebanen?", "langs": ["nb"],
                    "createdAt": "2026-11-17T08:40:12.512Z"}
    if root is not None:
        record["reply"] = {"root": {"uri": root, "cid": root_cid}, "parent": {"uri": root, "cid": root_cid}}
    post = {"uri": uri, "cid": cid, "author": {"did": author, "handle": "ingridhansen.bsky.social",
                                               "displayName": "Ingrid Hansen"},
            "record": record, "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
            "indexedAt": "2026-11-17T08:40:13.102Z", "labels": []}
    return {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": post, "replies": []}}


def writer(api: FakeApi, **kwargs) -> BlueskyWriter:
    return writer_for(BlueskyWriter, api, US, **kwargs)  # type: ignore[return-value]


def created() -> dict:
    return {"uri": NEW, "cid": "bafyreinew5z2l6q4hgrm2c7dw3ieq6d3zfqvfbnw6xz2fztmkk4y3bhyvu",
            "commit": {"cid": "bafyreicommit", "rev": "3mfcfy5hgck2x"}, "validationStatus": "valid"}


def test_reply_to_a_reply_references_the_thread_root_and_the_post() -> None:
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.json("POST", rf"{XRPC}/com.atproto.repo.createRecord", created())
        assert writer(api).reply(citizen_reply(), TEXT) == NEW
    lookup, create = api.requests
    assert lookup.query == {"uri": REPLY, "depth": "0", "parentHeight": "0"}
    assert create.json() == {"repo": US, "collection": "app.bsky.feed.post", "record": {
        "$type": "app.bsky.feed.post", "text": TEXT, "createdAt": "2026-11-17T12:00:00.000Z",
        "reply": {"root": {"uri": ROOT, "cid": ROOT_CID}, "parent": {"uri": REPLY, "cid": REPLY_CID}}}}


def test_reply_to_a_post_that_starts_a_thread_uses_it_as_root_and_parent() -> None:
    mention = f"at://{NILS}/app.bsky.feed.post/3mfbz0mention"
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread(mention, "bafymention", root=None, author=NILS))
        api.json("POST", rf"{XRPC}/com.atproto.repo.createRecord", created())
        writer(api).reply(target(Platform.BLUESKY, US, mention, kind=Kind.MENTION, author=NILS), TEXT)
    reply = api.requests[1].json()["record"]["reply"]
    assert reply == {"root": {"uri": mention, "cid": "bafymention"}, "parent": {"uri": mention, "cid": "bafymention"}}


def test_links_get_facets_with_byte_offsets() -> None:
    text = "Hei Ingrid! Åpningstider: https://www.alta.kommune.no/skøytebane. Mvh"
    [facet] = link_facets(text)
    start = len("Hei Ingrid! Åpningstider: ".encode())
    assert facet == {"index": {"byteStart": start, "byteEnd": start + len("https://www.alta.kommune.no/skøytebane".encode())},
                     "features": [{"$type": "app.bsky.richtext.facet#link",
                                   "uri": "https://www.alta.kommune.no/skøytebane"}]}
    assert text.encode()[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode().startswith("https://")


def test_chat_reply_goes_through_the_chat_proxy() -> None:
    message = {"$type": "chat.bsky.convo.defs#messageView", "id": "3mfd0newmsg2k", "rev": "2222",
               "text": TEXT, "sender": {"did": US}, "sentAt": "2026-11-17T12:00:00.000Z"}
    with FakeApi() as api:
        api.json("POST", rf"{XRPC}/chat.bsky.convo.sendMessage", message)
        assert writer(api).reply(chat(), TEXT) == f"{CONVO}/3mfd0newmsg2k"
    [request] = api.requests
    assert request.json() == {"convoId": CONVO, "message": {"text": TEXT}}
    assert request.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"


def gate(hidden: list[str], allow: list | None = None) -> dict:
    value: dict = {"$type": "app.bsky.feed.threadgate", "post": ROOT, "createdAt": "2026-11-10T09:00:00.000Z",
                   "hiddenReplies": hidden}
    if allow is not None:
        value["allow"] = allow
    return {"uri": f"at://{US}/app.bsky.feed.threadgate/3mfbrk2gxvs2a", "cid": "bafygate1", "value": value}


RECORD_NOT_FOUND = {"error": "RecordNotFound", "message": "Could not locate record"}


def test_hide_creates_the_threadgate_without_restricting_replies() -> None:
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.json("GET", rf"{XRPC}/com.atproto.repo.getRecord", RECORD_NOT_FOUND, status=400)
        api.json("POST", rf"{XRPC}/com.atproto.repo.putRecord", {"uri": "at://gate", "cid": "bafygate2"})
        writer(api).hide(citizen_reply())
    _, get, put = api.requests
    assert get.query == {"repo": US, "collection": "app.bsky.feed.threadgate", "rkey": "3mfbrk2gxvs2a"}
    assert put.json() == {"repo": US, "collection": "app.bsky.feed.threadgate", "rkey": "3mfbrk2gxvs2a", "record": {
        "$type": "app.bsky.feed.threadgate", "post": ROOT, "createdAt": "2026-11-17T12:00:00.000Z",
        "hiddenReplies": [REPLY]}}  # no "allow": everyone may still reply


def test_hide_keeps_the_reply_rules_and_swaps_on_the_current_record() -> None:
    rules = [{"$type": "app.bsky.feed.threadgate#followingRule"}]
    other = f"at://{NILS}/app.bsky.feed.post/3mfbx"
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.json("GET", rf"{XRPC}/com.atproto.repo.getRecord", gate([other], allow=rules))
        api.json("POST", rf"{XRPC}/com.atproto.repo.putRecord", {"uri": "at://gate", "cid": "bafygate2"})
        writer(api).hide(citizen_reply())
    body = api.requests[2].json()
    assert body["swapRecord"] == "bafygate1"
    assert body["record"]["allow"] == rules and body["record"]["hiddenReplies"] == [other, REPLY]


def test_unhide_removes_the_reply_and_nothing_is_written_when_already_so() -> None:
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.json("GET", rf"{XRPC}/com.atproto.repo.getRecord", gate([REPLY]))
        api.json("POST", rf"{XRPC}/com.atproto.repo.putRecord", {"uri": "at://gate", "cid": "bafygate2"})
        writer(api).unhide(citizen_reply())
        writer(api).hide(citizen_reply())  # already hidden
    puts = [r.json() for r in api.requests if r.path.endswith("putRecord")]
    assert [p["record"]["hiddenReplies"] for p in puts] == [[]]


def test_a_concurrent_change_of_the_gate_is_read_again() -> None:
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.json("GET", rf"{XRPC}/com.atproto.repo.getRecord", gate([]))
        api.sequence("POST", rf"{XRPC}/com.atproto.repo.putRecord", [
            (400, {}, {"error": "InvalidSwap", "message": "Record was at bafygate9"}),
            (200, {}, {"uri": "at://gate", "cid": "bafygate3"})])
        writer(api).hide(citizen_reply())
    assert [r.path.rsplit(".", 1)[-1] for r in api.requests] == ["getPostThread", "getRecord", "putRecord",
                                                                  "getRecord", "putRecord"]


def test_hiding_in_someone_elses_thread_is_not_supported() -> None:
    theirs = f"at://{NILS}/app.bsky.feed.post/3mfbz0root"
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread(root=theirs))
        with pytest.raises(NotSupported, match="first post") as caught:
            writer(api).hide(citizen_reply())
    assert failure_of(caught.value) is ActionFailure.NOT_SUPPORTED
    assert len(api.requests) == 1


def test_at_most_fifty_hidden_replies() -> None:
    full = [f"at://{NILS}/app.bsky.feed.post/3mfb{i:04d}" for i in range(50)]
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.json("GET", rf"{XRPC}/com.atproto.repo.getRecord", gate(full))
        with pytest.raises(NotSupported, match="at most 50"):
            writer(api).hide(citizen_reply())


def test_delete_and_hiding_a_chat_message_are_not_supported() -> None:
    with FakeApi() as api:
        with pytest.raises(NotSupported, match="only its own records"):
            writer(api).delete(citizen_reply())
        with pytest.raises(NotSupported, match="chat message"):
            writer(api).hide(chat())
    assert api.requests == []


@pytest.mark.parametrize("status, body, error, failure", [
    (400, load("bluesky/error_expired_token.json"), AuthError, ActionFailure.TOKEN_EXPIRED),
    (429, load("bluesky/error_rate_limited.json"), RateLimited, ActionFailure.RATE_LIMITED),
    (400, {"error": "InvalidRecord", "message": "Record/text must not be longer than 300 graphemes"},
     FatalRequestError, ActionFailure.PLATFORM_ERROR),
])
def test_create_errors_are_classified(status: int, body: dict, error: type, failure: ActionFailure) -> None:
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.json("POST", rf"{XRPC}/com.atproto.repo.createRecord", body, status=status,
                 headers={"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
                          "RateLimit-Reset": str(int(NOW.timestamp()) + 3600)})
        with pytest.raises(error) as caught:
            writer(api).reply(citizen_reply(), TEXT)
    assert failure_of(caught.value) is failure
    assert len(api.requests) == 2  # the create is not repeated
    assert "graphemes" not in str(caught.value)  # the server's message is not copied


def test_a_post_that_is_gone() -> None:
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread",
                 {"error": "NotFound", "message": f"Post not found: {REPLY}"}, status=400)
        with pytest.raises(TargetGone) as caught:
            writer(api).reply(citizen_reply(), TEXT)
    assert failure_of(caught.value) is ActionFailure.TARGET_GONE
    assert REPLY not in str(caught.value)
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread",
                 {"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": REPLY, "notFound": True}})
        with pytest.raises(TargetGone):
            writer(api).hide(citizen_reply())


def test_chat_without_chat_access_is_a_missing_permission() -> None:
    with FakeApi() as api:
        api.json("POST", rf"{XRPC}/chat.bsky.convo.sendMessage", load("bluesky/error_invalid_token.json"),
                 status=400)
        with pytest.raises(PermissionMissing) as caught:
            writer(api).reply(chat(), TEXT)
    assert failure_of(caught.value) is ActionFailure.PERMISSION_MISSING


def test_app_password_session_is_opened_and_renewed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNBOKS_BSKY_IDENTIFIER", "altakommune.bsky.social")
    monkeypatch.setenv("INNBOKS_BSKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    credentials = AppPasswordCredentials(identifier="env:INNBOKS_BSKY_IDENTIFIER",
                                         password="env:INNBOKS_BSKY_APP_PASSWORD")
    with FakeApi() as api:
        api.json("POST", rf"{XRPC}/com.atproto.server.createSession", load("bluesky/session_create.json"))
        api.json("POST", rf"{XRPC}/com.atproto.server.refreshSession", load("bluesky/session_refresh.json"))
        api.json("GET", rf"{XRPC}/app.bsky.feed.getPostThread", thread())
        api.sequence("POST", rf"{XRPC}/com.atproto.repo.createRecord", [
            (400, {}, load("bluesky/error_expired_token.json")), (200, {}, created())])
        client = ApiClient(base_url=api.url, policy=BlueskyWriter.policy(), sleep=lambda _s: None)
        bsky = BlueskyWriter(US, client, credentials=credentials, clock=lambda: NOW)
        assert bsky.reply(citizen_reply(), TEXT) == NEW
    assert [r.path.rsplit("/", 1)[-1] for r in api.requests] == [
        "com.atproto.server.createSession", "app.bsky.feed.getPostThread", "com.atproto.repo.createRecord",
        "com.atproto.server.refreshSession", "com.atproto.repo.createRecord"]
    assert api.requests[0].json() == {"identifier": "altakommune.bsky.social", "password": "abcd-efgh-ijkl-mnop"}


def record(text: str, parent: str = REPLY, minutes_ago: int = 1, rkey: str = "3mfcfy5hgbk2x") -> dict:
    created_at = (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"uri": f"at://{US}/app.bsky.feed.post/{rkey}", "cid": "bafy" + rkey, "value": {
        "$type": "app.bsky.feed.post", "text": text, "createdAt": created_at,
        "reply": {"root": {"uri": ROOT, "cid": ROOT_CID}, "parent": {"uri": parent, "cid": REPLY_CID}}}}


def test_find_reply_in_our_own_repository() -> None:
    records = {"records": [record("Noe annet", rkey="3mfcfy5hgbk3a"), record(TEXT, parent=ROOT, rkey="3mfcfy5hgbk2z"),
                           record(TEXT), record(TEXT, minutes_ago=90, rkey="3mfcaaaaaaa2x")], "cursor": "3mfcaaaaaaa2x"}
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/com.atproto.repo.listRecords", records)
        assert writer(api).find_reply(citizen_reply(), TEXT, NOW - timedelta(minutes=5)) == NEW
        assert writer(api).find_reply(citizen_reply(), "Ukjent", NOW - timedelta(minutes=5)) is None
    assert api.requests[0].query == {"repo": US, "collection": "app.bsky.feed.post", "limit": "100"}
    assert len(api.requests) == 2  # the older record ends the search: no second page


def test_find_reply_in_a_chat() -> None:
    messages = {"messages": [
        {"$type": "chat.bsky.convo.defs#messageView", "id": "3mfd0newmsg2k", "rev": "2222", "text": TEXT,
         "sender": {"did": US}, "sentAt": "2026-11-17T11:59:00.000Z"},
        {"$type": "chat.bsky.convo.defs#messageView", "id": "3mfcz9a1b2c3d", "rev": "2221", "text": "Hei",
         "sender": {"did": INGRID}, "sentAt": "2026-11-17T09:00:00.000Z"}]}
    with FakeApi() as api:
        api.json("GET", rf"{XRPC}/chat.bsky.convo.getMessages", messages)
        assert writer(api).find_reply(chat(), TEXT, NOW - timedelta(minutes=5)) == f"{CONVO}/3mfd0newmsg2k"
        assert writer(api).find_reply(chat(), TEXT, NOW) is None
    assert api.requests[0].headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"


def test_supports() -> None:
    assert BlueskyWriter.capabilities().supports == {ActionKind.REPLY, ActionKind.HIDE, ActionKind.UNHIDE}
