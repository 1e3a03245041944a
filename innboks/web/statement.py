"""``/tilgjengelighet``: the accessibility statement (tilgjengelighetserklæring) template for Innboks.

Public sector web solutions in Norway, intranets included, must meet WCAG 2.1 (the 47 success criteria
of the regulation on universal design of ICT) and publish a statement made in the Norwegian
Digitalisation Agency's solution uustatus.no: its status, the breaches and what they mean for users,
how to give feedback, and how to complain. This page is the basis for that statement, with what the
project tests itself; readable without signing in.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from innboks.config.settings import get_settings
from innboks.web.context import staff
from innboks.web.pages import SHARED, render


async def statement(request: Request) -> Response:
    app = staff(request)
    settings = get_settings()
    return await render(request, SHARED, "statement.html", municipality=settings.municipality,
                        contact=app.reply_variables.case_email, user=None)


routes = [Route("/tilgjengelighet", statement)]
