"""*Innsyn*: the records search for admins (``/innsyn``), its exports, retention rules and legal holds.

The same filters as ``innboks records search`` (account, period, words in the text, author) and the
same exports (JSON lines, CSV, one PDF/A document, optionally with personal data masked) as
downloads. Admins only; an admin limited to units sees those units' accounts only. Every search,
export and change is in the audit log (``records_search``, ``records_export``, ``retention_set``,
``legal_hold_placed``, ``legal_hold_released``), with the filters but not the searched words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from innboks.config.settings import get_settings
from innboks.db.audit import audit
from innboks.db.fulltext import SearchQueryError
from innboks.domain.calendar import OSLO
from innboks.inbox.context import InboxContext
from innboks.inbox.pages import page_user, render
from innboks.inbox.queries import crisis
from innboks.records.export import ExportRequest, ExportStats, audit_export, render_pdf, write_text
from innboks.records.retention import (
    RetentionError,
    list_holds,
    list_retention,
    place_hold,
    release_hold,
    set_retention,
)
from innboks.records.search import RecordFilter, RecordRow, count, first_page, search
from innboks.web.errors import HttpError
from innboks.web.users import User

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


def record_filter(form: Form, user: User, inbox: InboxContext) -> RecordFilter:
    """The filter for this user: the chosen account (one they may see), or every account they see."""
    visible = sorted(a for a in inbox.names if user.sees(a, inbox.units))
    if form.account:
        if not user.sees(form.account, inbox.units):
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


def routes(inbox: InboxContext) -> list[Route]:
    auth = inbox.auth

    def admin(request: Request) -> User | Response:
        return page_user(auth, request, "admin", "Innsyn is for administrators")

    async def admin_form(request: Request) -> tuple[User, FormData] | Response:
        """The administrator and the form they posted, its CSRF token checked."""
        user = admin(request)
        if isinstance(user, Response):
            return user
        values = await request.form()
        auth.check_csrf(request, str(values.get("csrf_token", "")))
        return user, values

    async def page(request: Request) -> Response:
        user = admin(request)
        if isinstance(user, Response):
            return user
        form = _form(request.query_params)
        rows: list[RecordRow] = []
        found: tuple[int | None, int | None] = (0, 0)
        if form.given or request.query_params.get("vis"):
            query = record_filter(form, user, inbox)
            rows, found = await inbox.run(first_page, inbox.engine, query, PAGE_ROWS, COUNT_CAP, COUNT_SECONDS)
            await inbox.run(_audit, inbox, user.username, "records_search", None, _search_details(query, found))
        return render(request, inbox, "records.html", user=user, form=form, rows=rows, found=found,
                      searched=form.given or bool(request.query_params.get("vis")), cap=COUNT_CAP,
                      accounts=sorted(((a, n) for a, n in inbox.names.items() if user.sees(a, inbox.units)),
                                      key=lambda item: item[1]),
                      rules=await inbox.run(list_retention, inbox.engine),
                      holds=await inbox.run(list_holds, inbox.engine), crisis=await inbox.run(crisis, inbox.engine))

    async def export(request: Request) -> Response:
        posted = await admin_form(request)
        if isinstance(posted, Response):
            return posted
        user, values = posted
        fmt = str(values.get("format", "json"))
        if fmt not in MEDIA_TYPES:
            raise HttpError(422, "format must be json, csv or pdf")
        query = record_filter(_form(values), user, inbox)
        wanted = str(values.get("request", "")).strip()[:500] or None
        spec = ExportRequest(query=query, exported_by=user.display_name or user.username,
                             exported_at=datetime.now(UTC), request=wanted,
                             redact_pii=bool(values.get("redact_pii")), municipality=get_settings().municipality,
                             account_names=inbox.names)
        body = await inbox.run(_export_bytes, inbox, spec, fmt, user.username)
        stamp = spec.exported_at.astimezone(OSLO).strftime("%Y%m%d-%H%M")
        return Response(body, media_type=MEDIA_TYPES[fmt], headers={
            "Content-Disposition": f'attachment; filename="innsyn-{stamp}.{SUFFIX[fmt]}"'})

    async def set_rule(request: Request) -> Response:
        posted = await admin_form(request)
        if isinstance(posted, Response):
            return posted
        user, values = posted
        account = str(values.get("account", "")).strip()
        if account not in inbox.names or not user.sees(account, inbox.units):
            raise HttpError(422, "choose one of the accounts you see")
        days = str(values.get("keep_days", "")).strip()
        try:
            keep_days = int(days) if days else None
            await inbox.run(set_retention, inbox.engine, account, keep_days, user.username, datetime.now(UTC))
        except (ValueError, RetentionError) as exc:
            raise HttpError(422, str(exc) if isinstance(exc, RetentionError) else "keep days is a whole number") \
                from None
        return RedirectResponse("/innsyn#oppbevaring", status_code=303)

    async def hold(request: Request) -> Response:
        posted = await admin_form(request)
        if isinstance(posted, Response):
            return posted
        user, values = posted
        account = str(values.get("account", "")).strip() or None
        conversation = str(values.get("conversation", "")).strip() or None
        if account is None and conversation is None and user.units:
            raise HttpError(403, "a hold on every account needs an administrator without unit limits")
        if account is not None and not user.sees(account, inbox.units):
            raise HttpError(403, "that account belongs to a unit you do not see")
        try:
            await inbox.run(place_hold, inbox.engine, str(values.get("reason", "")), user.username,
                            datetime.now(UTC), account, conversation)
        except RetentionError as exc:
            raise HttpError(422, str(exc)) from None
        return RedirectResponse("/innsyn#oppbevaring", status_code=303)

    async def release(request: Request) -> Response:
        posted = await admin_form(request)
        if isinstance(posted, Response):
            return posted
        user, values = posted
        try:
            await inbox.run(release_hold, inbox.engine, int(request.path_params["hold_id"]), user.username,
                            datetime.now(UTC))
        except RetentionError as exc:
            raise HttpError(422, str(exc)) from None
        return RedirectResponse("/innsyn#oppbevaring", status_code=303)

    return [
        Route("/innsyn", page, methods=["GET"]),
        Route("/innsyn/eksport", export, methods=["POST"]),
        Route("/innsyn/oppbevaring", set_rule, methods=["POST"]),
        Route("/innsyn/hold", hold, methods=["POST"]),
        Route("/innsyn/hold/{hold_id:int}/opphev", release, methods=["POST"]),
    ]


def _export_bytes(inbox: InboxContext, spec: ExportRequest, fmt: str, actor: str) -> bytes:
    stats = ExportStats()
    if fmt == "pdf":
        revisions = count(inbox.engine, spec.query, PDF_MAX_REVISIONS)[1] or 0
        if revisions > PDF_MAX_REVISIONS:
            raise HttpError(422, f"more than {PDF_MAX_REVISIONS} revisions: more than the page renders as PDF "
                            f"({PDF_MAX_REVISIONS}): narrow the filters or use innboks records search")
        body = render_pdf(search(inbox.engine, spec.query), spec, stats)
    else:
        buffer = io.StringIO()
        write_text(search(inbox.engine, spec.query), spec, fmt, buffer, stats)
        body = buffer.getvalue().encode("utf-8")
    audit_export(inbox.engine, actor, spec, fmt, stats)
    return body


def _search_details(query: RecordFilter, found: tuple[int | None, int | None]) -> dict[str, Any]:
    return {"accounts": list(query.accounts), "since": query.since.isoformat() if query.since else None,
            "until": query.until.isoformat() if query.until else None, "text_filter": query.text is not None,
            "author_filter": query.author is not None, "whole_threads": query.whole_threads, "messages": found[0],
            "revisions": found[1]}


def _audit(inbox: InboxContext, actor: str, action: str, target: str | None, details: dict[str, Any]) -> None:
    with inbox.engine.begin() as connection:
        audit(connection, actor, action, target, details)
