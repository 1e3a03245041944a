"""A minimal OpenID Connect provider for the sign-in tests: discovery, authorize, token (PKCE), JWKS.

``authorize`` signs in whoever the test says (``provider.next_claims``) without a page, and answers
with the redirect a real provider would send after its own sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.fakeapi import FakeApi, Request, Response

CLIENT_ID = "innboks-test"
CLIENT_SECRET = "client-secret"


class FakeOidcProvider(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.next_claims: dict[str, Any] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self.json("GET", r"/\.well-known/openid-configuration", {
            "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })
        self.json("GET", r"/jwks", KeySet([self.key]).as_dict(private=False))
        self.route("GET", r"/authorize", self._authorize)
        self.route("POST", r"/token", self._token)

    def _authorize(self, request: Request) -> Response:
        query = request.query
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        self._codes[code] = {"nonce": query.get("nonce"), "challenge": query.get("code_challenge"),
                             "redirect_uri": query.get("redirect_uri"), "claims": dict(self.next_claims)}
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": target}, b""

    def _token(self, request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        grant = self._codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        client_ok = (request.headers.get("authorization") == "Basic " + base64.b64encode(
            f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()) or form.get("client_secret") == CLIENT_SECRET
        if grant is None or not client_ok or challenge != grant["challenge"] \
                or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {}, {"error": "invalid_grant"}
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                  **grant["claims"]}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        return 200, {}, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                         "id_token": id_token}
