"""The inbox's trust boundaries (#24): another site's page, stale or revoked sessions, disabled users.

Each test here failed before the fix it names. The route matrix (test_route_matrix.py) checks the
same rules for every route of the app.
"""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from innboks.cli import main
from innboks.db.engine import open_store
from innboks.db.schema import actions, audit_log
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category, EscalationReason
from tests.inbox_data import ProjectingPublisher, add_inquiry, registry
from tests.staff_web import signed_in

PASSWORD = "hemmelig-passord"
EVIL = "https://evil.example"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture()
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(url)
    with engine.begin() as connection:
        message = add_inquiry(connection, "1_500", "Trusselen mot ordføreren", 3, Category.OTHER,
                              escalate=[EscalationReason.THREAT])
    add_user(engine, "kari", "operator", PASSWORD)
    add_user(engine, "ola", "operator", PASSWORD)
    engine.url_text, engine.message = url, message
    yield engine
    engine.dispose()


def app_for(engine, publisher=None):
    return create_app(engine, registry(), AuthConfig(secret_key="k", base_url="http://inbox.alta.test"),
                      publisher or ProjectingPublisher(engine))


def pending_approval(engine, client: TestClient) -> str:
    """kari asks for a reply on an escalated conversation: it waits for a second operator."""
    answer = client.post(f"/api/messages/{engine.message}/reply", json={"text": "Vi ser på saken."},
                         auth=("kari", PASSWORD))
    assert answer.status_code == 202 and answer.json()["needs_approval"], answer.text
    return answer.json()["action_id"]


def approvals(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(actions)
                                  .where(actions.c.approved_by.is_not(None))).scalar() or 0


def test_cached_basic_credentials_cannot_approve_from_another_site(store) -> None:
    """Issue #24, 1: a cross-site text/plain form with the browser's cached Basic credentials approved a reply."""
    publisher = ProjectingPublisher(store)
    client = TestClient(app_for(store, publisher))
    action = pending_approval(store, client)
    sent = len(publisher.sent)
    forged = {"Authorization": "Basic " + base64.b64encode(f"ola:{PASSWORD}".encode()).decode(),
              "Content-Type": "text/plain", "Origin": EVIL, "Sec-Fetch-Site": "cross-site", "User-Agent": BROWSER}
    refused = client.post(f"/api/actions/{action}/approve", content=b"x=y", headers=forged)
    assert refused.status_code == 403 and "cross-site" in refused.json()["error"]
    # Even an old browser that sends no Origin or Fetch metadata cannot: a form's body is not JSON.
    old_browser = {k: v for k, v in forged.items() if k not in ("Origin", "Sec-Fetch-Site")}
    assert client.post(f"/api/actions/{action}/approve", content=b"x=y", headers=old_browser).status_code == 415
    # … nor a JSON request from another site's script (it would need a CORS preflight, never granted).
    json_forged = {**forged, "Content-Type": "application/json"}
    assert client.post(f"/api/actions/{action}/approve", content=b"{}", headers=json_forged).status_code == 403
    assert len(publisher.sent) == sent and approvals(store) == 0  # refused before the handler
    # The same credentials from a script (no browser headers) still work.
    assert client.post(f"/api/actions/{action}/approve", json={}, auth=("ola", PASSWORD)).status_code == 202


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-site"}, {"Origin": "https://intranett.alta.test"},
                                     {"Sec-Fetch-Site": "cross-site", "Origin": "null"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_no_state_change_from_another_origin_with_a_session_and_its_token(store, headers) -> None:
    kari, token = signed_in(app_for(store), "kari", PASSWORD)
    inquiry = kari.get("/api/inquiries").json()[0]["inquiry_id"]
    refused = kari.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "kari"},
                        headers={"X-CSRF-Token": token, **headers})
    assert refused.status_code == 403 and "cross-site" in refused.json()["error"]
    own = {"Origin": "http://inbox.alta.test", "Sec-Fetch-Site": "same-origin"}
    assert kari.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "kari"},
                     headers={"X-CSRF-Token": token, **own}).status_code == 200


def test_forms_need_the_sessions_token_whatever_the_credential(store) -> None:
    client = TestClient(app_for(store))
    signed_out = client.post("/logg-ut", data={}, auth=("kari", PASSWORD))
    assert signed_out.status_code == 403 and "CSRF" in signed_out.text


def test_a_browser_is_never_asked_for_basic_credentials_but_scripts_are(store) -> None:
    client = TestClient(app_for(store))
    script = client.get("/api/me")
    assert script.status_code == 401 and script.headers["www-authenticate"].startswith("Basic ")
    for browser in ({"User-Agent": BROWSER}, {"Sec-Fetch-Mode": "navigate"}, {"Accept": "text/html,*/*"}):
        answer = client.get("/api/me", headers=browser)
        assert answer.status_code == 401
        assert not answer.headers["www-authenticate"].lower().startswith("basic")
        assert answer.headers["www-authenticate"].startswith("Cookie ")
    assert client.get("/api/me", auth=("kari", PASSWORD), headers={"User-Agent": BROWSER}).status_code == 200


def test_a_signed_out_cookie_is_refused(store) -> None:
    """Issue #24, 4: a saved cookie worked for up to 10 h after signing out."""
    app = app_for(store)
    kari, token = signed_in(app, "kari", PASSWORD)
    saved = dict(kari.cookies)
    assert kari.post("/logg-ut", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    replayed = TestClient(app, cookies=saved)
    assert replayed.get("/api/me").status_code == 401
    assert replayed.get("/", follow_redirects=False).status_code == 303


def test_revoking_a_users_sessions_signs_them_out_in_every_process(store, capsys) -> None:
    kari_one, _ = signed_in(app_for(store), "kari", PASSWORD)
    kari_two, _ = signed_in(app_for(store), "kari", PASSWORD)  # another inbox process, another browser
    ola, _ = signed_in(app_for(store), "ola", PASSWORD)
    assert main(["users", "revoke", "kari", "--store", store.url_text]) == 0
    assert "2 session(s) of kari ended" in capsys.readouterr().out
    assert kari_one.get("/api/me").status_code == 401 and kari_two.get("/api/me").status_code == 401
    assert ola.get("/api/me").status_code == 200
    assert main(["users", "revoke", "nobody", "--store", store.url_text]) == 1
    with store.connect() as connection:
        assert connection.execute(sa.select(audit_log.c.target).where(
            audit_log.c.action == "sessions_revoked")).scalars().all() == ["kari"]


def test_a_disabled_user_is_out_at_once_also_with_basic_auth(store) -> None:
    """Issue #24, 4: Basic auth of a disabled user worked for up to 60 s (the remembered password check)."""
    client = TestClient(app_for(store))
    kari, _ = signed_in(client.app, "kari", PASSWORD)
    assert client.get("/api/me", auth=("kari", PASSWORD)).status_code == 200
    assert main(["users", "disable", "kari", "--store", store.url_text]) == 0
    assert client.get("/api/me", auth=("kari", PASSWORD)).status_code == 401
    assert kari.get("/api/me").status_code == 401


def test_a_new_password_ends_the_remembered_basic_check_and_the_sessions(store) -> None:
    client = TestClient(app_for(store))
    kari, _ = signed_in(client.app, "kari", PASSWORD)
    assert client.get("/api/me", auth=("kari", PASSWORD)).status_code == 200
    add_user(store, "kari", "operator", "et-nytt-passord")
    assert client.get("/api/me", auth=("kari", PASSWORD)).status_code == 401
    assert client.get("/api/me", auth=("kari", "et-nytt-passord")).status_code == 200
    assert kari.get("/api/me").status_code == 401


def test_origin_null_needs_the_sessions_token(store) -> None:
    """``Origin: null`` (a sandboxed frame, a no-referrer page, without Fetch metadata) says nothing about
    where a request came from: the session's token vouches for it, HTTP Basic alone does not."""
    app = app_for(store)
    kari, token = signed_in(app, "kari", PASSWORD)
    inquiry = kari.get("/api/inquiries").json()[0]["inquiry_id"]
    url = f"/api/inquiries/{inquiry}/assign"
    vouched = kari.post(url, json={"assignee": "kari"}, headers={"Origin": "null", "X-CSRF-Token": token})
    assert vouched.status_code == 200
    refused = TestClient(app).post(url, json={"assignee": "kari"}, headers={"Origin": "null"}, auth=("kari", PASSWORD))
    assert refused.status_code == 403 and "cross-site" in refused.json()["error"]


def test_the_pages_own_requests_keep_their_origin(store) -> None:
    """With ``Referrer-Policy: no-referrer`` Chromium sent ``Origin: null`` with the inbox's own sign-in form."""
    page = TestClient(app_for(store)).get("/logg-inn")
    assert page.headers["referrer-policy"] == "same-origin"
