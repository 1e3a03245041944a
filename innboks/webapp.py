"""The staff web application: the inbox's, the records' and the accounts' pages and API behind one sign-in.

It stands above the runtimes it assembles (``innboks.inbox``, ``innboks.records``, ``innboks.accounts``)
and below the commands that serve it (``innboks inbox``, the demo).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from innboks.accounts import pages as accounts
from innboks.config.accounts import Registry
from innboks.config.settings import Settings, get_settings
from innboks.db.facts import FactsSource
from innboks.db.sealed import Keyring
from innboks.domain.reply_variables import ReplyVariables
from innboks.inbox import api, crisis_page, events, facts_page, pages, workplace_api
from innboks.records import page as records
from innboks.web import signin, statement
from innboks.web.auth import AuthConfig, Authenticator
from innboks.web.context import NoPublisher, Publisher, StaffContext
from innboks.web.csrf import StateChangeGuard
from innboks.web.errors import HttpError
from innboks.web.middleware import AccessLogAndHeaders
from innboks.web.pages import STATIC, error_response, not_found


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(engine: Engine, registry: Registry, auth: AuthConfig, publisher: Publisher | None = None,
               reply_variables: ReplyVariables | None = None, facts: FactsSource | None = None,
               settings: Settings | None = None, keyring: Keyring | None = None) -> Starlette:
    """The app; ``keyring`` (from INNBOKS_SECRET_KEY) lets Kontoer connect accounts, ``settings`` names the
    platforms' apps they are connected through."""
    context = StaffContext(engine, registry, Authenticator(engine, auth), publisher or NoPublisher(),
                           settings=settings or get_settings(), keyring=keyring)
    if reply_variables is not None:
        context.reply_variables = reply_variables
    if facts is not None:
        context.facts = facts
    app = Starlette(
        routes=[Route("/healthz", healthz), *signin.routes(auth), *workplace_api.routes, *events.routes, *api.routes,
                *pages.routes, *facts_page.routes, *crisis_page.routes, *statement.routes, *records.routes,
                *accounts.routes,
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[
            Middleware(AccessLogAndHeaders),
            Middleware(SessionMiddleware, secret_key=auth.secret_key, session_cookie="innboks_session",
                       max_age=int(auth.session_hours * 3600), same_site="lax", https_only=auth.secure_cookies),
            Middleware(StateChangeGuard, own_origins=[auth.base_url]),
        ],
        exception_handlers={HttpError: error_response, 404: not_found},
    )
    app.state.staff = context
    app.state.oidc = signin.oidc_client(auth)
    return app
