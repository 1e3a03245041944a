"""Credentials: references, bearer, OAuth 2 refresh (with rotation), OAuth 1.0a signing."""

from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from connectors.auth import open_session
from connectors.errors import AuthError
from innboks.config.credentials import CredentialError, Credentials, OAuth1Credentials, OAuth2Credentials, resolve
from tests.fakeapi import FakeApi, Request

CREDENTIALS: TypeAdapter = TypeAdapter(Credentials)


def test_secrets_must_be_references() -> None:
    with pytest.raises(ValidationError, match="secret references"):
        CREDENTIALS.validate_python({"type": "bearer", "token": "EAAB-the-token-itself"})
    assert CREDENTIALS.validate_python({"type": "bearer", "token": "env:T"}).token == "env:T"


def test_resolve_reads_env_and_files_and_reports_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INNBOKS_TEST_TOKEN", " tok \n")
    assert resolve("env:INNBOKS_TEST_TOKEN").get_secret_value() == "tok"
    (tmp_path / "secret").write_text("from-file\n")
    assert resolve(f"file:{tmp_path / 'secret'}").get_secret_value() == "from-file"
    assert str(resolve("env:INNBOKS_TEST_TOKEN")) == "**********"
    with pytest.raises(CredentialError, match="INNBOKS_ABSENT is not set"):
        resolve("env:INNBOKS_ABSENT")
    with pytest.raises(CredentialError, match="cannot read the secret file"):
        resolve(f"file:{tmp_path / 'absent'}")


def token_endpoint(api: FakeApi, responses: list[dict]) -> list[dict[str, list[str]]]:
    seen: list[dict[str, list[str]]] = []
    remaining = list(responses)

    def handler(request: Request):
        seen.append({**request.query_all, "authorization": [request.headers.get("authorization", "")]})
        body = remaining.pop(0)
        return (400 if "error" in body else 200), {}, body

    api.route("POST", r"/oauth/token", handler)
    return seen


def oauth2(tmp_path: Path, monkeypatch, api: FakeApi, client_auth: str = "body") -> OAuth2Credentials:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain HTTP
    monkeypatch.setenv("INNBOKS_TEST_CLIENT_ID", "client-1")
    monkeypatch.setenv("INNBOKS_TEST_CLIENT_SECRET", "shh")
    (tmp_path / "refresh").write_text("refresh-1")
    return OAuth2Credentials(client_id="env:INNBOKS_TEST_CLIENT_ID", client_secret="env:INNBOKS_TEST_CLIENT_SECRET",
                             refresh_token=f"file:{tmp_path / 'refresh'}", token_url=f"{api.url}/oauth/token",
                             client_auth=client_auth)


def test_oauth2_refreshes_first_rotates_and_retries_once_after_401(tmp_path: Path, monkeypatch) -> None:
    api = FakeApi()
    calls = {"n": 0}

    def resource(request: Request):
        calls["n"] += 1
        ok = request.headers.get("authorization") == "Bearer access-2"
        return (200 if ok else 401), {}, {"ok": ok}

    api.route("GET", r"/resource", resource)
    token_endpoint(api, [
        {"access_token": "access-1", "token_type": "bearer", "expires_in": 3600, "refresh_token": "refresh-2"},
        {"access_token": "access-2", "token_type": "bearer", "expires_in": 3600},
    ])
    with api:
        session = open_session(oauth2(tmp_path, monkeypatch, api))
        response = session.get(f"{api.url}/resource")
    assert response.status_code == 200 and session.refreshes == 2
    assert (tmp_path / "refresh").read_text() == "refresh-2"  # the rotated refresh token was kept
    assert calls["n"] == 2


def test_oauth2_refused_refresh_is_an_auth_error(tmp_path: Path, monkeypatch) -> None:
    api = FakeApi()
    token_endpoint(api, [{"error": "invalid_grant", "error_description": "Refresh token revoked"}])
    with api:
        session = open_session(oauth2(tmp_path, monkeypatch, api))
        with pytest.raises(AuthError, match="refresh refused") as info:
            session.get(f"{api.url}/resource")
    assert "refresh-1" not in str(info.value) and "shh" not in str(info.value)


def test_oauth2_basic_client_auth(tmp_path: Path, monkeypatch) -> None:
    api = FakeApi()
    seen = token_endpoint(api, [{"access_token": "a", "token_type": "bearer", "expires_in": 7200}])
    api.json("GET", r"/resource", {"ok": True})
    with api:
        open_session(oauth2(tmp_path, monkeypatch, api, client_auth="basic")).get(f"{api.url}/resource")
    assert seen[0]["authorization"][0].startswith("Basic ")


def test_oauth1_signs_every_request(monkeypatch) -> None:
    for name in ("CK", "CS", "AT", "AS"):
        monkeypatch.setenv(f"INNBOKS_TEST_{name}", name.lower())
    credentials = OAuth1Credentials(consumer_key="env:INNBOKS_TEST_CK", consumer_secret="env:INNBOKS_TEST_CS",
                                    access_token="env:INNBOKS_TEST_AT", access_token_secret="env:INNBOKS_TEST_AS")
    api = FakeApi().json("GET", r"/2/dm_events", {"data": []})
    with api:
        open_session(credentials).get(f"{api.url}/2/dm_events", params={"max_results": 50})
    header = api.requests[0].headers["authorization"]
    assert header.startswith("OAuth ") and "oauth_signature=" in header and 'oauth_consumer_key="ck"' in header
