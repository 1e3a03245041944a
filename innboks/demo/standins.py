"""Stand-ins for the platforms' authorization servers and account listings (Facebook and Instagram are
in ``graph_api.GraphSimulator``, with the Graph API they belong to).

Each serves the real paths under one loopback host (``INNBOKS_PLATFORM_BASE_URLS`` or ``--base-url``
swaps scheme and host and keeps the paths), with the real parameters, status codes and JSON:

- ``LinkedInStandIn``: ``/oauth/v2/authorization``, ``/oauth/v2/accessToken`` (60-day access tokens,
  365-day refresh tokens counted from the first grant), ``/oauth/v2/revoke``, ``/rest/organizationAcls``
  (``q=roleAssignee``: the pages the person administers; ``q=organization``: a page's administrators),
  ``/rest/organizations/{id}``;
- ``GoogleStandIn`` (YouTube): ``/o/oauth2/v2/auth`` (a refresh token only with ``access_type=offline``),
  ``/token`` (one-hour access tokens), ``/revoke``, ``/youtube/v3/channels?mine=true``;
- ``XStandIn``: ``/i/oauth2/authorize`` (PKCE required), ``/2/oauth2/token`` (HTTP Basic client
  authentication, two-hour access tokens, a refresh token only with ``offline.access``, rotated at every
  refresh), ``/2/oauth2/revoke``, ``/2/users/me``;
- ``MastodonStandIn`` (an instance): ``/.well-known/oauth-authorization-server`` (RFC 8414, S256),
  ``/api/v1/apps``, ``/oauth/authorize``, ``/oauth/token`` (tokens without an end), ``/oauth/revoke``,
  ``/api/v1/accounts/verify_credentials``;
- ``BlueskyStandIn`` (entryway and PDS): ``com.atproto.server.createSession`` with app passwords,
  ``refreshSession``, ``app.bsky.actor.getProfile``, XRPC errors as ``{"error", "message"}``.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from innboks.demo.authorization import AuthorizationServer, Spec, Token, form_params

Answer = tuple[int, dict[str, str], Any]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    groups: dict[str, str] = field(default_factory=dict)

    @property
    def form(self) -> dict[str, str]:
        return form_params(self.body, "")

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else self.query.get("access_token")


class StandIn:
    """A loopback HTTP server with a route table and one platform's authorization server."""

    name = "stand-in"

    def __init__(self, spec: Spec, host: str = "127.0.0.1", port: int = 0) -> None:
        self.auth = AuthorizationServer(spec)
        self.routes: list[tuple[str, re.Pattern[str], Callable[[Request], Answer]]] = []
        self.requests: list[Request] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(method, url.path, {k: v[-1] for k, v in parse_qs(url.query).items()},
                                  {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length) if length else b"")
                outer.requests.append(request)
                status, headers, body = outer.dispatch(request)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                if not any(k.lower() == "content-type" for k in headers):
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_DELETE(self) -> None:  # noqa: N802
                self._serve("DELETE")

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{self.name}-stand-in", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, method: str, pattern: str, handler: Callable[[Request], Answer]) -> None:
        self.routes.append((method, re.compile(pattern + r"\Z"), handler))

    def oauth_routes(self, authorize: str, token: str, revoke: str | None) -> None:
        self.route("GET", authorize, lambda r: self.auth.authorize(r.query, r.path))
        self.route("POST", authorize, lambda r: self.auth.decide(r.form))
        for method in self.auth.spec.token_methods:
            self.route(method, token, self._token)
        if revoke:
            self.route("POST", revoke, lambda r: self._json(*self.auth.revoke(r.headers, {**r.query, **r.form})))

    def _token(self, request: Request) -> Answer:
        params = dict(request.query) if request.method == "GET" else {**request.query, **request.form}
        return self._json(*self.auth.token(request.method, request.headers, params))

    @staticmethod
    def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        return status, {"Cache-Control": "no-store", "Pragma": "no-cache"}, body

    def dispatch(self, request: Request) -> Answer:
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.groups = match.groupdict()
                return handler(request)
        return 404, {}, {"error": f"no route for {request.method} {request.path}"}

    def token_of(self, request: Request) -> Token | None:
        return self.auth.valid(request.bearer)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


UNAUTHORIZED_LINKEDIN: Answer = (401, {}, {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN",
                                   "message": "Invalid access token"})


class LinkedInStandIn(StandIn):
    name = "linkedin"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Spec("LinkedIn", access_seconds=60 * 86400, refresh_seconds=365 * 86400,
                              refresh_from_grant=True, client_auth="body"), **kwargs)
        self.person = "urn:li:person:innboks1"
        #: organization id → profile and the person URNs administering it.
        self.organizations: dict[str, dict[str, Any]] = {
            "10453127": {"localizedName": "Alta kommune", "localizedWebsite": "https://www.alta.kommune.no",
                         "localizedDescription": "Alta kommunes offisielle side.",
                         "admins": [self.person, "urn:li:person:komm1"]}}
        self.oauth_routes(r"/oauth/v2/authorization", r"/oauth/v2/accessToken", r"/oauth/v2/revoke")
        self.route("GET", r"/rest/organizationAcls", self._acls)
        self.route("GET", r"/rest/organizations/(?P<id>\d+)", self._organization)

    def _acls(self, request: Request) -> Answer:
        if self.token_of(request) is None:
            return UNAUTHORIZED_LINKEDIN
        if request.headers.get("x-restli-protocol-version") != "2.0.0" or not request.headers.get("linkedin-version"):
            return 400, {}, {"status": 400, "message": "LinkedIn-Version and X-Restli-Protocol-Version required"}
        if request.query.get("q") == "roleAssignee":
            elements = [{"organization": f"urn:li:organization:{org}", "role": "ADMINISTRATOR", "state": "APPROVED",
                         "roleAssignee": self.person} for org, data in self.organizations.items()
                        if self.person in data["admins"]]
        elif request.query.get("q") == "organization":
            org = request.query.get("organization", "").rsplit(":", 1)[-1]
            elements = [{"organization": f"urn:li:organization:{org}", "role": "ADMINISTRATOR", "state": "APPROVED",
                         "roleAssignee": person} for person in self.organizations.get(org, {}).get("admins", [])]
        else:
            return 400, {}, {"status": 400, "message": "unknown finder"}
        return 200, {}, {"elements": elements, "paging": {"count": 100, "start": 0, "total": len(elements)}}

    def _organization(self, request: Request) -> Answer:
        if self.token_of(request) is None:
            return UNAUTHORIZED_LINKEDIN
        org = self.organizations.get(request.groups["id"])
        if org is None:
            return 404, {}, {"status": 404, "message": "Not Found"}
        return 200, {}, {"id": int(request.groups["id"]), **{k: v for k, v in org.items() if k != "admins"}}


class GoogleStandIn(StandIn):
    name = "youtube"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Spec("Google", access_seconds=3599, refresh_param=("access_type", "offline")), **kwargs)
        self.channels: list[dict[str, Any]] = [{"id": "UCaltakommune00000000000", "snippet": {
            "title": "Alta kommune", "customUrl": "@altakommune",
            "description": "Alta kommunes offisielle kanal. Mer på https://www.alta.kommune.no"}}]
        self.oauth_routes(r"/o/oauth2/v2/auth", r"/token", r"/revoke")
        self.route("GET", r"/youtube/v3/channels", self._channels)

    def _channels(self, request: Request) -> Answer:
        if self.token_of(request) is None:
            return 401, {}, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                       "errors": [{"reason": "authError", "domain": "global"}]}}
        if request.query.get("mine") != "true":
            return 400, {}, {"error": {"code": 400, "message": "No filter selected."}}
        return 200, {}, {"kind": "youtube#channelListResponse", "items": [
            {"kind": "youtube#channel", **channel} for channel in self.channels]}


class XStandIn(StandIn):
    name = "x"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Spec("X", access_seconds=7200, rotates=True, pkce_required=True, client_auth="basic",
                              refresh_scope="offline.access"), **kwargs)
        self.user = {"id": "2954310217", "name": "Alta kommune", "username": "altakommune",
                     "description": "Offisiell konto for Alta kommune.", "url": "https://t.co/abc123",
                     "entities": {"url": {"urls": [{"url": "https://t.co/abc123",
                                                    "expanded_url": "https://www.alta.kommune.no"}]}}}
        self.oauth_routes(r"/i/oauth2/authorize", r"/2/oauth2/token", r"/2/oauth2/revoke")
        self.route("GET", r"/2/users/me", self._me)

    def _me(self, request: Request) -> Answer:
        if self.token_of(request) is None:
            return 401, {}, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
        fields = set(request.query.get("user.fields", "").split(","))
        data = {k: v for k, v in self.user.items() if k in ("id", "name", "username") or k in fields}
        return 200, {}, {"data": data}


class MastodonStandIn(StandIn):
    name = "mastodon"

    def __init__(self, pkce: bool = True, **kwargs: Any) -> None:
        super().__init__(Spec("Mastodon", access_seconds=None, refresh=False, client_auth="body"), **kwargs)
        self.pkce = pkce
        self.account = {"id": "109384512345678901", "username": "altakommune", "acct": "altakommune",
                        "display_name": "Alta kommune", "url": "https://snabelen.no/@altakommune",
                        "note": "<p>Offisiell konto for Alta kommune.</p>",
                        "fields": [{"name": "Nettside", "value": '<a href="https://www.alta.kommune.no" '
                                    'rel="me">alta.kommune.no</a>', "verified_at": "2026-01-05T10:00:00.000Z"}]}
        self.route("GET", r"/\.well-known/oauth-authorization-server", self._metadata)
        self.route("POST", r"/api/v1/apps", self._register)
        self.oauth_routes(r"/oauth/authorize", r"/oauth/token", r"/oauth/revoke")
        self.route("GET", r"/api/v1/accounts/verify_credentials", self._verify)

    def _metadata(self, request: Request) -> Answer:
        base = self.base_url
        return 200, {}, {
            "issuer": f"{base}/", "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token", "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps", "scopes_supported": [
                "read", "write", "read:accounts", "read:notifications", "read:statuses", "write:statuses"],
            "response_types_supported": ["code"], "grant_types_supported": ["authorization_code",
                                                                            "client_credentials"],
            "code_challenge_methods_supported": ["S256"] if self.pkce else [],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}

    def _register(self, request: Request) -> Answer:
        form = request.form or (request.json() or {})
        uris = form.get("redirect_uris")
        if not form.get("client_name") or not uris:
            return 422, {}, {"error": "Validation failed: Name can't be blank, Redirect URI can't be blank"}
        client_id, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        redirect_uris = set(uris.split() if isinstance(uris, str) else uris)
        self.auth.register_client(client_id, secret, redirect_uris)
        return 200, {}, {"id": str(len(self.auth.clients)), "name": form["client_name"],
                         "website": form.get("website"), "scopes": str(form.get("scopes", "read")).split(),
                         "redirect_uris": sorted(redirect_uris), "redirect_uri": " ".join(sorted(redirect_uris)),
                         "client_id": client_id, "client_secret": secret, "client_secret_expires_at": 0}

    def _verify(self, request: Request) -> Answer:
        if self.token_of(request) is None:
            return 401, {}, {"error": "The access token is invalid"}
        return 200, {}, self.account


class BlueskyStandIn(StandIn):
    name = "bluesky"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Spec("Bluesky", access_seconds=7200, refresh_seconds=90 * 86400), **kwargs)
        self.did = "did:plc:altakommune0000000000000"
        self.handle = "altakommune.bsky.social"
        self.app_passwords: set[str] = {"abcd-efgh-ijkl-mnop"}
        self.profile = {"did": self.did, "handle": self.handle, "displayName": "Alta kommune",
                        "description": "Offisiell konto for Alta kommune. alta.kommune.no"}
        self.route("POST", r"/xrpc/com\.atproto\.server\.createSession", self._create)
        self.route("POST", r"/xrpc/com\.atproto\.server\.refreshSession", self._refresh)
        self.route("GET", r"/xrpc/app\.bsky\.actor\.getProfile", self._profile)

    def _session(self, refresh: str | None = None) -> dict[str, Any]:
        access = self.auth.issue(self.did, "bluesky", "access", seconds=7200)
        refresh = refresh or self.auth.issue(self.did, "bluesky", "refresh", seconds=90 * 86400)
        return {"did": self.did, "handle": self.handle, "accessJwt": access, "refreshJwt": refresh, "active": True,
                "didDoc": {"id": self.did, "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                                                        "serviceEndpoint": self.base_url}]}}

    def _create(self, request: Request) -> Answer:
        body = request.json() or {}
        if body.get("identifier") not in (self.handle, self.did) or body.get("password") not in self.app_passwords:
            return 401, {}, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        return 200, {}, self._session()

    def _refresh(self, request: Request) -> Answer:
        token = self.auth.valid(request.bearer)
        if token is None or token.kind != "refresh":
            return 400, {}, {"error": "ExpiredToken", "message": "Token has expired"}
        token.revoked = True
        return 200, {}, self._session()

    def _profile(self, request: Request) -> Answer:
        if self.token_of(request) is None:
            return 401, {}, {"error": "AuthenticationRequired", "message": "Authentication Required"}
        if request.query.get("actor") not in (self.did, self.handle):
            return 400, {}, {"error": "InvalidRequest", "message": "Profile not found"}
        return 200, {}, self.profile
