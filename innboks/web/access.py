"""``@requires(role)``: the endpoint's user signed in (session cookie or HTTP Basic), their role
checked, and a state change's CSRF token checked, before the endpoint runs.

Modelled on Starlette's own ``requires``, with the inbox's answers: 401 for nobody signed in (pages
send the browser to the sign-in page; the API answers JSON), 403 for a missing role. The endpoint
finds its user as ``request.user``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from innboks.web.context import staff
from innboks.web.errors import HttpError

Endpoint = Callable[[Request], Awaitable[Response]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def requires(role: str = "reader", refusal: str | None = None) -> Callable[[Endpoint], Endpoint]:
    """Only for a signed-in user with ``role`` (reader < operator < admin); ``refusal`` is the 403's message."""

    def decorator(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def checked(request: Request) -> Response:
            context = staff(request)
            user = await context.run(context.auth.user, request)
            if user is None:
                raise HttpError(401, "sign in with your Innboks user")
            request.scope["user"] = user
            request.state.user = user.username
            if not user.may(role):
                raise HttpError(403, refusal or f"this needs the {role} role")
            if request.method not in SAFE_METHODS:
                context.auth.check_csrf(request, await form_token(request))
            return await endpoint(request)

        return checked

    return decorator


async def form_token(request: Request) -> str | None:
    """The CSRF token a posted form carries (``csrf_token``), or None where the body is not a form."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() not in FORM_TYPES:
        return None
    token = (await request.form()).get("csrf_token")
    return token if isinstance(token, str) else ""
