"""The inbox's pages for staff (bokmål), server-rendered with Jinja2; a little plain JavaScript for actions.

``/`` lists the inquiries most urgent first and refreshes its rows by itself; ``/samtale/{key}``
shows a whole conversation. Sign-in is ``/logg-inn`` (local users) and ``/logg-inn/oidc`` (the
identity provider). Pages that need a signed-in user send others to the sign-in page.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from connectors.platforms import WRITERS
from innboks.db.audit import audit
from innboks.inbox import labels, saved_replies
from innboks.inbox.api import inquiry_filter
from innboks.inbox.context import InboxContext
from innboks.inbox.queries import STATES, conversation, crisis, list_inquiries
from innboks.web.auth import Authenticator, TooManyAttempts
from innboks.web.errors import HttpError
from innboks.web.users import User, oidc_user
from schemas import Category, HideReason, Kind, ModerationReason, Platform

log = logging.getLogger(__name__)
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
TEMPLATES.globals.update(labels=labels.ALL, duration=labels.duration)
TEMPLATES.filters["label"] = lambda value, group: labels.ALL[group].get(value, value)
TEMPLATES.filters["local"] = labels.local_time
REFRESH_SECONDS = 20


def safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect after sign-in)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def render(request: Request, inbox: InboxContext, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(
        request=request, csrf_token=inbox.auth.csrf_token(request), names=inbox.names, **context)
    return HTMLResponse(html, status_code=status)


def page_user(auth: Authenticator, request: Request, role: str = "reader", refusal: str | None = None
              ) -> User | Response:
    """The signed-in user of a page, or the way to the sign-in page (and back); 403 without ``role``."""
    user = auth.user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/logg-inn?neste={quote(target)}", status_code=303)
    request.state.user = user.username
    if not user.may(role):
        raise HttpError(403, refusal or f"this needs the {role} role")
    return user


def routes(inbox: InboxContext) -> list[Route]:
    auth = inbox.auth
    config = auth.config

    def signed_in(request: Request, role: str = "reader") -> User | Response:
        return page_user(auth, request, role)

    async def inbox_page(request: Request) -> Response:
        user = signed_in(request)
        if isinstance(user, Response):
            return user
        query = inquiry_filter(request, user)
        rows, total = await inbox.run(list_inquiries, inbox.engine, user, inbox.units, inbox.policies, query)
        template = "_rows.html" if request.query_params.get("fragment") == "rows" else "inbox.html"
        return render(request, inbox, template, user=user, rows=rows, total=total, query=query,
                      params=dict(request.query_params), states=STATES, refresh_seconds=REFRESH_SECONDS,
                      accounts=sorted(inbox.names.items(), key=lambda item: item[1]),
                      categories=[c.value for c in Category], crisis=await inbox.run(crisis, inbox.engine))

    async def conversation_page(request: Request) -> Response:
        user = signed_in(request)
        if isinstance(user, Response):
            return user
        thread = await inbox.run(conversation, inbox.engine, request.path_params["key"], user, inbox.units)
        open_inquiry = next((i for i in reversed(thread["inquiries"])
                             if i["state"] in ("opened", "warning", "breached")), None)
        latest = thread["inquiries"][-1] if thread["inquiries"] else None
        citizen = [m for m in thread["messages"] if not m["from_account"] and m["event"] != "deleted"]
        pending = open_inquiry["message_id"] if open_inquiry else None
        reply_to = next((m for m in citizen if m["id"] == pending), citizen[-1] if citizen else None)
        first = next((m for m in thread["messages"] if open_inquiry and m["id"] == open_inquiry["inquiry_id"]), None)
        category = ((first or reply_to or {}).get("correction") or {}).get("category") \
            or (first or reply_to or {}).get("category")
        writer = WRITERS[Platform(thread["platform"])]
        account = inbox.registry.find(Platform(thread["platform"]), thread["account_id"])
        reply_kind = Kind(reply_to["kind"]) if reply_to else Kind.COMMENT
        reply_limit = writer.reply_limit(reply_kind, account.options if account else None)
        return render(request, inbox, "conversation.html", user=user, thread=thread, open_inquiry=open_inquiry,
                      supports={kind.value for kind in writer.supports},
                      unsupported={kind.value: why for kind, why in writer.unsupported_because.items()},
                      latest_inquiry=latest, categories=[c.value for c in Category],
                      reasons=[m.value for m in ModerationReason], hide_reasons=[r.value for r in HideReason],
                      reply_to=reply_to, reply_limit=reply_limit,
                      reply_unit=writer.length_measure(reply_kind), forward=category == Category.CASE_HANDLING.value,
                      escalated=any(m["escalate"] for m in citizen),
                      crisis=await inbox.run(crisis, inbox.engine))

    async def saved_replies_page(request: Request) -> Response:
        user = signed_in(request)
        if isinstance(user, Response):
            return user
        return render(request, inbox, "saved_replies.html", user=user,
                      replies=await inbox.run(saved_replies.list_replies, inbox.engine),
                      languages=saved_replies.LANGUAGES, variables=saved_replies.VARIABLES)

    async def login_page(request: Request) -> Response:
        return render(request, inbox, "login.html", user=None, next=safe_next(request.query_params.get("neste")),
                      local_users=config.local_users, oidc=config.oidc, error=None)

    async def login(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, str(form.get("csrf_token", "")))
        target = safe_next(str(form.get("neste", "/")))
        username = str(form.get("username", "")).strip()
        user = None
        address = request.client.host if request.client else None
        try:
            if config.local_users and username:
                user = await inbox.run(auth.check_password, username, str(form.get("password", "")), address)
        except TooManyAttempts as slowed:
            await inbox.run(_audit, inbox, username[:128], "sign_in_failed", {"method": "password", "throttled": True})
            page = render(request, inbox, "login.html", status=429, user=None, next=target,
                          local_users=config.local_users, oidc=config.oidc,
                          error=f"For mange mislykkede innlogginger. Prøv igjen om {slowed.minutes} min.")
            page.headers.update(slowed.headers)
            return page
        if user is None:
            await inbox.run(_audit, inbox, username[:128] or "-", "sign_in_failed", {"method": "password"})
            return render(request, inbox, "login.html", status=401, user=None, next=target,
                          local_users=config.local_users, oidc=config.oidc, error="Feil brukernavn eller passord.")
        auth.sign_in(request, user)
        await inbox.run(_audit, inbox, user.username, "sign_in", {"method": "password"})
        return RedirectResponse(target, status_code=303)

    async def logout(request: Request) -> Response:
        form = await request.form()
        auth.check_csrf(request, str(form.get("csrf_token", "")))
        username = request.session.get("user")
        request.session.clear()
        if isinstance(username, str):
            await inbox.run(_audit, inbox, username, "sign_out", {})
        return RedirectResponse("/logg-inn", status_code=303)

    page_routes = [
        Route("/", inbox_page),
        Route("/samtale/{key:path}", conversation_page),
        Route("/svarmaler", saved_replies_page),
        Route("/logg-inn", login_page, methods=["GET"]),
        Route("/logg-inn", login, methods=["POST"]),
        Route("/logg-ut", logout, methods=["POST"]),
    ]
    if config.oidc is not None:
        page_routes += _oidc_routes(inbox)
    return page_routes


def _audit(inbox: InboxContext, actor: str, action: str, details: dict[str, Any]) -> None:
    with inbox.engine.begin() as connection:
        audit(connection, actor, action, None, details)


def _oidc_routes(inbox: InboxContext) -> list[Route]:
    """Sign-in with an OpenID Connect provider (authorization code flow with PKCE, through Authlib)."""
    from authlib.integrations.starlette_client import OAuth, OAuthError

    oidc = inbox.auth.config.oidc
    assert oidc is not None
    oauth = OAuth()
    oauth.register("idp", client_id=oidc.client_id, client_secret=oidc.client_secret,
                   server_metadata_url=oidc.metadata_url,
                   client_kwargs={"scope": oidc.scopes, "code_challenge_method": "S256"})
    client = oauth.create_client("idp")
    callback = inbox.auth.config.base_url.rstrip("/") + "/logg-inn/oidc/svar"

    async def start(request: Request) -> Response:
        request.session["next"] = safe_next(request.query_params.get("neste"))
        response: Response = await client.authorize_redirect(request, callback)
        return response

    async def answer(request: Request) -> Response:
        try:
            token = await client.authorize_access_token(request)
        except OAuthError as exc:
            log.warning("OIDC sign-in refused by the provider or invalid (%s)", exc.error)
            raise HttpError(401, "the identity provider did not sign you in") from None
        claims = token.get("userinfo") or {}
        subject = claims.get("sub")
        role = oidc.role_of(claims)
        if not isinstance(subject, str) or role is None:
            await inbox.run(_audit, inbox, f"oidc:{str(subject)[:100]}", "sign_in_failed",
                            {"method": "oidc", "why": "no Innboks role"})
            raise HttpError(403, "your user has no Innboks role; ask the communication unit")
        username = next((v for v in (claims.get("preferred_username"), claims.get("email"), subject)
                         if isinstance(v, str) and v), subject)[:120]
        user = await inbox.run(oidc_user, inbox.engine, subject, username, claims.get("name"), role,
                               oidc.units_of(claims))
        if user is None:
            raise HttpError(403, "this user is disabled in Innboks")
        target = safe_next(request.session.get("next"))
        inbox.auth.sign_in(request, user)
        await inbox.run(_audit, inbox, user.username, "sign_in", {"method": "oidc", "role": role})
        return RedirectResponse(target, status_code=303)

    return [Route("/logg-inn/oidc", start), Route("/logg-inn/oidc/svar", answer)]
