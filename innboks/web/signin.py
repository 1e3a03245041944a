"""Signing in and out: ``/logg-inn`` (local users' passwords), ``/logg-inn/oidc`` (the identity
provider, authorization code flow with PKCE through Authlib) and ``/logg-ut``. Every sign-in, failed
sign-in and sign-out is in the audit log."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from innboks.db.audit import audit
from innboks.web.auth import AuthConfig, TooManyAttempts
from innboks.web.context import StaffContext, staff
from innboks.web.errors import HttpError
from innboks.web.pages import SHARED, render, safe_next
from innboks.web.users import oidc_user

log = logging.getLogger(__name__)


async def login_page(request: Request) -> Response:
    config = staff(request).auth.config
    return await render(request, SHARED, "login.html", user=None, crisis=None,
                        next=safe_next(request.query_params.get("neste")), local_users=config.local_users,
                        oidc=config.oidc, error=None)


async def login(request: Request) -> Response:
    app = staff(request)
    config = app.auth.config
    form = await request.form()
    target = safe_next(str(form.get("neste", "/")))
    username = str(form.get("username", "")).strip()
    user = None
    address = request.client.host if request.client else None

    async def again(status: int, error: str) -> Response:
        return await render(request, SHARED, "login.html", status=status, user=None, crisis=None, next=target,
                            local_users=config.local_users, oidc=config.oidc, error=error)

    try:
        if config.local_users and username:
            user = await app.run(app.auth.check_password, username, str(form.get("password", "")), address)
    except TooManyAttempts as slowed:
        await app.run(_audit, app, username[:128], "sign_in_failed", {"method": "password", "throttled": True})
        page = await again(429, f"For mange mislykkede innlogginger. Prøv igjen om {slowed.minutes} min.")
        page.headers.update(slowed.headers)
        return page
    if user is None:
        await app.run(_audit, app, username[:128] or "-", "sign_in_failed", {"method": "password"})
        return await again(401, "Feil brukernavn eller passord.")
    await app.run(app.auth.sign_in, request, user)
    await app.run(_audit, app, user.username, "sign_in", {"method": "password"})
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """Ends the session in the store, so a saved copy of the cookie no longer signs anyone in."""
    app = staff(request)
    user = await app.run(app.auth.user, request)
    await app.run(app.auth.sign_out, request)
    if user is not None:
        await app.run(_audit, app, user.username, "sign_out", {})
    return RedirectResponse("/logg-inn", status_code=303)


async def oidc_start(request: Request) -> Response:
    request.session["next"] = safe_next(request.query_params.get("neste"))
    callback = staff(request).auth.config.base_url.rstrip("/") + "/logg-inn/oidc/svar"
    response: Response = await request.app.state.oidc.authorize_redirect(request, callback)
    return response


async def oidc_answer(request: Request) -> Response:
    from authlib.integrations.starlette_client import OAuthError

    app = staff(request)
    oidc = app.auth.config.oidc
    assert oidc is not None
    try:
        token = await request.app.state.oidc.authorize_access_token(request)
    except OAuthError as exc:
        log.warning("OIDC sign-in refused by the provider or invalid (%s)", exc.error)
        raise HttpError(401, "the identity provider did not sign you in") from None
    claims = token.get("userinfo") or {}
    subject = claims.get("sub")
    role = oidc.role_of(claims)
    if not isinstance(subject, str) or role is None:
        await app.run(_audit, app, f"oidc:{str(subject)[:100]}", "sign_in_failed",
                      {"method": "oidc", "why": "no Innboks role"})
        raise HttpError(403, "your user has no Innboks role; ask the communication unit")
    username = next((v for v in (claims.get("preferred_username"), claims.get("email"), subject)
                     if isinstance(v, str) and v), subject)[:120]
    user = await app.run(oidc_user, app.engine, subject, username, claims.get("name"), role, oidc.units_of(claims))
    if user is None:
        raise HttpError(403, "this user is disabled in Innboks")
    target = safe_next(request.session.get("next"))
    await app.run(app.auth.sign_in, request, user)
    await app.run(_audit, app, user.username, "sign_in", {"method": "oidc", "role": role})
    return RedirectResponse(target, status_code=303)


def oidc_client(config: AuthConfig) -> Any:
    """The identity provider's client (Authlib), or None without OpenID Connect."""
    if config.oidc is None:
        return None
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register("idp", client_id=config.oidc.client_id, client_secret=config.oidc.client_secret,
                   server_metadata_url=config.oidc.metadata_url,
                   client_kwargs={"scope": config.oidc.scopes, "code_challenge_method": "S256"})
    return oauth.create_client("idp")


def routes(config: AuthConfig) -> list[BaseRoute]:
    signin: list[BaseRoute] = [
        Route("/logg-inn", login_page, methods=["GET"]),
        Route("/logg-inn", login, methods=["POST"]),
        Route("/logg-ut", logout, methods=["POST"]),
    ]
    if config.oidc is not None:
        signin += [Route("/logg-inn/oidc", oidc_start), Route("/logg-inn/oidc/svar", oidc_answer)]
    return signin


def _audit(app: StaffContext, actor: str, action: str, details: dict[str, Any]) -> None:
    with app.engine.begin() as connection:
        audit(connection, actor, action, None, details)
