"""Rendering staff pages (bokmål, Jinja2) and answering errors, for every package that serves pages.

Each package keeps its own templates beside its code and makes its environment with ``templates``,
which also finds the shared ones here (``base.html``, ``login.html``, ``error.html``). ``render``
gives every page what the base template needs: the CSRF token, the account names, the signed-in
user, whether crisis mode is on (the banner is on every page), and the accounts staff should hear
about (a refused token pauses an account: everyone who sees it is told; a token within 14, 7 or 1
days of its end: administrators are).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from innboks.db.account_overview import notices
from innboks.db.control import crisis
from innboks.domain.bidi import shown
from innboks.web import labels, words
from innboks.web.context import staff
from innboks.web.errors import HttpError

SHARED_TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


def user_text(value: Any) -> Markup:
    """User text (a citizen's message or name, a staff member's name or note) as a bidirectional island."""
    return Markup(f"<bdi>{escape(shown(str(value)))}</bdi>")


def _finalize(value: Any) -> Any:
    """Every value a template writes, also into attributes and form fields: direction overrides shown."""
    return shown(value) if isinstance(value, str) else value


def templates(directory: Path | None = None) -> Environment:
    """A template environment for one package's pages (its ``directory`` first, then the shared ones).

    Templates write user text as ``{{ text|bdi }}`` (``<bdi>``: innboks/domain/bidi.py)."""
    loaders = [FileSystemLoader(d) for d in (directory, SHARED_TEMPLATES) if d is not None]
    environment = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(["html"]),
                              trim_blocks=True, lstrip_blocks=True, finalize=_finalize)
    environment.filters["bdi"] = user_text
    environment.globals.update(labels=labels.ALL, duration=labels.duration, plural=words.plural,
                               rule_label=words.rule, policy_label=words.policy)
    environment.filters["label"] = lambda value, group: labels.ALL[group].get(value, value)
    environment.filters["local"] = labels.local_time
    environment.filters["rule_label"] = words.rule
    return environment


SHARED = templates()


def safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect after sign-in)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


async def render(request: Request, environment: Environment, template: str, status: int = 200,
                 **context: Any) -> HTMLResponse:
    """A page: ``context`` plus what every page shows (user, CSRF token, account names, crisis mode)."""
    app = staff(request)
    context.setdefault("user", request.scope.get("user"))
    if "crisis" not in context:
        context["crisis"] = await app.run(crisis, app.engine)
    user = context["user"]
    if "account_notices" not in context and user is not None and not template.startswith("_"):
        # Refused tokens for everyone who sees the account; tokens near their end for administrators.
        rows = await app.run(notices, app.engine, app.registry)
        context["account_notices"] = [row for row in rows if user.sees(row.account_id, app.units)
                                      and (row.status == "token_invalid" or user.may("admin"))]
    html = environment.get_template(template).render(
        request=request, csrf_token=app.auth.csrf_token(request), names=app.names, **context)
    return HTMLResponse(html, status_code=status)


#: The API's 401 to a script: HTTP Basic, for clients that send credentials only when asked (wget, urllib).
BASIC_CHALLENGE = 'Basic realm="Innboks", charset="UTF-8"'
#: … and to a browser: sign in with the form and its session cookie (draft-broyer-http-cookie-auth).
#: A browser shows no password dialog for it, so it never learns Basic credentials to send by itself.
COOKIE_CHALLENGE = 'Cookie realm="Innboks", form-action="/logg-inn", cookie-name="innboks_session"'


def from_browser(request: Request) -> bool:
    """Whether a browser sent the request: the Fetch metadata or ``Origin`` headers that every current
    browser sends and scripts do not, a page's ``Accept``, or a browser's ``User-Agent`` (all start
    with ``Mozilla/``). A page cannot change any of them on a request it makes a browser send."""
    headers = request.headers
    return (any(name in headers for name in ("sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "origin"))
            or "text/html" in headers.get("accept", "")
            or headers.get("user-agent", "").startswith("Mozilla/"))


async def error_response(request: Request, exc: Exception) -> Response:
    """The answer to an ``HttpError``: JSON under ``/api/``, the sign-in page for 401, else an error page."""
    assert isinstance(exc, HttpError)
    if request.url.path.startswith("/api/"):
        headers = dict(exc.headers)
        if exc.status == 401:
            headers["WWW-Authenticate"] = COOKIE_CHALLENGE if from_browser(request) else BASIC_CHALLENGE
        return JSONResponse({**exc.body, "error": exc.message}, status_code=exc.status, headers=headers)
    if exc.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        back = request.method == "GET" and not request.url.path.startswith("/logg-inn")
        where = f"/logg-inn?neste={quote(target)}" if back else "/logg-inn"
        return RedirectResponse(where, status_code=303)
    page = await render(request, SHARED, "error.html", status=exc.status, user=None, status_code=exc.status,
                        message=exc.message)
    page.headers.update(exc.headers)
    return page


async def not_found(request: Request, exc: Exception) -> Response:
    return await error_response(request, HttpError(404, "not found"))
