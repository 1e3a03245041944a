"""Signing in to the inbox: local users with sessions and CSRF, OpenID Connect, roles, audit, access log."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from innboks.db.engine import open_store
from innboks.db.schema import audit_log, users
from innboks.web.auth import AuthConfig, OidcConfig
from innboks.web.pages import safe_next
from innboks.web.throttle import LoginThrottle
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category
from tests.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOidcProvider
from tests.inbox_data import add_inquiry, registry

PASSWORD = "hemmelig-passord"


@pytest.fixture()
def engine(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as connection:
        add_inquiry(connection, "1_400", "Hvor søker jeg om parkeringstillatelse?", 4, Category.GENERAL_QUESTION)
    add_user(engine, "kari", "operator", PASSWORD)
    return engine


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "every page carries the session's CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str = "kari", password: str = PASSWORD, next_page: str = "/"):
    page = client.get(f"/logg-inn?neste={next_page}")
    return client.post("/logg-inn", data={"username": username, "password": password, "neste": next_page,
                                          "csrf_token": csrf_of(page.text)}, follow_redirects=False)


def audit_actions(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.select(audit_log.c.actor, audit_log.c.action)
                                                     .order_by(audit_log.c.id)).all()]


def test_pages_send_strangers_to_sign_in_and_back(engine) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    first = client.get("/?state=overdue", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/logg-inn?neste=/%3Fstate%3Doverdue"
    reply = sign_in(client, next_page="/?state=overdue")
    assert reply.status_code == 303 and reply.headers["location"] == "/?state=overdue"
    page = client.get("/")
    assert page.status_code == 200 and "parkeringstillatelse" in page.text
    assert ("kari", "sign_in") in audit_actions(engine)


def test_a_wrong_password_is_refused_and_audited(engine) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    reply = sign_in(client, password="feil")
    assert reply.status_code == 401 and "Feil brukernavn eller passord" in reply.text
    assert client.get("/api/inquiries").status_code == 401
    assert ("kari", "sign_in_failed") in audit_actions(engine)


def test_cookie_sessions_need_the_csrf_token_for_changes(engine) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    sign_in(client)
    inquiry = client.get("/api/inquiries").json()[0]["inquiry_id"]
    refused = client.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "kari"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    token = csrf_of(client.get("/").text)
    accepted = client.post(f"/api/inquiries/{inquiry}/assign", json={"assignee": "kari"},
                           headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200
    # Signing in without the form's token is refused too (login CSRF).
    fresh = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    assert fresh.post("/logg-inn", data={"username": "kari", "password": PASSWORD}).status_code == 403


def test_sign_out_ends_the_session(engine) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    sign_in(client)
    token = csrf_of(client.get("/").text)
    assert client.post("/logg-ut", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303
    assert ("kari", "sign_out") in audit_actions(engine)


def test_a_disabled_user_is_out_at_the_next_request(engine) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    sign_in(client)
    assert client.get("/api/inquiries").status_code == 200
    with engine.begin() as connection:
        connection.execute(users.update().values(disabled=True))
    assert client.get("/api/inquiries").status_code == 401


def test_sessions_expire(engine) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k", session_hours=0.0)))
    sign_in(client)
    assert client.get("/api/inquiries").status_code == 401


def test_local_users_can_be_switched_off(engine) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k", local_users=False)))
    assert client.get("/api/inquiries", auth=("kari", PASSWORD)).status_code == 401
    assert sign_in(client).status_code == 401


def test_password_guessing_is_slowed_down_per_user_and_address(engine) -> None:
    app = create_app(engine, registry(), AuthConfig(secret_key="k"))
    client = TestClient(app, client=("203.0.113.7", 50000))
    for _ in range(5):
        assert sign_in(client, password="feil").status_code == 401
    slowed = sign_in(client)  # from the guessing address even the right password waits: it is not checked at all
    assert slowed.status_code == 429 and "For mange mislykkede innlogginger" in slowed.text
    assert 0 < int(slowed.headers["retry-after"]) <= 30
    api = client.get("/api/inquiries", auth=("kari", PASSWORD))
    assert api.status_code == 429 and "retry-after" in api.headers and "try again" in api.json()["error"]
    assert audit_actions(engine).count(("kari", "sign_in_failed")) == 6  # five wrong, one slowed (the form)
    other = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")), client=("203.0.113.7", 50000))
    assert other.get("/api/inquiries", auth=("kari", PASSWORD)).status_code == 200  # a fresh process forgets


def test_someone_guessing_elsewhere_never_keeps_the_user_out(engine) -> None:
    """Throttled per (user, address): kari's right password at her own desk works during the attacker's wait."""
    app = create_app(engine, registry(), AuthConfig(secret_key="k"))
    attacker = TestClient(app, client=("203.0.113.66", 50000))
    for _ in range(6):
        attacker.get("/api/inquiries", auth=("kari", "gjett"))
    assert attacker.get("/api/inquiries", auth=("kari", PASSWORD)).status_code == 429
    kari = TestClient(app, client=("10.20.0.5", 50000))
    assert sign_in(kari).status_code == 303
    assert kari.get("/api/inquiries", auth=("kari", PASSWORD)).status_code == 200


def test_the_throttle_waits_longer_with_every_failure_and_forgives_a_success() -> None:
    now = [1000.0]
    throttle = LoginThrottle(per_user=3, per_address=6, window=600, first_wait=30, max_wait=100,
                             clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait("Kari", "10.0.0.1") == 0
        throttle.failed("Kari", "10.0.0.1")
    assert throttle.wait("kari", "10.0.0.1") == 30  # the user name in any case, from that address
    assert throttle.wait("kari", "10.0.0.2") == 0  # never a lock-out: kari elsewhere is not slowed
    now[0] += 30
    assert throttle.wait("kari", "10.0.0.1") == 0
    throttle.failed("kari", "10.0.0.1")
    assert throttle.wait("kari", "10.0.0.1") == 60
    now[0] += 60
    throttle.failed("kari", "10.0.0.1")
    assert throttle.wait("kari", "10.0.0.1") == 100  # doubled to 120, capped
    assert throttle.wait("ola", "10.0.0.2") == 0
    for name in ("per", "pål", "espen", "anne", "berit", "ivar"):
        throttle.failed(name, "10.0.0.3")
    assert throttle.wait("someone", "10.0.0.3") == 30  # one address guessing many user names
    throttle.succeeded("kari", "10.0.0.1")
    assert throttle.wait("kari", "10.0.0.1") == 0
    now[0] += 601
    assert throttle.wait("someone", "10.0.0.3") == 0  # failures older than the window are forgotten


@pytest.mark.parametrize("target, expected", [("/samtale/x", "/samtale/x"), ("https://evil.example/", "/"),
                                              ("//evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/")])
def test_after_sign_in_only_local_paths(target, expected) -> None:
    assert safe_next(target) == expected


def test_security_headers_and_a_privacy_safe_access_log(engine, caplog) -> None:
    client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    client.auth = ("kari", PASSWORD)
    with caplog.at_level(logging.INFO, logger="innboks.inbox.access"):
        reply = client.get("/api/inquiries?assignee=Kari+Nordmann")
        key = client.get("/api/inquiries").json()[0]["conversation_key"]
        client.get(f"/api/conversations/{key}")
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert reply.headers["x-frame-options"] == "DENY"
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("GET /api/inquiries 200") and "user=kari" in line for line in lines)
    assert any(line.startswith("GET /api/conversations/{key:path} 200") for line in lines)
    assert not any("Nordmann" in line or key in line for line in lines)


@pytest.fixture()
def provider():
    with FakeOidcProvider() as running:
        yield running


def oidc_config(provider: FakeOidcProvider) -> AuthConfig:
    oidc = OidcConfig(issuer=provider.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, unit_claim="groups",
                      roles={"Innboks.Operator": "operator", "Innboks.Admin": "admin"})
    return AuthConfig(secret_key="k", base_url="http://testserver", oidc=oidc, local_users=False)


def oidc_sign_in(client: TestClient, next_page: str = "/") -> httpx.Response:
    start = client.get(f"/logg-inn/oidc?neste={next_page}", follow_redirects=False)
    assert start.status_code == 302
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_oidc_sign_in_maps_roles_and_units(engine, provider) -> None:
    client = TestClient(create_app(engine, registry(), oidc_config(provider)))
    assert "Logg inn med Entra ID" in client.get("/logg-inn").text
    provider.next_claims = {"sub": "abc-123", "preferred_username": "ola@alta.kommune.no", "name": "Ola Nordmann",
                            "roles": ["Innboks.Operator"], "groups": ["Kultur"]}
    back = oidc_sign_in(client, "/?state=overdue")
    assert back.status_code == 303 and back.headers["location"] == "/?state=overdue"
    me = client.get("/api/me").json()
    assert me == {"username": "ola@alta.kommune.no", "role": "operator", "units": ["Kultur"],
                  "display_name": "Ola Nordmann"}
    assert client.get("/api/inquiries").json() == []  # Kultur owns no account with inquiries here
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == "ola@alta.kommune.no")).one()
    assert (row.oidc_subject, row.password_hash, row.role) == ("abc-123", None, "operator")
    assert ("ola@alta.kommune.no", "sign_in") in audit_actions(engine)
    # The next sign-in takes the role the provider gives now.
    provider.next_claims = {**provider.next_claims, "roles": ["Innboks.Admin"]}
    oidc_sign_in(client)
    assert client.get("/api/me").json()["role"] == "admin"


def test_oidc_without_an_innboks_role_is_refused(engine, provider) -> None:
    client = TestClient(create_app(engine, registry(), oidc_config(provider)))
    provider.next_claims = {"sub": "xyz", "preferred_username": "guest", "roles": ["Something.Else"]}
    assert oidc_sign_in(client).status_code == 403
    assert client.get("/api/me").status_code == 401
    assert ("oidc:xyz", "sign_in_failed") in audit_actions(engine)


def test_a_forged_oidc_answer_is_refused(engine, provider) -> None:
    client = TestClient(create_app(engine, registry(), oidc_config(provider)))
    client.get("/logg-inn/oidc", follow_redirects=False)
    forged = client.get("/logg-inn/oidc/svar?code=made-up&state=made-up", follow_redirects=False)
    assert forged.status_code == 303 and forged.headers["location"] == "/logg-inn"
    assert client.get("/api/me").status_code == 401
