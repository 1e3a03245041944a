"""``@requires(role)``: the endpoint's user signed in (session cookie or HTTP Basic) and their role
checked before the endpoint runs.

Modelled on Starlette's own ``requires``, with the inbox's answers: 401 for nobody signed in (pages
send the browser to the sign-in page; the API answers JSON), 403 for a missing role. The endpoint
finds its user as ``request.user``. Where a state change may come from (same origin, a JSON body,
the CSRF token) was checked before routing, for every route alike (``innboks/web/csrf.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from innboks.web.context import staff
from innboks.web.errors import HttpError

Endpoint = Callable[[Request], Awaitable[Response]]


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
            return await endpoint(request)

        checked.required_role = role  # type: ignore[attr-defined]
        return checked

    return decorator
