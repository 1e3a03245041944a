"""Every state change to the staff web is checked here, before routing, whatever its route and credential.

A request that is not GET, HEAD or OPTIONS is refused

1. **from another site's page** (403): ``Sec-Fetch-Site`` says ``cross-site`` or ``same-site``, or,
   without Fetch metadata (plain http to a host other than localhost, older browsers), ``Origin``
   names another origin than the inbox's own (``INNBOKS_INBOX_URL``, or the address the request
   came to). Browsers send these headers on every such request and a page cannot forge them;
   scripts send neither. This holds for cookies, cached HTTP Basic credentials and anything a
   browser might attach by itself. ``Origin: null`` (a sandboxed frame, a page that sends no
   referrer) tells nothing: such a request is let through only with the session's CSRF token (3.);
2. **under /api/ without a JSON body** (415): the body is ``application/json``, or there is none
   (no ``Content-Type``, no bytes). An HTML form can send neither (forms always name a type), and a
   page's ``fetch`` could only by a CORS preflight, which the inbox never grants;
3. **without the session's CSRF token** (403), the ``X-CSRF-Token`` header or a form's ``csrf_token``
   field: every form (anything outside /api/, signing in included), and every API call made with a
   signed-in session cookie. An API call without a session (HTTP Basic from a script, or nobody
   signed in, which the endpoint then answers 401) needs none.

It is ASGI middleware inside ``SessionMiddleware``, so a route added later is covered without
doing anything; the route matrix test (tests/unit/test_route_matrix.py) checks that.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from innboks.web.errors import HttpError
from innboks.web.pages import error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: A form posted to the staff web is small; a larger body is refused before it is parsed.
MAX_FORM_BYTES = 1024 * 1024
CROSS_SITE = "another site's page cannot change anything in Innboks (cross-site request refused)"
NOT_JSON = "send JSON (Content-Type: application/json): every change through the API has a JSON body or none"
NO_TOKEN = "the form has expired or did not come from Innboks (CSRF token missing)"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports left out."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


class StateChangeGuard:
    """Pure ASGI middleware: refuses cross-site changes, non-JSON API changes, and changes without the CSRF token."""

    def __init__(self, app: ASGIApp, own_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.own_origins = frozenset(origin_of(o) for o in own_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            receive = await self.check(request, receive)
        except HttpError as refusal:
            response = await error_response(request, refusal)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def site(self, request: Request) -> str:
        """``own``, ``other`` or ``unknown`` (``Origin: null`` without Fetch metadata), for a browser's
        request; ``own`` for a script's (which sends neither header)."""
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site is not None:
            return "own" if fetch_site.strip().lower() in ("same-origin", "none") else "other"
        origin = request.headers.get("origin")
        if origin is None:
            return "own"
        if origin.strip().lower() == "null":
            return "unknown"
        own = self.own_origins | {origin_of(str(request.url))}
        return "own" if origin_of(origin.strip()) in own else "other"

    async def check(self, request: Request, receive: Receive) -> Receive:
        """Raises ``HttpError`` for a refused change; the ``receive`` to go on with (a form's body replayed)."""
        site = self.site(request)
        if site == "other":
            raise HttpError(403, CROSS_SITE)
        api = request.url.path.startswith("/api/")
        kind = media_type(request.headers)
        if api and kind != "application/json" and (kind or request.headers.get("content-length", "0") != "0"
                                                   or "transfer-encoding" in request.headers):
            raise HttpError(415, NOT_JSON)
        session = request.scope.get("session") or {}
        if api and "sid" not in session:
            if site == "unknown":
                raise HttpError(403, CROSS_SITE)  # no session token to vouch for where it came from
            return receive  # a script's HTTP Basic call, or nobody signed in (the endpoint answers 401)
        given = request.headers.get(CSRF_HEADER)
        if given is None and kind in FORM_TYPES:
            body = await _read(request)
            receive = _replay(body, receive)
            form = await Request(request.scope, _replay(body)).form()
            field = form.get(CSRF_FIELD)
            given = field if isinstance(field, str) else None
        expected = session.get("csrf")
        if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), (given or "").encode()):
            raise HttpError(403, NO_TOKEN)
        return receive


async def _read(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise HttpError(413, f"the form is larger than {MAX_FORM_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes, then: Receive | None = None) -> Receive:
    """A ``receive`` that gives ``body`` once, as the endpoint would have read it, then waits on ``then``."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then() if then is not None else {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
