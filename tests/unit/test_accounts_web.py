"""Kontoer and ``GET /api/accounts`` over a real store, connecting through every platform's stand-in
authorization server (the demo's): the redirects and their parameters, consent, the callback, the
choice with the guideline's checks, the assessment, reconnecting, pausing and forgetting, and the
secrets never shown."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from innboks.config.accounts import Account, CommunicationUnit, Registry
from innboks.config.credentials import StoredCredentials, install_secret_backend
from innboks.config.settings import Settings
from innboks.config.topics import CONTROL
from innboks.db.accounts import StoreVault, get_connected, read_secrets, record_poll
from innboks.db.engine import open_store
from innboks.db.schema import audit_log, connected_accounts
from innboks.db.sealed import Keyring
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import AccountEvent, Platform
from tests.accounts_helpers import ASSESSMENT, SECOND_PAGE_ID, consent, path_of, platforms, query_of
from tests.helpers import RecordingPublisher
from tests.unit.test_inbox_auth import csrf_of

PASSWORD = "hemmelig-passord"
MAIN_PAGE = "104857362918274"
BASE = "http://127.0.0.1:8080"


def registry(require_admin: bool = False) -> Registry:
    unit = CommunicationUnit(name="Kommunikasjonsenheten", require_admin=require_admin,
                             admins={Platform.FACEBOOK: ["4200"], Platform.LINKEDIN: ["urn:li:person:komm1"]})
    return Registry(communication_unit=unit, accounts=[Account(
        platform=Platform.FACEBOOK, account_id=MAIN_PAGE, name="Alta kommune", owning_unit="Kommunikasjonsenheten",
        credentials=StoredCredentials())])


def make(tmp_path, demo, reg: Registry | None = None) -> SimpleNamespace:
    tmp_path.mkdir(parents=True, exist_ok=True)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    keyring = Keyring(["nøkkel-" + "x" * 40])
    install_secret_backend(StoreVault(engine, keyring))
    for name, role in (("anne", "admin"), ("kari", "operator")):
        add_user(engine, name, role, PASSWORD)
    publisher = RecordingPublisher()
    app = create_app(engine, reg or registry(), AuthConfig(secret_key="k", base_url=BASE), publisher,
                     settings=demo.settings(Settings()), keyring=keyring)
    client = TestClient(app, base_url=BASE)
    page = client.get("/logg-inn")
    client.post("/logg-inn", data={"username": "anne", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    return SimpleNamespace(client=client, engine=engine, keyring=keyring, demo=demo, publisher=publisher)


@pytest.fixture()
def kontoer(tmp_path):
    with platforms(tmp_path / "platforms") as demo:
        yield make(tmp_path, demo)
    install_secret_backend(None)


def connect(k, platform: str, choose: list[str] | None = None, assessment: dict | None = None,
            query: str = "", **form: str):
    """Kontoer → the platform → consent → back → the choice; the answer to posting it."""
    start = k.client.get(f"/kontoer/koble-til/{platform}{query}", follow_redirects=False)
    assert start.status_code == 302, start.text[:300]
    back = consent(start.headers["location"])
    review = k.client.get(path_of(back), follow_redirects=True)
    assert review.status_code == 200 and 'id="connect-review"' in review.text, review.text[:500]
    keys = choose if choose is not None else re.findall(r'name="account" value="([^"]+)"[^>]*checked', review.text)
    data = {"csrf_token": csrf_of(review.text), "account": keys, **(assessment if assessment is not None
                                                                   else ASSESSMENT), **form}
    action = re.search(r'action="(/kontoer/koble-til/velg/[^"]+)"', review.text).group(1)
    return k.client.post(action, data=data)


def test_the_oauth_platforms_redirect_with_state_and_pkce_where_taken(kontoer) -> None:
    urls = {}
    for platform in ("facebook", "instagram", "linkedin", "youtube", "x"):
        answer = kontoer.client.get(f"/kontoer/koble-til/{platform}", follow_redirects=False)
        assert answer.status_code == 302, platform
        urls[platform] = answer.headers["location"]
        query = query_of(urls[platform])
        assert query["redirect_uri"] == f"{BASE}/kontoer/koble-til/{platform}/tilbake"
        assert len(query["state"]) >= 40 and query["client_id"] and query["response_type"] == "code"
        assert ("code_challenge" in query) == (platform in ("youtube", "x")), platform
    for platform in ("youtube", "x"):
        assert query_of(urls[platform])["code_challenge_method"] == "S256"
    assert query_of(urls["youtube"])["access_type"] == "offline"
    assert "offline.access" in query_of(urls["x"])["scope"].split()
    assert urlsplit(urls["facebook"]).path == "/v24.0/dialog/oauth"
    states = {query_of(url)["state"] for url in urls.values()}
    assert len(states) == 5  # a fresh state every time
    with kontoer.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT id, sealed FROM oauth_flows")).all()
    assert len(stored) == 5 and not any(state in row.id + row.sealed for state in states for row in stored)


def test_mastodon_and_bluesky_start_with_a_form_and_a_csrf_token(kontoer) -> None:
    for platform, field in (("mastodon", 'name="instance"'), ("bluesky", 'name="app_password"')):
        page = kontoer.client.get(f"/kontoer/koble-til/{platform}")
        assert page.status_code == 200 and field in page.text and 'name="csrf_token"' in page.text
        assert page.text.index('name="csrf_token"') < page.text.index(field)
    # The instance comes first: Innboks registers itself there once, then sends the browser on.
    mastodon = kontoer.demo.mastodon
    page = kontoer.client.get("/kontoer/koble-til/mastodon")
    answer = kontoer.client.post("/kontoer/koble-til/mastodon", data={"csrf_token": csrf_of(page.text),
                                                                      "instance": mastodon.base_url})
    onward = re.search(r'href="([^"]+)" id="continue"', answer.text).group(1).replace("&amp;", "&")
    assert 'http-equiv="refresh"' in answer.text and onward.startswith(f"{mastodon.base_url}/oauth/authorize?")
    assert query_of(onward)["code_challenge_method"] == "S256"  # the instance advertises S256 (Mastodon 4.3+)
    again = kontoer.client.post("/kontoer/koble-til/mastodon", data={"csrf_token": csrf_of(page.text),
                                                                     "instance": mastodon.base_url})
    assert again.status_code == 200 and len(mastodon.auth.clients) == 1  # registered once
    refused = kontoer.client.post("/kontoer/koble-til/mastodon", data={"instance": mastodon.base_url})
    assert refused.status_code == 403  # no CSRF token
    bad = kontoer.client.post("/kontoer/koble-til/mastodon", data={"csrf_token": csrf_of(page.text),
                                                                   "instance": "http://example.org"})
    assert bad.status_code == 422 and "https" in bad.text


def test_a_second_facebook_page_is_connected_with_its_checks_webhooks_and_assessment(kontoer) -> None:
    done = connect(kontoer, "facebook", choose=[f"facebook:{SECOND_PAGE_ID}"], owning_unit="Kultur")
    assert done.status_code == 200 and "Alta bibliotek" in done.text and 'id="connected"' in done.text
    assert kontoer.demo.graph.subscriptions[SECOND_PAGE_ID] == ["feed", "messages"]
    account = get_connected(kontoer.engine, Platform.FACEBOOK, SECOND_PAGE_ID)
    assert account is not None and account.owning_unit == "Kultur" and account.admin_check == "ok"
    assert account.profile_check["status"] == "ok" and account.assessment["by"] == "anne"
    assert account.webhook["subscribed"] and account.token_expires_at is not None
    secrets = read_secrets(kontoer.engine, kontoer.keyring, Platform.FACEBOOK, SECOND_PAGE_ID)
    assert kontoer.demo.graph.auth.valid(secrets["access_token"]).extra["page_id"] == SECOND_PAGE_ID
    # Never shown again, never stored in the clear.
    listed = kontoer.client.get("/api/accounts")
    page = kontoer.client.get("/kontoer")
    with kontoer.engine.connect() as connection:
        raw = " ".join(str(v) for row in connection.execute(sa.select(connected_accounts)).all() for v in row)
        audited = " ".join(str(row) for row in connection.execute(sa.select(audit_log)).all())
    for text in (listed.text, page.text, raw, audited):
        assert secrets["access_token"] not in text and secrets["user_access_token"] not in text
    rows = {row["account_id"]: row for row in listed.json()}
    assert rows[SECOND_PAGE_ID]["source"] == "kontoer" and rows[SECOND_PAGE_ID]["status"] == "active"
    assert rows[SECOND_PAGE_ID]["assessment"]["purpose"] == ASSESSMENT["purpose"]
    assert rows[MAIN_PAGE]["status"] == "not_connected"  # type: stored in the YAML, not connected yet
    # The worker learns of it on innboks.control (never the credentials).
    topic, key, value = kontoer.publisher.sent[-1]
    event = AccountEvent.model_validate_json(value)
    assert (topic, key) == (CONTROL, f"account:facebook:{SECOND_PAGE_ID}".encode())
    assert event.owning_unit == "Kultur" and event.active and secrets["access_token"].encode() not in value
    # The inbox knows the new Page's name at once.
    assert "Alta bibliotek" in kontoer.client.get("/innsyn").text


def test_api_accounts_has_the_contract_fields_and_is_for_administrators(kontoer) -> None:
    connect(kontoer, "x")
    row = next(r for r in kontoer.client.get("/api/accounts").json() if r["platform"] == "x")
    assert {"platform", "account_id", "name", "owning_unit", "status", "token_expires_at", "last_success_at",
            "admin_check", "assessment", "last_action_at", "rate_limit_remaining", "webhook"} <= set(row)
    assert row["status"] == "active" and row["admin_check"] == "unknown" and row["token_expires_at"] is None
    assert set(row["assessment"]) >= {"purpose", "audience", "privacy", "resources"}
    record_poll(kontoer.engine, Platform.X, row["account_id"], "ok", None, True, 0.42)
    row = next(r for r in kontoer.client.get("/api/accounts").json() if r["platform"] == "x")
    assert row["last_success_at"] and row["rate_limit_remaining"] == 0.42
    operator = TestClient(kontoer.client.app, base_url=BASE)
    operator.auth = ("kari", PASSWORD)
    assert operator.get("/api/accounts").status_code == 403
    assert operator.get("/kontoer").status_code == 403
    assert operator.get("/kontoer/koble-til/x", follow_redirects=False).status_code == 403


@pytest.mark.parametrize("platform", ["linkedin", "youtube", "x"])
def test_oauth_accounts_get_refreshable_credentials_and_their_end(kontoer, platform) -> None:
    assert connect(kontoer, platform).status_code == 200
    account = next(a for a in [get_connected(kontoer.engine, Platform(platform), r["account_id"])
                               for r in kontoer.client.get("/api/accounts").json() if r["platform"] == platform])
    assert account.credential_kind == "oauth2" and account.access_expires_at is not None
    secrets = read_secrets(kontoer.engine, kontoer.keyring, Platform(platform), account.account_id)
    assert {"access_token", "refresh_token", "client_id"} <= set(secrets)
    if platform == "linkedin":  # 365 days from the first grant; the organization's admins are listed
        assert 364 <= (account.token_expires_at - account.connected_at).days <= 365
        assert account.admin_check == "ok"
    else:
        assert account.token_expires_at is None


def test_bluesky_connects_with_an_app_password_and_a_wrong_one_is_refused(kontoer) -> None:
    page = kontoer.client.get("/kontoer/koble-til/bluesky")
    wrong = kontoer.client.post("/kontoer/koble-til/bluesky", data={
        "csrf_token": csrf_of(page.text), "handle": "altakommune.bsky.social", "app_password": "feil"})
    assert wrong.status_code == 422 and "401" in wrong.text
    review = kontoer.client.post("/kontoer/koble-til/bluesky", follow_redirects=True, data={
        "csrf_token": csrf_of(page.text), "handle": "@altakommune.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"})
    action = re.search(r'action="(/kontoer/koble-til/velg/[^"]+)"', review.text).group(1)
    done = kontoer.client.post(action, data={"csrf_token": csrf_of(review.text), "account": [
        f"bluesky:{kontoer.demo.bluesky.did}"], **ASSESSMENT})
    assert done.status_code == 200
    account = get_connected(kontoer.engine, Platform.BLUESKY, kontoer.demo.bluesky.did)
    assert account.credential_kind == "app_password" and account.options["pds_url"] == kontoer.demo.bluesky.base_url
    assert "abcd-efgh-ijkl-mnop" not in kontoer.client.get("/kontoer").text


def test_a_new_account_needs_the_assessment_and_a_reconnection_keeps_it(kontoer) -> None:
    missing = connect(kontoer, "x", assessment={"purpose": "Dialog"})
    assert missing.status_code == 422 and "vurderingen" in missing.text
    assert connect(kontoer, "x").status_code == 200
    user_id = kontoer.demo.x.user["id"]
    first = get_connected(kontoer.engine, Platform.X, user_id)
    again = connect(kontoer, "x", query=f"?konto={user_id}", assessment={})
    assert again.status_code == 200 and "koblet til på nytt" in again.text
    second = get_connected(kontoer.engine, Platform.X, user_id)
    assert second.credentials_version == first.credentials_version + 1
    assert second.assessment == first.assessment
    with kontoer.engine.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.action, audit_log.c.actor)
                                     .where(audit_log.c.action.like("account_%"))).all()
    assert [tuple(a) for a in actions] == [("account_connected", "anne"), ("account_reconnected", "anne")]


def test_the_co_admin_check_warns_or_refuses_with_the_reason(tmp_path) -> None:
    with platforms(tmp_path / "platforms") as demo:
        demo.graph.roles[SECOND_PAGE_ID] = [{"id": "999", "name": "Noen andre", "tasks": ["MANAGE"]}]
        warned = make(tmp_path / "warn", demo)
        done = connect(warned, "facebook", choose=[f"facebook:{SECOND_PAGE_ID}"])
        assert done.status_code == 200 and "ikke administrator" in done.text
        assert get_connected(warned.engine, Platform.FACEBOOK, SECOND_PAGE_ID).admin_check == "missing"
        strict = make(tmp_path / "strict", demo, registry(require_admin=True))
        refused = connect(strict, "facebook", choose=[f"facebook:{SECOND_PAGE_ID}"])
        assert refused.status_code == 422 and "ikke administrator" in refused.text
        assert get_connected(strict.engine, Platform.FACEBOOK, SECOND_PAGE_ID) is None
    install_secret_backend(None)


def test_a_callback_is_used_once_by_whoever_started_it(kontoer) -> None:
    start = kontoer.client.get("/kontoer/koble-til/linkedin", follow_redirects=False)
    back = consent(start.headers["location"])
    other = TestClient(kontoer.client.app, base_url=BASE)
    add_user(kontoer.engine, "berit", "admin", PASSWORD)
    other.auth = ("berit", PASSWORD)
    assert "en annen bruker" in other.get(path_of(back)).text
    assert kontoer.client.get(path_of(back)).status_code == 200
    assert "allerede brukt" in kontoer.client.get(path_of(back)).text
    forged = kontoer.client.get("/kontoer/koble-til/linkedin/tilbake?code=x&state=gjettet")
    assert forged.status_code == 422 and "ukjent" in forged.text
    start = kontoer.client.get("/kontoer/koble-til/linkedin", follow_redirects=False)
    denied = consent(start.headers["location"], allow=False)
    assert "access_denied" in kontoer.client.get(path_of(denied)).text


def test_pause_resume_and_disconnect_revoke_where_the_platform_lets_only_this_account_go(kontoer) -> None:
    connect(kontoer, "x")
    user_id = kontoer.demo.x.user["id"]
    secrets = read_secrets(kontoer.engine, kontoer.keyring, Platform.X, user_id)
    page = kontoer.client.get("/kontoer")
    token = csrf_of(page.text)
    kontoer.client.post(f"/kontoer/x/{user_id}/pause", data={"csrf_token": token, "reason": "ferie"})
    row = next(r for r in kontoer.client.get("/api/accounts").json() if r["platform"] == "x")
    assert row["status"] == "paused" and "ferie" in row["status_detail"]
    kontoer.client.post(f"/kontoer/x/{user_id}/fortsett", data={"csrf_token": token})
    assert next(r for r in kontoer.client.get("/api/accounts").json() if r["platform"] == "x")["status"] == "active"
    kontoer.client.post(f"/kontoer/x/{user_id}/koble-fra", data={"csrf_token": token})
    assert get_connected(kontoer.engine, Platform.X, user_id) is None
    assert kontoer.demo.x.auth.valid(secrets["refresh_token"]) is None  # revoked at X (RFC 7009)
    assert not AccountEvent.model_validate_json(kontoer.publisher.sent[-1][2]).connected


def test_refused_and_expiring_tokens_are_announced_on_every_page(kontoer) -> None:
    connect(kontoer, "facebook", choose=[f"facebook:{SECOND_PAGE_ID}"])
    with kontoer.engine.begin() as connection:
        connection.execute(connected_accounts.update().values(
            token_expires_at=sa.func.current_timestamp()))  # ends now: refused from now on
    record_poll(kontoer.engine, Platform.FACEBOOK, SECOND_PAGE_ID, "token_invalid", "HTTP 400: OAuthException 190",
                False, None)
    operator = TestClient(kontoer.client.app, base_url=BASE)
    operator.auth = ("kari", PASSWORD)
    inbox = operator.get("/")
    assert "er satt på pause" in inbox.text and "Be en administrator" in inbox.text
    admin_page = kontoer.client.get("/kontoer")
    assert 'data-status="token_invalid"' in admin_page.text and "/kontoer/koble-til/facebook?konto=" in admin_page.text
    row = next(r for r in kontoer.client.get("/api/accounts").json() if r["account_id"] == SECOND_PAGE_ID)
    assert row["status"] == "token_invalid" and "OAuthException 190" in row["status_detail"]
