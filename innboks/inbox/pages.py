"""The inbox's pages for staff (bokmål), server-rendered with Jinja2; a little plain JavaScript for actions.

``/`` lists the inquiries most urgent first (escalated ones before all others) and updates its rows
from ``/api/events``; ``/samtale/{key}``
shows a whole conversation; ``/svarmaler`` the saved replies. Sign-in is ``innboks.web.signin``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from innboks.inbox import saved_replies
from innboks.inbox.api import inquiry_filter
from innboks.inbox.queries import STATES, conversation_view, list_inquiries, pending_approvals
from innboks.web.access import requires
from innboks.web.context import staff
from innboks.web.pages import render, templates
from schemas import Category

TEMPLATES = templates(Path(__file__).with_name("templates"))


@requires()
async def inbox_page(request: Request) -> Response:
    app = staff(request)
    query = inquiry_filter(request, request.user)
    rows, total = await app.run(list_inquiries, app.engine, request.user, app.units, app.policies, query)
    # Jinja looks a field up as an attribute before a key: rows as namespaces spare it an exception per field.
    listed = [SimpleNamespace(**row) for row in rows]
    fragment = request.query_params.get("fragment")
    template = {"rows": "_rows.html", "approvals": "_approvals.html"}.get(fragment or "", "inbox.html")
    approvals = await app.run(pending_approvals, app.engine, request.user, app.units)
    return await render(request, TEMPLATES, template, rows=listed, total=total, query=query,
                        params=dict(request.query_params), states=STATES, approvals=approvals,
                        accounts=sorted(app.names.items(), key=lambda item: item[1]),
                        categories=[c.value for c in Category])


@requires()
async def conversation_page(request: Request) -> Response:
    app = staff(request)
    view = await app.run(conversation_view, app.engine, request.path_params["key"], request.user, app.units,
                         app.registry)
    template = "_thread.html" if request.query_params.get("fragment") == "thread" else "conversation.html"
    return await render(request, TEMPLATES, template, **view)


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
