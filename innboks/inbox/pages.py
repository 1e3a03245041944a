"""The inbox's pages for staff (bokmål), server-rendered with Jinja2; a little plain JavaScript for actions.

``/`` lists the inquiries most urgent first and refreshes its rows by itself; ``/samtale/{key}``
shows a whole conversation; ``/svarmaler`` the saved replies. Sign-in is ``innboks.web.signin``.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from innboks.inbox import saved_replies
from innboks.inbox.api import inquiry_filter
from innboks.inbox.queries import STATES, conversation_view, list_inquiries
from innboks.web.access import requires
from innboks.web.context import staff
from innboks.web.pages import render, templates
from schemas import Category

TEMPLATES = templates(Path(__file__).with_name("templates"))
REFRESH_SECONDS = 20


@requires()
async def inbox_page(request: Request) -> Response:
    app = staff(request)
    query = inquiry_filter(request, request.user)
    rows, total = await app.run(list_inquiries, app.engine, request.user, app.units, app.policies, query)
    template = "_rows.html" if request.query_params.get("fragment") == "rows" else "inbox.html"
    return await render(request, TEMPLATES, template, rows=rows, total=total, query=query,
                        params=dict(request.query_params), states=STATES, refresh_seconds=REFRESH_SECONDS,
                        accounts=sorted(app.names.items(), key=lambda item: item[1]),
                        categories=[c.value for c in Category])


@requires()
async def conversation_page(request: Request) -> Response:
    app = staff(request)
    view = await app.run(conversation_view, app.engine, request.path_params["key"], request.user, app.units,
                         app.registry)
    return await render(request, TEMPLATES, "conversation.html", **view)


@requires()
async def saved_replies_page(request: Request) -> Response:
    app = staff(request)
    return await render(request, TEMPLATES, "saved_replies.html",
                        replies=await app.run(saved_replies.list_replies, app.engine),
                        languages=saved_replies.LANGUAGES, variables=saved_replies.VARIABLES)


routes = [
    Route("/", inbox_page),
    Route("/samtale/{key:path}", conversation_page),
    Route("/svarmaler", saved_replies_page),
]
