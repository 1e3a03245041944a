"""Permalinks (#24, item 3): only https links on the platform's own hosts are kept, and nothing else is a link."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from connectors.facebook.mapping import map_facebook
from connectors.mastodon.mapping import map_mastodon
from innboks.db.engine import open_store
from innboks.db.schema import messages
from innboks.domain.conversation_pdf import render_html
from innboks.domain.permalinks import PERMALINK_HOSTS, checked_in_full, safe_permalink
from innboks.records.search import RecordFilter, search
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category, Platform, RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw
from tests.inbox_data import add_inquiry, registry
from tests.unit.connectors.archive.helpers import case_for

HOSTILE = ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
           "http://www.facebook.com/altakommune/posts/1", "https://evil.example/www.facebook.com/",
           "https://www.facebook.com.evil.example/x", "https://user:pw@www.facebook.com/x",
           "https://www.facebook.com\\@evil.example/", "https://www.facebook.com:8443/x", "//www.facebook.com/x",
           " https://www.facebook.com/x", "https://www.facebook.com/x\njavascript:alert(1)", "https://l.facebook.com/l.php",
           "https://127.0.0.1/x", "", None, 42]


@pytest.mark.parametrize("url", HOSTILE)
def test_only_https_links_on_the_platforms_own_hosts_are_accepted(url) -> None:
    assert safe_permalink(Platform.FACEBOOK, url) is None


@pytest.mark.parametrize("platform, url", [
    (Platform.FACEBOOK, "https://www.facebook.com/altakommune/posts/1822210987916?comment_id=5"),
    (Platform.INSTAGRAM, "https://www.instagram.com/p/DRa7kLmNq2x/"),
    (Platform.X, "https://x.com/i/web/status/1"),
    (Platform.LINKEDIN, "https://www.linkedin.com/feed/update/urn:li:share:7/"),
    (Platform.YOUTUBE, "https://www.youtube.com/watch?v=abc&lc=UgX"),
    (Platform.BLUESKY, "https://bsky.app/profile/did:plc:x/post/3k"),
    (Platform.MASTODON, "https://snabelen.no/@kari_nordmann/117625116637317670"),
])
def test_each_platforms_own_links_are_kept(platform, url) -> None:
    assert safe_permalink(platform, url) == url
    if PERMALINK_HOSTS[platform] is not None:
        assert safe_permalink(platform, url.replace("https://", "https://evil.example/", 1).replace(
            "evil.example/", "evil.example/x?", 1)) is None


@pytest.mark.parametrize("platform", list(Platform))
def test_the_quick_path_decides_as_the_full_check(platform) -> None:
    """The usual form is decided without urlsplit; every link must come out as the full check says."""
    hosts = PERMALINK_HOSTS[platform]
    variants = [u for u in HOSTILE if isinstance(u, str) and u]
    for host in ["www.facebook.com", "x.com", "bsky.app", "snabelen.no", "evil.example", "WWW.FACEBOOK.COM",
                 "www.facebook.com.", "-x.com", "x.c", "127.0.0.1", "www.facebook.com:443", "a@www.facebook.com"]:
        for rest in ["", "/", "/p/1?x=1#y", "?a=b", "#f", "/@user/1", "/a@b", ":80/x", "/%0a", "/ü"]:
            variants.append(f"https://{host}{rest}")
            variants.append(f"HTTPS://{host}{rest}")
    for url in variants:
        assert safe_permalink(platform, url) == (None if _unsafe(url) else checked_in_full(url, hosts)), url


def _unsafe(url: str) -> bool:
    return any(ch.isspace() or ord(ch) < 32 or ch in "\x7f\\" for ch in url)


def test_the_mappings_drop_a_hostile_link_and_keep_the_message() -> None:
    """Issue #24, 3: ``permalink_url: "javascript:…"`` became the conversation page's "Åpne på …" link."""
    for hostile in ("javascript:alert(1)", "data:text/html,<h1>x", "https://evil.example/p"):
        raw = facebook_comment_raw("1_900", "Hei")
        raw.payload["permalink_url"] = hostile
        message = map_facebook(raw)
        assert message.permalink is None and message.text == "Hei"
    raw = facebook_comment_raw("1_900", "Hei")
    raw.payload["permalink_url"] = "https://www.facebook.com/altakommune/posts/1?comment_id=1_900"
    assert map_facebook(raw).permalink == raw.payload["permalink_url"]


def test_a_mastodon_status_keeps_an_https_link_on_any_instance_only() -> None:
    from tests.unit.connectors.mastodon.helpers import ACCOUNT, KARI_MENTION

    status = dict(KARI_MENTION)
    raw = RawEvent(platform=Platform.MASTODON, account_id=ACCOUNT, resource="notification", payload=status,
                   fetched_at=datetime.now(UTC))
    assert map_mastodon(raw).permalink == status["url"]
    raw.payload["url"] = "javascript:alert(1)"
    assert map_mastodon(raw).permalink is None


@pytest.fixture()
def hostile_store(tmp_path):
    """A store holding a link mapped before the check (as a store of today's data may)."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as connection:
        message_id = add_inquiry(connection, "1_901", "Se lenken", 3, Category.OTHER)
        connection.execute(messages.update().values(permalink="javascript:alert(document.cookie)"))
    add_user(engine, "kari", "admin", "hemmelig-passord")
    engine.message_id = message_id
    yield engine
    engine.dispose()


def test_nothing_but_a_safe_link_is_rendered_as_one_in_the_inbox(hostile_store) -> None:
    client = TestClient(create_app(hostile_store, registry(), AuthConfig(secret_key="k")))
    client.auth = ("kari", "hemmelig-passord")
    key = f"facebook:{PAGE_ID}:1_901"
    page = client.get(f"/samtale/{key}").text
    assert "javascript:" not in page and "Åpne på" not in page
    assert [m["permalink"] for m in client.get(f"/api/conversations/{key}").json()["messages"]] == [None]
    assert [row["permalink"] for row in client.get("/api/inquiries").json()] == [None]


def test_nothing_but_a_safe_link_is_in_the_records_exports(hostile_store) -> None:
    rows = list(search(hostile_store, RecordFilter(accounts=(PAGE_ID,))))
    assert rows and all(row.permalink is None for row in rows)


def test_nothing_but_a_safe_link_is_a_link_in_the_archive_pdf() -> None:
    case = case_for("Når kommer svaret på byggesøknaden min?")
    hostile = case.model_copy(update={"inquiry": case.inquiry.model_copy(update={"permalink": "javascript:alert(1)"})})
    assert not re.search(r"<a\b", render_html(hostile, "Alta kommune"))
    safe = "https://www.facebook.com/altakommune/posts/1"
    kept = case.model_copy(update={"inquiry": case.inquiry.model_copy(update={"permalink": safe})})
    assert f'<a href="{safe}">' in render_html(kept, "Alta kommune")
