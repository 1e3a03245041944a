"""*Innsyn*: the records search for admins (``/innsyn``), its exports, retention rules and legal holds.

The same filters as ``innboks records search`` (account, period, words in the text, author) and the
same exports (JSON lines, CSV, one PDF/A document, optionally with personal data masked) as
downloads. Admins only; an admin limited to units searches, exports, sees and changes the rules and
holds of those units' accounts only (a hold on every account is placed and released only by an admin
without unit limits, and not shown to the others). Every search,
export and change is in the audit log (``records_search``, ``records_export``, ``retention_set``,
``legal_hold_placed``, ``legal_hold_released``), with the filters but not the searched words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from innboks.config.settings import get_settings
from innboks.db.audit import audit
from innboks.db.fulltext import SearchQueryError
from innboks.domain.calendar import OSLO
from innboks.records.export import ExportRequest, ExportStats, audit_export, render_pdf, write_text
from innboks.records.retention import (
    Hold,
    RetentionError,
    get_hold,
    list_holds,
    list_retention,
    place_hold,
    release_hold,
    set_retention,
)
from innboks.records.search import RecordFilter, RecordRow, count, first_page, search
from innboks.web.access import requires
from innboks.web.context import StaffContext, staff
from innboks.web.errors import HttpError
from innboks.web.pages import render, templates
from innboks.web.users import User

TEMPLATES = templates(Path(__file__).with_name("templates"))
#: Rows shown on the page; the exports hold everything.
PAGE_ROWS = 200
#: The page counts matches up to this many (a common word costs no more than a rare one).
COUNT_CAP = 10_000
#: … and gives up counting after this long (PostgreSQL): the rows are shown, the count says "many".
COUNT_SECONDS = 0.5
#: The largest export the page renders as PDF (the command line has no limit).
PDF_MAX_REVISIONS = 10_000
MEDIA_TYPES = {"json": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8",
               "pdf": "application/pdf"}
SUFFIX = {"json": "jsonl", "csv": "csv", "pdf": "pdf"}


@dataclass(frozen=True)
class Form:
    """The filters as the form has them (strings, for showing them again)."""

    account: str = ""
    since: str = ""
    until: str = ""
    text: str = ""
    author: str = ""
    threads: str = ""

    @property
    def given(self) -> bool:
        return any((self.account, self.since, self.until, self.text, self.author))


def _form(values: ImmutableMultiDict[str, Any] | FormData) -> Form:
    def get(name: str) -> str:
        value = values.get(name)
        return value.strip()[:500] if isinstance(value, str) else ""

    return Form(get("account"), get("since"), get("until"), get("text"), get("author"), get("threads"))


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HttpError(422, f"{name} must be a date (YYYY-MM-DD)") from None


def record_filter(form: Form, user: User, app: StaffContext) -> RecordFilter:
    """The filter for this user: the chosen account (one they may see), or every account they see."""
    visible = sorted(a for a in app.names if user.sees(a, app.units))
    if form.account:
        if not user.sees(form.account, app.units):
            raise HttpError(403, "that account belongs to a unit you do not see")
        accounts: tuple[str, ...] = (form.account,)
    else:
        accounts = () if not user.units else tuple(visible) or ("-",)  # "-": no account at all
    since, until = _day(form.since, "since"), _day(form.until, "until")
    query = RecordFilter(
        accounts=accounts,
        since=datetime.combine(since, time(0), OSLO) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(0), OSLO) if until else None,
        text=form.text or None, author=form.author or None, whole_threads=bool(form.threads))
    try:
        query.check()
    except (SearchQueryError, ValueError) as exc:
        raise HttpError(422, str(exc)) from None
    return query


ADMIN_ONLY = "Innsyn is for administrators"
EVERY_ACCOUNT = "a hold on every account needs an administrator without unit limits"
OTHER_UNIT = "that account belongs to a unit you do not see"


def hold_account(hold: Hold) -> str | None:
    """The account a hold covers (from its conversation key if need be), or None for every account."""
    if hold.account_id is not None:
        return hold.account_id
    return hold.conversation_key.split(":", 2)[1] if hold.conversation_key else None


def may_see_hold(user: User, hold: Hold, app: StaffContext) -> bool:
    account = hold_account(hold)
    return not user.units if account is None else user.sees(account, app.units)


@requires("admin", ADMIN_ONLY)
async def page(request: Request) -> Response:
    app, user = staff(request), request.user
    form = _form(request.query_params)
    rows: list[RecordRow] = []
    found: tuple[int | None, int | None] = (0, 0)
    if form.given or request.query_params.get("vis"):
        query = record_filter(form, user, app)
        rows, found = await app.run(first_page, app.engine, query, PAGE_ROWS, COUNT_CAP, COUNT_SECONDS)
        await app.run(_audit, app, user.username, "records_search", None, _search_details(query, found))
    return await render(request, TEMPLATES, "records.html", form=form, rows=rows, found=found,
                        searched=form.given or bool(request.query_params.get("vis")), cap=COUNT_CAP,
                        accounts=sorted(((a, n) for a, n in app.names.items() if user.sees(a, app.units)),
                                        key=lambda item: item[1]),
                        rules=[rule for rule in await app.run(list_retention, app.engine)
                               if user.sees(rule["account_id"], app.units)],
                        holds=[hold for hold in await app.run(list_holds, app.engine)
                               if may_see_hold(user, hold, app)])


@requires("admin", ADMIN_ONLY)
async def export(request: Request) -> Response:
    app, user, values = staff(request), request.user, await request.form()
    fmt = str(values.get("format", "json"))
    if fmt not in MEDIA_TYPES:
        raise HttpError(422, "format must be json, csv or pdf")
    query = record_filter(_form(values), user, app)
    wanted = str(values.get("request", "")).strip()[:500] or None
    spec = ExportRequest(query=query, exported_by=user.display_name or user.username,
                         exported_at=datetime.now(UTC), request=wanted,
                         redact_pii=bool(values.get("redact_pii")), municipality=get_settings().municipality,
                         account_names=app.names)
    body = await app.run(_export_bytes, app, spec, fmt, user.username)
    stamp = spec.exported_at.astimezone(OSLO).strftime("%Y%m%d-%H%M")
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="innsyn-{stamp}.{SUFFIX[fmt]}"'})


@requires("admin", ADMIN_ONLY)
async def set_rule(request: Request) -> Response:
    app, user, values = staff(request), request.user, await request.form()
    account = str(values.get("account", "")).strip()
    if account not in app.names:
        raise HttpError(422, "choose one of the accounts you see")
    if not user.sees(account, app.units):
        raise HttpError(403, OTHER_UNIT)
    days = str(values.get("keep_days", "")).strip()
    try:
        keep_days = int(days) if days else None
        await app.run(set_retention, app.engine, account, keep_days, user.username, datetime.now(UTC))
    except (ValueError, RetentionError) as exc:
        raise HttpError(422, str(exc) if isinstance(exc, RetentionError) else "keep days is a whole number") \
            from None
    return RedirectResponse("/innsyn#oppbevaring", status_code=303)


@requires("admin", ADMIN_ONLY)
async def hold(request: Request) -> Response:
    app, user, values = staff(request), request.user, await request.form()
    account = str(values.get("account", "")).strip() or None
    conversation = str(values.get("conversation", "")).strip() or None
    if account is None and conversation is None and user.units:
        raise HttpError(403, EVERY_ACCOUNT)
    parts = conversation.split(":", 2) if conversation else []
    for covered in (account, parts[1] if len(parts) == 3 else None):
        if covered is not None and not user.sees(covered, app.units):
            raise HttpError(403, OTHER_UNIT)
    try:
        await app.run(place_hold, app.engine, str(values.get("reason", "")), user.username,
                      datetime.now(UTC), account, conversation)
    except RetentionError as exc:
        raise HttpError(422, str(exc)) from None
    return RedirectResponse("/innsyn#oppbevaring", status_code=303)


@requires("admin", ADMIN_ONLY)
async def release(request: Request) -> Response:
    app, user = staff(request), request.user
    hold_id = int(request.path_params["hold_id"])
    found = await app.run(get_hold, app.engine, hold_id)
    if found is None or not may_see_hold(user, found, app):
        raise HttpError(404, f"no legal hold {hold_id}")  # another unit's holds are not there for this user
    try:
        await app.run(release_hold, app.engine, hold_id, user.username, datetime.now(UTC))
    except RetentionError as exc:
        raise HttpError(422, str(exc)) from None
    return RedirectResponse("/innsyn#oppbevaring", status_code=303)


routes = [
    Route("/innsyn", page, methods=["GET"]),
    Route("/innsyn/eksport", export, methods=["POST"]),
    Route("/innsyn/oppbevaring", set_rule, methods=["POST"]),
    Route("/innsyn/hold", hold, methods=["POST"]),
    Route("/innsyn/hold/{hold_id:int}/opphev", release, methods=["POST"]),
]


def _export_bytes(app: StaffContext, spec: ExportRequest, fmt: str, actor: str) -> bytes:
    stats = ExportStats()
    if fmt == "pdf":
        revisions = count(app.engine, spec.query, PDF_MAX_REVISIONS)[1] or 0
        if revisions > PDF_MAX_REVISIONS:
            raise HttpError(422, f"more than {PDF_MAX_REVISIONS} revisions: more than the page renders as PDF "
                            f"({PDF_MAX_REVISIONS}): narrow the filters or use innboks records search")
        body = render_pdf(search(app.engine, spec.query), spec, stats)
    else:
        buffer = io.StringIO()
        write_text(search(app.engine, spec.query), spec, fmt, buffer, stats)
        body = buffer.getvalue().encode("utf-8")
    audit_export(app.engine, actor, spec, fmt, stats)
    return body


def _search_details(query: RecordFilter, found: tuple[int | None, int | None]) -> dict[str, Any]:
    return {"accounts": list(query.accounts), "since": query.since.isoformat() if query.since else None,
            "until": query.until.isoformat() if query.until else None, "text_filter": query.text is not None,
            "author_filter": query.author is not None, "whole_threads": query.whole_threads, "messages": found[0],
            "revisions": found[1]}


def _audit(app: StaffContext, actor: str, action: str, target: str | None, details: dict[str, Any]) -> None:
    with app.engine.begin() as connection:
        audit(connection, actor, action, target, details)
