"""*Kontoer* (``/kontoer``) and ``GET /api/accounts`` for administrators, and connecting accounts.

- ``GET /kontoer/koble-til/{platform}``: Facebook, Instagram, LinkedIn, YouTube and X redirect to the
  platform's authorization (``state``, and PKCE for YouTube and X); Mastodon shows a form where the
  instance comes first, Bluesky one for the handle and an app password (both with a CSRF token).
  ``?konto=ID`` reconnects that account (it is preselected when the platform lists it).
- ``POST /kontoer/koble-til/mastodon``: Innboks is registered on the instance (once), and the page sends
  the browser on to the instance's authorization (a link and an immediate refresh: the CSP's
  ``form-action 'self'`` stops a form's redirect to another site).
- ``GET /kontoer/koble-til/{platform}/tilbake``: the platform's redirect back; then
  ``/kontoer/koble-til/velg/{flow}`` shows the accounts to connect with the guideline's checks and asks
  for the assessment; posting it connects them.
- ``POST /kontoer/{platform}/{account}/pause|fortsett|koble-fra``.

Everything is for administrators (an administrator limited to units sees those units' accounts) and
audited in the store (``account_connected``, ``account_reconnected``, ``account_paused`` …).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from innboks.accounts import flows
from innboks.accounts.flows import ConnectError, Connecting
from innboks.accounts.queries import account_json
from innboks.db.account_overview import overview
from innboks.db.accounts import AccountStoreError
from innboks.domain.account_checks import ASSESSMENT_FIELDS
from innboks.domain.platform_auth import PLATFORMS
from innboks.web.access import requires
from innboks.web.context import NoPublisher, StaffContext, staff
from innboks.web.errors import HttpError, NotFound
from innboks.web.pages import render, templates
from schemas import Platform

TEMPLATES = templates(Path(__file__).with_name("templates"))
ADMIN_ONLY = "Kontoer is for administrators"
NAMES = {Platform.FACEBOOK: "Facebook", Platform.INSTAGRAM: "Instagram", Platform.LINKEDIN: "LinkedIn",
         Platform.YOUTUBE: "YouTube", Platform.X: "X", Platform.MASTODON: "Mastodon", Platform.BLUESKY: "Bluesky"}


def connecting(app: StaffContext) -> Connecting:
    if app.keyring is None:
        raise HttpError(503, "kontoer kan ikke kobles til her: INNBOKS_SECRET_KEY er ikke satt, så innloggingsdata "
                             "kan ikke lagres kryptert")
    publisher = app.publisher
    if isinstance(publisher, NoPublisher):
        return Connecting(app.engine, app.keyring, app.settings, app.registry, None)
    return Connecting(app.engine, app.keyring, app.settings, app.registry,
                      lambda topic, key, value: publisher.send(topic, value, key=key))


def platform_of(request: Request) -> Platform:
    try:
        return Platform(request.path_params["platform"])
    except ValueError:
        raise NotFound("no such platform") from None


def _visible(app: StaffContext, request: Request) -> list[Any]:
    user = request.user
    return [row for row in overview(app.engine, app.registry) if user.sees(row.account_id, app.units)]


@requires("admin", ADMIN_ONLY)
async def api_accounts(request: Request) -> Response:
    app = staff(request)
    rows = await app.run(_visible, app, request)
    in_registry = {account.key for account in app.base_registry.accounts}
    return JSONResponse([account_json(row, row.account.key in in_registry) for row in rows])


@requires("admin", ADMIN_ONLY)
async def accounts_page(request: Request) -> Response:
    app = staff(request)
    rows = await app.run(_visible, app, request)
    return await render(request, TEMPLATES, "accounts.html", rows=rows, platforms=NAMES, auth=PLATFORMS,
                        can_connect=app.keyring is not None, now=datetime.now(UTC))


def _redirect_uri(app: StaffContext, platform: Platform) -> str:
    return flows.callback_uri(app.auth.config.base_url, platform)


async def _error(request: Request, message: str, platform: Platform | None = None, status: int = 422) -> Response:
    return await render(request, TEMPLATES, "connect_error.html", status=status, message=message,
                        platform=platform, platforms=NAMES)


@requires("admin", ADMIN_ONLY)
async def connect_start(request: Request) -> Response:
    app, platform = staff(request), platform_of(request)
    reconnect = request.query_params.get("konto") or None
    if platform is Platform.MASTODON or platform is Platform.BLUESKY:
        stored = app.registry.find(platform, reconnect) if reconnect else None
        instance = str(stored.options.get("instance_url", "")) if stored is not None else ""
        return await render(request, TEMPLATES, "connect_form.html", platform=platform, platforms=NAMES,
                            instance=instance, reconnect=reconnect)
    c = connecting(app)
    try:
        url = await app.run(flows.start_oauth, c, platform, request.user.username, _redirect_uri(app, platform),
                            reconnect)
    except ConnectError as exc:
        return await _error(request, str(exc), platform, 503)
    return RedirectResponse(url, status_code=302)


@requires("admin", ADMIN_ONLY)
async def connect_form(request: Request) -> Response:
    app, platform = staff(request), platform_of(request)
    values = await request.form()
    c = connecting(app)
    try:
        if platform is Platform.MASTODON:
            url = await app.run(flows.start_mastodon, c, request.user.username, str(values.get("instance", "")),
                                _redirect_uri(app, platform))
            return await render(request, TEMPLATES, "connect_continue.html", url=url, platform=platform,
                                platforms=NAMES)
        if platform is Platform.BLUESKY:
            ident = await app.run(flows.start_bluesky, c, request.user.username, str(values.get("handle", "")),
                                  str(values.get("app_password", "")))
            return RedirectResponse(f"/kontoer/koble-til/velg/{ident}", status_code=303)
    except ConnectError as exc:
        return await _error(request, str(exc), platform)
    raise NotFound("this platform is connected with its own authorization")


@requires("admin", ADMIN_ONLY)
async def connect_callback(request: Request) -> Response:
    app, platform = staff(request), platform_of(request)
    params = request.query_params
    state = params.get("state")
    if not state:
        return await _error(request, "svaret fra plattformen mangler state", platform, 400)
    try:
        ident = await app.run(flows.complete, connecting(app), platform, request.user.username, state,
                              params.get("code"), params.get("error"))
    except ConnectError as exc:
        return await _error(request, str(exc), platform)
    return RedirectResponse(f"/kontoer/koble-til/velg/{ident}", status_code=303)


@requires("admin", ADMIN_ONLY)
async def connect_review(request: Request) -> Response:
    app = staff(request)
    try:
        review = await app.run(flows.review, connecting(app), request.path_params["flow"], request.user.username)
    except ConnectError as exc:
        return await _error(request, str(exc))
    return await render(request, TEMPLATES, "connect_review.html", review=review, platforms=NAMES,
                        questions=ASSESSMENT_FIELDS, policies=sorted(app.registry.sla.all_policy_configs),
                        units=sorted({a.owning_unit for a in app.registry.accounts}
                                     | {app.registry.communication_unit.name}))


@requires("admin", ADMIN_ONLY)
async def connect_confirm(request: Request) -> Response:
    app, values = staff(request), await request.form()
    selected = [str(value) for value in values.getlist("account")]
    assessment = {key: str(values.get(key, "")) for key in ASSESSMENT_FIELDS}
    user = request.user
    try:
        done = await app.run(flows.confirm, connecting(app), request.path_params["flow"], user.username,
                             user.username, selected, assessment, str(values.get("owning_unit", "")) or None,
                             str(values.get("sla_policy", "")) or None)
    except ConnectError as exc:
        return await _error(request, str(exc))
    app.refresh_accounts(force=True)
    return await render(request, TEMPLATES, "connect_done.html", done=done, platforms=NAMES)


def _account_of(app: StaffContext, request: Request) -> tuple[Platform, str]:
    platform, account_id = platform_of(request), request.path_params["account"]
    if not request.user.sees(account_id, app.units):
        raise HttpError(403, "that account belongs to a unit you do not see")
    return platform, account_id


@requires("admin", ADMIN_ONLY)
async def pause(request: Request) -> Response:
    app = staff(request)
    platform, account_id = _account_of(app, request)
    reason = str((await request.form()).get("reason", "")).strip()[:500] or None
    try:
        await app.run(flows.set_paused, connecting(app), platform, account_id, True, reason, request.user.username)
    except ConnectError as exc:
        raise HttpError(422, str(exc)) from None
    app.refresh_accounts(force=True)
    return RedirectResponse("/kontoer", status_code=303)


@requires("admin", ADMIN_ONLY)
async def resume(request: Request) -> Response:
    app = staff(request)
    platform, account_id = _account_of(app, request)
    try:
        await app.run(flows.set_paused, connecting(app), platform, account_id, False, None, request.user.username)
    except ConnectError as exc:
        raise HttpError(422, str(exc)) from None
    app.refresh_accounts(force=True)
    return RedirectResponse("/kontoer", status_code=303)


@requires("admin", ADMIN_ONLY)
async def forget(request: Request) -> Response:
    app = staff(request)
    platform, account_id = _account_of(app, request)
    try:
        await app.run(flows.disconnect, connecting(app), platform, account_id, request.user.username)
    except (ConnectError, AccountStoreError) as exc:
        raise HttpError(422, str(exc)) from None
    app.refresh_accounts(force=True)
    return RedirectResponse("/kontoer", status_code=303)


routes = [
    Route("/api/accounts", api_accounts, methods=["GET"]),
    Route("/kontoer", accounts_page, methods=["GET"]),
    Route("/kontoer/koble-til/velg/{flow}", connect_review, methods=["GET"]),
    Route("/kontoer/koble-til/velg/{flow}", connect_confirm, methods=["POST"]),
    Route("/kontoer/koble-til/{platform}", connect_start, methods=["GET"]),
    Route("/kontoer/koble-til/{platform}", connect_form, methods=["POST"]),
    Route("/kontoer/koble-til/{platform}/tilbake", connect_callback, methods=["GET"]),
    Route("/kontoer/{platform}/{account:path}/pause", pause, methods=["POST"]),
    Route("/kontoer/{platform}/{account:path}/fortsett", resume, methods=["POST"]),
    Route("/kontoer/{platform}/{account:path}/koble-fra", forget, methods=["POST"]),
]
