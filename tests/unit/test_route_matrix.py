"""Every route of the staff web × who asks × whose data × which credential × from which page (#24).

The routes come from ``create_app(...).routes``, so a route added later is in the matrix at once:
without a line in ``ROUTES`` saying who may call it and with what, its test fails. For each route
the cells are

- anonymous, reader, operator, admin (the three signed-in users limited to the unit
  *Kommunikasjon*, the owner of ``PAGE_ID``),
- own unit / other unit (the route's object, or filter, on ``PAGE_ID`` or on ``OTHER_PAGE`` of *Kultur*),
- session cookie (with its CSRF token, as the pages send it) / HTTP Basic (as a script sends it),
- same origin / another site's page (``Origin`` and ``Sec-Fetch-Site`` as a browser sends them),

and each cell's status is asserted: what the route's line expects, 401 (API) or 303 to the sign-in
page for nobody, 403 for a missing role, the route's answer for another unit's object, and for a
state change from another site 403 before the handler whatever the credential; forms take no HTTP
Basic (403, no session token). A refused state change must change nothing, and no answer to a
user of *Kommunikasjon* may contain a word of *Kultur*'s data.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from innboks.db.accounts import NewConnection, save_connection
from innboks.db.engine import engine_for, open_store
from innboks.db.schema import (
    actions,
    assignments,
    audit_log,
    connected_accounts,
    legal_holds,
    retention_rules,
    saved_replies,
)
from innboks.db.sealed import Keyring
from innboks.records.retention import place_hold
from innboks.web import users as users_module
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category, EscalationReason, Platform
from tests.helpers import PAGE_ID
from tests.inbox_data import OTHER_PAGE, ProjectingPublisher, add_inquiry, registry
from tests.staff_web import signed_in

PASSWORD = "hemmelig-passord"
ORIGIN = "http://inbox.alta.test"
OWN_PAGE = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}
OTHER_SITE = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
ROLES = ("reader", "operator", "admin")
#: The users of the matrix, each limited to the unit that owns PAGE_ID.
USERS = {"reader": "lesa", "operator": "kari", "admin": "anne"}
UNIT = "Kommunikasjon"
#: Words only the other unit's data holds: never in an answer to the matrix's users.
SECRET = "Kulturhemmelighet"


@dataclass(frozen=True)
class Objects:
    """One unit's objects in the store."""

    account: str
    inquiry: str
    key: str
    message: str
    action: str
    hold: int


@dataclass(frozen=True)
class Expect:
    """Who may call a route, with what, and what it answers.

    ``call`` gives the path and the keyword arguments of the request (``json=`` or ``data=``) for a
    unit's objects; ``ok`` is the status of a successful call; ``other_unit`` the status when the
    object (or filter) belongs to a unit the user does not see, None where the route has no unit.
    """

    role: str | None
    call: Callable[[Objects, str], tuple[str, dict[str, Any]]]
    ok: int
    other_unit: int | None = None
    form: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def path(template: str, **body: Any) -> Callable[[Objects, str], tuple[str, dict[str, Any]]]:
    """A request whose path is ``template`` filled with the unit's objects; ``body`` as JSON."""

    def call(objects: Objects, _user: str) -> tuple[str, dict[str, Any]]:
        filled = {k: v.format(o=objects) if isinstance(v, str) else v for k, v in body.items()}
        return template.format(o=objects), ({"json": filled} if body else {})

    return call


def form(template: str, **fields: str) -> Callable[[Objects, str], tuple[str, dict[str, Any]]]:
    def call(objects: Objects, _user: str) -> tuple[str, dict[str, Any]]:
        return template.format(o=objects), {"data": {k: v.format(o=objects) for k, v in fields.items()}}

    return call


def facts_document(_objects: Objects, _user: str) -> tuple[str, dict[str, Any]]:
    """The packaged facts registry, saved as it is."""
    from innboks.config.facts import DEFAULT_FACTS_PATH

    return "/api/facts", {"json": {"document": DEFAULT_FACTS_PATH.read_text(encoding="utf-8")}}


def bulk_assign(objects: Objects, _user: str) -> tuple[str, dict[str, Any]]:
    """Each inquiry of a bulk action on its own: another unit's answers 404 in ``results``, the call 200."""
    return "/api/inquiries/bulk", {"json": {"action": "assign", "assignee": "kari", "inquiry_ids": [objects.inquiry]}}


def sign_in_form(_objects: Objects, user: str) -> tuple[str, dict[str, Any]]:
    return "/logg-inn", {"data": {"username": user, "password": PASSWORD}}


#: (method, route path) → who may call it. A route of the app without a line here fails its test.
ROUTES: dict[tuple[str, str], Expect] = {
    ("GET", "/healthz"): Expect(None, path("/healthz"), 200),
    ("GET", "/static"): Expect(None, path("/static/inbox.css"), 200),
    ("GET", "/logg-inn"): Expect(None, path("/logg-inn"), 200),
    ("POST", "/logg-inn"): Expect(None, sign_in_form, 303, form=True),
    ("POST", "/logg-ut"): Expect(None, form("/logg-ut"), 303, form=True),
    ("GET", "/api/me"): Expect("reader", path("/api/me"), 200),
    ("GET", "/api/inquiries"): Expect("reader", path("/api/inquiries?account={o.account}"), 200, 200),
    ("POST", "/api/inquiries/{inquiry_id:path}/assign"):
        Expect("operator", path("/api/inquiries/{o.inquiry}/assign", assignee="kari"), 200, 404),
    ("GET", "/api/conversations/{key:path}"): Expect("reader", path("/api/conversations/{o.key}"), 200, 404),
    ("POST", "/api/messages/{message_id:path}/triage"):
        Expect("operator", path("/api/messages/{o.message}/triage", category="feedback"), 200, 404),
    ("POST", "/api/messages/{message_id:path}/reply"):
        Expect("operator", path("/api/messages/{o.message}/reply", text="Takk, vi ser på det."), 202, 404),
    ("POST", "/api/messages/{message_id:path}/hide"):
        Expect("operator", path("/api/messages/{o.message}/hide", reason="third_party"), 202, 404),
    ("POST", "/api/messages/{message_id:path}/unhide"): Expect("operator", path("/api/messages/{o.message}/unhide"),
                                                               202, 404),
    ("POST", "/api/messages/{message_id:path}/delete"):
        Expect("operator", path("/api/messages/{o.message}/delete", reason="unlawful"), 202, 404),
    ("POST", "/api/actions/{action_id}/approve"): Expect("operator", path("/api/actions/{o.action}/approve"), 202, 404),
    ("GET", "/api/actions/{action_id}"): Expect("reader", path("/api/actions/{o.action}"), 200, 404),
    ("GET", "/api/cases"): Expect("reader", path("/api/cases"), 200),
    ("GET", "/api/saved-replies"): Expect("reader", path("/api/saved-replies"), 200),
    ("POST", "/api/saved-replies"):
        Expect("admin", path("/api/saved-replies", title="Åpningstider", language="nb", body="Åpent 8–15."), 201),
    ("PUT", "/api/saved-replies/{reply_id}"):
        Expect("admin", path("/api/saved-replies/1", title="Åpningstider", language="nb", body="8–15:30."), 200),
    ("DELETE", "/api/saved-replies/{reply_id}"): Expect("admin", path("/api/saved-replies/1"), 204),
    ("POST", "/api/replies/check"):
        Expect("reader", path("/api/replies/check", text="Hei! Brøytingen starter i morgen.", message_id="{o.message}"),
               200, 404),
    ("POST", "/api/inquiries/bulk"): Expect("operator", bulk_assign, 200, 200),
    ("POST", "/api/inquiries/{inquiry_id:path}/close"):
        Expect("operator", path("/api/inquiries/{o.inquiry}/close", reason="no_reply_needed"), 202, 404),
    ("POST", "/api/inquiries/{inquiry_id:path}/snooze"):
        Expect("operator", path("/api/inquiries/{o.inquiry}/snooze", until=None), 202, 404),
    ("POST", "/api/conversations/{key:path}/notes"):
        Expect("operator", path("/api/conversations/{o.key}/notes", text="Ringer i morgen."), 201, 404),
    ("POST", "/api/conversations/{key:path}/presence"):
        Expect("reader", path("/api/conversations/{o.key}/presence", state="viewing"), 200, 404),
    ("GET", "/api/events"): Expect("reader", path("/api/events?since=0&once=1"), 200),
    ("GET", "/krise"): Expect("admin", path("/krise"), 200),
    ("GET", "/tilgjengelighet"): Expect(None, path("/tilgjengelighet"), 200),
    ("GET", "/fakta"): Expect("admin", path("/fakta"), 200),
    ("GET", "/api/facts"): Expect("admin", path("/api/facts"), 200),
    ("PUT", "/api/facts"): Expect("admin", facts_document, 202),
    ("GET", "/api/crisis"): Expect("reader", path("/api/crisis"), 200),
    ("POST", "/api/crisis"): Expect("admin", path("/api/crisis", active=True, reason="Flom i sentrum"), 202),
    ("GET", "/"): Expect("reader", path("/?account={o.account}"), 200, 200),
    ("GET", "/samtale/{key:path}"): Expect("reader", path("/samtale/{o.key}"), 200, 404),
    ("GET", "/svarmaler"): Expect("reader", path("/svarmaler"), 200),
    ("GET", "/innsyn"): Expect("admin", path("/innsyn?account={o.account}"), 200, 403),
    ("POST", "/innsyn/eksport"): Expect("admin", form("/innsyn/eksport", account="{o.account}", format="json"),
                                        200, 403, form=True),
    ("POST", "/innsyn/oppbevaring"): Expect("admin", form("/innsyn/oppbevaring", account="{o.account}",
                                                          keep_days="3650"), 303, 403, form=True),
    ("POST", "/innsyn/hold"): Expect("admin", form("/innsyn/hold", conversation="{o.key}", reason="Sak 26/9"),
                                     303, 403, form=True),
    ("POST", "/innsyn/hold/{hold_id:int}/opphev"): Expect("admin", form("/innsyn/hold/{o.hold}/opphev"), 303, 404,
                                                          form=True),
    # Kontoer (docs/accounts.md). No platform answers in the matrix: starting a connection shows the form
    # (Mastodon) or fails at the platform with a page saying so (422), and so do an unknown connection and
    # a redirect back without one; pausing, resuming and forgetting are the unit's connected account's.
    ("GET", "/api/accounts"): Expect("admin", path("/api/accounts"), 200),
    ("GET", "/kontoer"): Expect("admin", path("/kontoer"), 200),
    ("GET", "/kontoer/koble-til/{platform}"): Expect("admin", path("/kontoer/koble-til/mastodon"), 200),
    ("POST", "/kontoer/koble-til/{platform}"): Expect("admin", form("/kontoer/koble-til/mastodon",
                                                                    instance="http://127.0.0.1:9"), 422, form=True),
    ("GET", "/kontoer/koble-til/{platform}/tilbake"):
        Expect("admin", path("/kontoer/koble-til/x/tilbake?code=c&state=not-started"), 422),
    ("GET", "/kontoer/koble-til/velg/{flow}"): Expect("admin", path("/kontoer/koble-til/velg/unknown"), 422),
    ("POST", "/kontoer/koble-til/velg/{flow}"): Expect("admin", form("/kontoer/koble-til/velg/unknown",
                                                                     account="x:1"), 422, form=True),
    ("POST", "/kontoer/{platform}/{account:path}/pause"):
        Expect("admin", form("/kontoer/facebook/{o.account}/pause", reason="ferie"), 303, 403, form=True),
    ("POST", "/kontoer/{platform}/{account:path}/fortsett"):
        Expect("admin", form("/kontoer/facebook/{o.account}/fortsett"), 303, 403, form=True),
    ("POST", "/kontoer/{platform}/{account:path}/koble-fra"):
        Expect("admin", form("/kontoer/facebook/{o.account}/koble-fra"), 303, 403, form=True),
}

#: Seals what Kontoer stores in the matrix's stores.
KEYRING = Keyring(["matrisen-" + "k" * 40])


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route of the app; a mount (static files) as GET of its path."""
    found = []
    for route in app.routes:
        if isinstance(route, Route):
            found += [(method, route.path) for method in sorted(route.methods or ()) if method != "HEAD"]
        elif isinstance(route, Mount):
            found.append(("GET", route.path))
        else:
            found.append(("?", getattr(route, "path", repr(route))))
    return found


def an_app(engine, publisher=None):
    return create_app(engine, registry(), AuthConfig(secret_key="matrix", base_url=ORIGIN),
                      publisher or ProjectingPublisher(engine), keyring=KEYRING)


APP_ROUTES = app_routes(an_app(sa.create_engine("sqlite://")))


@dataclass
class World:
    template: str
    own: Objects
    other: Objects
    sessions: dict[str, tuple[dict[str, str], str]]  # role → (cookies, CSRF token)


def _objects(engine, app_client: TestClient, account: str, native: str, words: str) -> Objects:
    with engine.begin() as connection:
        inquiry = add_inquiry(connection, native, f"{words}: når kommer svaret?", 4, Category.GENERAL_QUESTION,
                              account=account)
        escalated = add_inquiry(connection, native + "9", f"{words}: trussel", 2, Category.OTHER, account=account,
                                escalate=[EscalationReason.THREAT])
    key = f"facebook:{account}:{native}"
    asked = app_client.post(f"/api/messages/{escalated}/reply", json={"text": f"{words}: vi ser på saken."},
                            auth=("ola", PASSWORD))
    assert asked.status_code == 202 and asked.json()["needs_approval"], asked.text
    hold = place_hold(engine, f"{words}: sak 26/{native}", "sjef", datetime.now(UTC), account_id=account)
    save_connection(engine, KEYRING, NewConnection(  # connected in Kontoer, with its unit's name
        platform=Platform.FACEBOOK, account_id=account, name="Alta kommune" if account == PAGE_ID else "Alta bibliotek",
        owning_unit=UNIT if account == PAGE_ID else "Kultur", credential_kind="bearer",
        secrets={"access_token": f"token-{native}"}, assessment={"purpose": "a", "audience": "b", "privacy": "c",
                                                                 "resources": "d"}), "sjef")
    return Objects(account=account, inquiry=inquiry, key=key, message=inquiry, action=asked.json()["action_id"],
                   hold=hold)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A store with both units' objects and a session per role, kept as a file each cell copies."""
    with pytest.MonkeyPatch.context() as patch:
        # Cheap argon2 parameters for the matrix's users: hundreds of Basic-auth calls, each verified.
        patch.setattr(users_module, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        template = str(tmp_path_factory.mktemp("matrix") / "template.db")
        engine = open_store(f"sqlite:///{template}")
        for role, name in USERS.items():
            add_user(engine, name, role, PASSWORD, (UNIT,))
        add_user(engine, "ola", "operator", PASSWORD)
        add_user(engine, "sjef", "admin", PASSWORD)
    app = an_app(engine)
    client = TestClient(app)
    own = _objects(engine, client, PAGE_ID, "1_700", "Snøbrøyting")
    other = _objects(engine, client, OTHER_PAGE, "1_800", SECRET)
    assert client.post("/api/saved-replies", json={"title": "Takk", "language": "nb", "body": "Takk!"},
                       auth=("sjef", PASSWORD)).status_code == 201
    sessions = {}
    for role, name in USERS.items():
        signed, token = signed_in(app, name, PASSWORD)
        sessions[role] = (dict(signed.cookies), token)
    engine.dispose()
    return World(template, own, other, sessions)


def fingerprint(engine, publisher: ProjectingPublisher) -> tuple[int, ...]:
    """What a state change would alter: published records and the staff tables."""
    with engine.connect() as connection:
        counts = [connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
                  for table in (actions, assignments, legal_holds.select().where(legal_holds.c.released_at.is_(None))
                                .subquery(), retention_rules, saved_replies, connected_accounts,
                                connected_accounts.select().where(connected_accounts.c.paused).subquery())]
        audited = connection.execute(sa.select(sa.func.count()).select_from(audit_log).where(
            audit_log.c.action.not_in(("records_search", "sign_in", "sign_in_failed")))).scalar() or 0
    return (len(publisher.sent), *counts, audited)


@dataclass(frozen=True)
class Cell:
    identity: str  # anonymous or a role
    unit: str  # own or other
    credential: str  # cookie, basic, or none
    site: str  # same-origin or cross-site

    def __str__(self) -> str:
        return f"{self.identity}/{self.unit}/{self.credential}/{self.site}"


SITES = ("same-origin", "cross-site")
CELLS = [Cell("anonymous", unit, "none", site) for unit in ("own", "other") for site in SITES] + [
    Cell(role, unit, credential, site) for role in ROLES for unit in ("own", "other")
    for credential in ("cookie", "basic") for site in SITES]


def expected(method: str, route_path: str, expect: Expect, cell: Cell) -> int:
    changes = method not in ("GET", "HEAD", "OPTIONS")
    api = route_path.startswith("/api/")
    if changes and cell.site == "cross-site":
        return 403  # another site's page: refused before the handler, whatever the credential
    if changes and not api and cell.credential != "cookie":
        return 403  # a form without a session has no CSRF token (HTTP Basic is for the API)
    if cell.identity == "anonymous":
        if expect.role is None:
            return expect.ok
        return 401 if api else 303
    if expect.role is not None and ROLES.index(cell.identity) < ROLES.index(expect.role):
        return 403
    if cell.unit == "other" and expect.other_unit is not None:
        return expect.other_unit
    return expect.ok


def request(app, world: World, method: str, expect: Expect, cell: Cell):
    objects = world.own if cell.unit == "own" else world.other
    user = USERS.get(cell.identity, "nobody")
    url, options = expect.call(objects, user)
    headers = dict(OTHER_SITE if cell.site == "cross-site" else OWN_PAGE)
    cookies: dict[str, str] = {}
    if cell.credential == "cookie":
        cookies, token = world.sessions[cell.identity]
        if "data" in options:
            options = {**options, "data": {**options["data"], "csrf_token": token}}
        else:
            headers["X-CSRF-Token"] = token
    elif cell.credential == "basic":
        options = {**options, "auth": (user, PASSWORD)}
    client = TestClient(app, cookies=cookies, base_url=ORIGIN)
    return client.request(method, url, headers=headers, follow_redirects=False, **options)


def copy_of(world: World, tmp_path) -> sa.Engine:
    target = tmp_path / f"cell-{len(list(tmp_path.iterdir()))}.db"
    shutil.copyfile(world.template, target)
    return engine_for(f"sqlite:///{target}")


@pytest.mark.parametrize("route", APP_ROUTES, ids=[f"{m} {p}" for m, p in APP_ROUTES])
def test_every_route_answers_each_caller_as_it_should(world, tmp_path, route) -> None:
    method, route_path = route
    expect = ROUTES.get(route)
    assert expect is not None, (f"{method} {route_path} is a new route: add it to ROUTES in {__file__} (who may "
                                "call it, its object in each unit, the status of a success), and to docs/security.md")
    shared = copy_of(world, tmp_path)
    shared_publisher = ProjectingPublisher(shared)
    shared_app = an_app(shared, shared_publisher)
    wrong = []
    for cell in CELLS:
        want = expected(method, route_path, expect, cell)
        changes = method not in ("GET", "HEAD", "OPTIONS")
        if changes and want < 400:
            engine = copy_of(world, tmp_path)  # a successful change gets a store of its own
            answer = request(an_app(engine), world, method, expect, cell)
            engine.dispose()
        else:
            before = fingerprint(shared, shared_publisher) if changes else None
            answer = request(shared_app, world, method, expect, cell)
            if changes and fingerprint(shared, shared_publisher) != before:
                wrong.append(f"{cell}: refused with {answer.status_code} but changed something")
        if answer.status_code != want:
            wrong.append(f"{cell}: {answer.status_code}, expected {want} ({answer.text[:120]!r})")
        if want == 403 and changes and cell.site == "cross-site" and "(cross-site request refused)" not in answer.text:
            wrong.append(f"{cell}: 403 but not refused as a cross-site request")
        if cell.identity != "anonymous" and SECRET in answer.text:
            wrong.append(f"{cell}: the answer holds the other unit's data")
    shared.dispose()
    assert not wrong, f"{method} {route_path}:\n" + "\n".join(wrong)


def test_the_matrix_covers_every_route_and_only_routes_that_exist() -> None:
    assert set(ROUTES) == set(APP_ROUTES)
