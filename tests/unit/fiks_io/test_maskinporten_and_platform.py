"""The Maskinporten JWT grant, checked by the stand-in token endpoint (joserfc, not our code), and the
stand-in Fiks IO's refusals: the HTTP side, without a broker."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
import pytest
from starlette.testclient import TestClient

from connectors.fiks_io.maskinporten import MaskinportenClient
from innboks.demo.fiks.certificates import TestCa
from innboks.demo.fiks.platform import FiksPlatform

CA = TestCa()
OURS = CA.issue("Alta kommune", "Alta kommune", "999000001")


@pytest.fixture()
def platform() -> FiksPlatform:
    platform = FiksPlatform(CA.certificate)
    platform.register_client("innboks", "999000001")
    return platform


def grant(platform: FiksPlatform, issued=OURS, client_id: str = "innboks", audience: str | None = None,
          scope: str = "ks:fiks", clock=None) -> str:
    client = MaskinportenClient(platform.token_endpoint, audience or platform.audience, client_id, issued.signer,
                                http=httpx.AsyncClient(), **({"clock": clock} if clock else {}))
    return client.grant(scope)


def test_the_grant_has_the_claims_and_header_maskinporten_wants(platform) -> None:
    assertion = grant(platform)
    header, claims = (json.loads(base64.urlsafe_b64decode(part + "==")) for part in assertion.split(".")[:2])
    assert header["alg"] == "RS256" and len(header["x5c"]) == 1
    assert claims["iss"] == "innboks" and claims["aud"] == platform.audience and claims["scope"] == "ks:fiks"
    assert claims["exp"] - claims["iat"] == 120 and uuid.UUID(claims["jti"])


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: grant(p, issued=TestCa().issue("Alta", "Alta", "999000001")), "trusted issuer"),
    (lambda p: grant(p, issued=CA.issue("Andre", "Andre", "999000009")), "another organisation"),
    (lambda p: grant(p, client_id="ukjent"), "unknown client"),
    (lambda p: grant(p, audience="https://maskinporten.no/"), "wrong audience"),
    (lambda p: grant(p, scope="ks:fiks ks:annet"), "scope"),
    (lambda p: grant(p, clock=lambda: 1_000_000.0), "expired"),
    (lambda p: grant(p)[:-4] + "AAAA", "signature"),
])
def test_the_token_endpoint_refuses_what_maskinporten_refuses(platform, make, reason) -> None:
    client = TestClient(platform.app())
    response = client.post("/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                           "assertion": make(platform)})
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert reason in response.json()["error_description"]


def test_a_valid_grant_gets_a_token_once_and_the_send_api_wants_the_integration_too(platform) -> None:
    client = TestClient(platform.app())
    assertion = grant(platform)
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    answer = client.post("/token", data=form)
    assert answer.status_code == 200 and answer.json()["expires_in"] == 120
    assert client.post("/token", data=form).json()["error_description"] == "jti missing or used before"
    token = answer.json()["access_token"]
    integration = platform.register_integration("999000001")
    headers = {"Authorization": f"Bearer {token}", "IntegrasjonId": str(integration.integration_id)}
    assert client.post("/fiks-io/api/v1/send", headers=headers, files={"metadata": (None, b"{}")}).status_code == 401
    headers["IntegrasjonPassord"] = integration.password
    assert client.get("/fiks-io/katalog/api/v1/lookup", headers=headers,
                      params={"identifikator": "ORG_NO.999000001", "meldingProtokoll": "x",
                              "sikkerhetsniva": "3"}).status_code == 404
    assert client.post("/amqp/user", data={"username": str(integration.integration_id),
                                           "password": f"{integration.password} {token}"}).text == "allow"
    assert client.post("/amqp/user", data={"username": str(integration.integration_id),
                                           "password": f"{integration.password} feil"}).text == "deny"


def test_the_command_line_names_what_is_missing(capsys, monkeypatch) -> None:
    from innboks.cli import main

    for name in [n for n in __import__("os").environ if n.startswith("INNBOKS_FIKS_")]:
        monkeypatch.delenv(name)
    from innboks.config.settings import get_settings

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
    monkeypatch.setenv("INNBOKS_FIKS_METRICS_PORT", "0")
    get_settings.cache_clear()
    assert main(["archive"]) == 1
    assert "give --fiks" in capsys.readouterr().err
    assert main(["archive", "--fiks", "--once"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("innboks archive: error: --fiks needs INNBOKS_FIKS_ACCOUNT_ID") and "\n" not in error
    monkeypatch.setenv("INNBOKS_FIKS_ARCHIVE_ORGNR", "12")
    assert main(["archive", "--fiks"]) == 1
    assert "INNBOKS_FIKS_ARCHIVE_ORGNR" in capsys.readouterr().err
    get_settings.cache_clear()
