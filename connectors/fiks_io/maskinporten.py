"""Maskinporten access tokens by JWT grant (RFC 7523), as ``ks-no/fiks-maskinporten-client-dotnet`` gets them.

The grant is a JWT signed RS256 with the virksomhetssertifikat's key, its header carrying the
certificate as ``x5c``; claims ``iss`` (the Maskinporten client id), ``aud`` (the Maskinporten
issuer, e.g. ``https://maskinporten.no/``), ``iat``, ``exp`` (two minutes later), ``scope`` and a
fresh ``jti`` (``JwtRequestTokenGenerator``). It is posted form-encoded with
``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and ``assertion`` to the token endpoint,
which answers ``access_token`` and ``expires_in``; tokens are reused until ten seconds before they
expire (``MaskinportenClient``, ``NumberOfSecondsLeftBeforeExpire``). The JWT is built here on
``cryptography`` (RS256 is PKCS #1 v1.5 with SHA-256), so the package needs no JWT library.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

from connectors.fiks_io.cms import Signer

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PROD_TOKEN_ENDPOINT = "https://maskinporten.no/token"
PROD_AUDIENCE = "https://maskinporten.no/"
TEST_TOKEN_ENDPOINT = "https://test.maskinporten.no/token"
TEST_AUDIENCE = "https://test.maskinporten.no/"
GRANT_LIFETIME_SECONDS = 120
RENEW_BEFORE_SECONDS = 10


class MaskinportenError(RuntimeError):
    """The token endpoint refused the grant or could not be reached (never holds the token or the grant)."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class MaskinportenClient:
    def __init__(self, token_endpoint: str, audience: str, client_id: str, signer: Signer, *,
                 http: httpx.AsyncClient, key_id: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self.token_endpoint = token_endpoint
        self.audience = audience
        self.client_id = client_id
        self.signer = signer
        self.key_id = key_id
        self._http = http
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = asyncio.Lock()

    def grant(self, scope: str) -> str:
        """The signed JWT grant for ``scope`` (a space-separated list)."""
        now = int(self._clock())
        header: dict[str, object] = {"alg": "RS256", "typ": "JWT", "x5c": [
            base64.b64encode(self.signer.certificate.public_bytes(serialization.Encoding.DER)).decode()]}
        if self.key_id:
            header["kid"] = self.key_id
        claims = {"iss": self.client_id, "aud": self.audience, "iat": now, "exp": now + GRANT_LIFETIME_SECONDS,
                  "scope": scope, "jti": str(uuid.uuid4())}
        signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
        signature = self.signer.key.sign(signing_input.encode(), PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    async def token(self, scope: str) -> str:
        """An access token for ``scope``, from the cache while it has more than ten seconds left."""
        async with self._lock:
            cached = self._tokens.get(scope)
            if cached and cached[1] > self._clock():
                return cached[0]
            try:
                response = await self._http.post(
                    self.token_endpoint, data={"grant_type": GRANT_TYPE, "assertion": self.grant(scope)},
                    headers={"Cache-Control": "no-cache"})
            except httpx.HTTPError as exc:
                raise MaskinportenError(
                    f"token endpoint {self.token_endpoint} not reached ({type(exc).__name__})") from None
            if response.status_code != 200:
                raise MaskinportenError(f"token endpoint answered {response.status_code}: {_error_of(response)}")
            body = response.json()
            token, expires_in = body.get("access_token"), body.get("expires_in")
            if not isinstance(token, str) or not isinstance(expires_in, int | float):
                raise MaskinportenError("token endpoint answered without access_token or expires_in")
            self._tokens[scope] = (token, self._clock() + float(expires_in) - RENEW_BEFORE_SECONDS)
            return token

    def forget(self, scope: str) -> None:
        """Drop a cached token (after the API refused it)."""
        self._tokens.pop(scope, None)


def _error_of(response: httpx.Response) -> str:
    """The OAuth error code and description (RFC 6749 5.2), never the request."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return f"{body.get('error', '?')}: {str(body.get('error_description', ''))[:200]}"
    return str(body)[:200]
