"""What the inbox shows, read from the store: inquiries most urgent first, whole conversations, crisis mode."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.config.accounts import Registry
from innboks.db.live import present, version_of
from innboks.db.schema import (
    OPEN_STATES,
    actions,
    assignments,
    cases,
    inquiries,
    message_revisions,
    messages,
    notes,
    triage_corrections,
)
from innboks.domain.archive_status import reply_with_saksnummer
from innboks.domain.capabilities import CAPABILITIES
from innboks.domain.permalinks import safe_permalink
from innboks.domain.platform_auth import reconnect_path
from innboks.domain.policies import Policy
from innboks.inbox.cases import archive_object, archive_rows, saksnummer_by_inquiry
from innboks.web.errors import NotFound
from innboks.web.users import User
from schemas import Category, HideReason, Kind, ModerationReason, Platform

STATES = ("open", "overdue", "snoozed", "answered", "all")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class InquiryFilter:
    state: str = "open"
    account: str | None = None
    category: str | None = None
    #: A user name or unit; "" means unassigned; None means anyone.
    assignee: str | None = None
    limit: int = 500
    #: Only escalated inquiries (emergency, threat, self-harm, child welfare, crisis, …).
    escalated: bool = False
    #: Words in the inquiry's text or its author's name (an operator's search, within the units they see).
    words: str | None = None
    #: One citizen's inquiries (``author_id``): the author's earlier conversations.
    author: str | None = None


def _visible_accounts(user: User, units_of_accounts: Mapping[str, str]) -> list[str] | None:
    """The accounts a unit-limited user sees, or None for every account."""
    if not user.units:
        return None
    return [account for account, unit in units_of_accounts.items() if unit in user.units]


def list_inquiries(engine: Engine, user: User, units_of_accounts: Mapping[str, str],
                   policies: Mapping[str, Policy], query: InquiryFilter,
                   now: datetime | None = None) -> tuple[list[dict[str, Any]], int]:
    """Inquiries matching ``query`` that the user may see, most urgent first, and their count.

    Most urgent: escalated inquiries (the first or the pending message escalated) before all others,
    then the earliest due. ``ix_inquiries_open_order`` holds the open ones in that order, so the list
    reads its page from the index whatever the number of stored messages.
    """
    now = now or datetime.now(UTC)
    # The inquiry's first message says what it is about (category, escalation, suggested reply); the
    # pending message (the citizen's newest) is the one to answer, shown with its text and author.
    first, pending = messages.alias("first"), messages.alias("pending")
    category, moderation = _corrected(inquiries.c.inquiry_id, first)
    conditions: list[sa.ColumnElement[bool]] = []
    if query.state in ("open", "overdue"):
        conditions.append(inquiries.c.state.in_(OPEN))
        if query.state == "overdue":
            conditions.append(inquiries.c.due_at < now)
    elif query.state == "snoozed":
        conditions.append(inquiries.c.state == "snoozed")
    elif query.state == "answered":
        conditions.append(inquiries.c.state.in_(("answered", "closed")))
    if query.escalated:
        conditions.append(inquiries.c.escalate.is_(True))
    if query.words:
        pattern = "%" + query.words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(sa.or_(sa.func.lower(pending.c.text).like(pattern, escape="\\"),
                                 sa.func.lower(first.c.text).like(pattern, escape="\\"),
                                 sa.func.lower(pending.c.author_name).like(pattern, escape="\\")))
    if query.author:
        conditions.append(sa.or_(pending.c.author_id == query.author, first.c.author_id == query.author))
    if query.account:
        conditions.append(inquiries.c.account_id == query.account)
    if query.category:
        conditions.append(category == query.category)
    if query.assignee == "":
        conditions.append(assignments.c.assignee.is_(None))
    elif query.assignee:
        conditions.append(assignments.c.assignee == query.assignee)
    visible = _visible_accounts(user, units_of_accounts)
    if visible is not None:
        conditions.append(inquiries.c.account_id.in_(visible))
    assigned = inquiries.outerjoin(assignments, assignments.c.conversation_key == inquiries.c.conversation_key)
    joined = (assigned.outerjoin(first, first.c.id == inquiries.c.inquiry_id)
              .outerjoin(pending, pending.c.id == inquiries.c.message_id))
    # The JSON lists come as their text, decoded only where not empty, and personal data as a yes or no:
    # decoding 2,500 JSON values took a third of a 500-row list's time.
    select = (
        sa.select(*(inquiries.c[name] for name in LISTED), pending.c.text, pending.c.author_name, pending.c.permalink,
                  pending.c.kind, pending.c.language, pending.c.author_id, category.label("category"),
                  sa.cast(moderation, sa.Text).label("moderation"), first.c.suggested_reply,
                  sa.cast(first.c.escalation_reasons, sa.Text).label("escalation_reasons"),
                  sa.cast(pending.c.escalation_reasons, sa.Text).label("pending_reasons"),
                  sa.or_(sa.cast(first.c.pii, sa.Text) != "[]", sa.cast(pending.c.pii, sa.Text) != "[]")
                  .label("personal_data"), assignments.c.assignee)
        .select_from(joined).where(*conditions)
        # Escalated inquiries before all others, then the earliest deadline (DESIGN.md).
        .order_by(inquiries.c.escalate.desc(), inquiries.c.due_at.asc(), inquiries.c.inquiry_id.asc())
        .limit(min(query.limit, MAX_LIMIT))
    )
    # The count needs the messages only to filter by category, words or author.
    by_message = query.category or query.words or query.author
    count = sa.select(sa.func.count()).select_from(joined if by_message else assigned).where(*conditions)
    with engine.connect() as connection:
        rows = connection.execute(select).all()
        total = connection.execute(count).scalar() or 0
        numbers = saksnummer_by_inquiry(connection, [row.inquiry_id for row in rows])
    # As dictionaries: a Row's attribute lookup costs more than the rest of a row's fields put together.
    found = [SimpleNamespace(**row._asdict()) for row in rows]
    return [_inquiry(row, policies.get(row.policy), now, numbers.get(row.inquiry_id)) for row in found], total


#: The columns of ``inquiries`` a list row shows.
LISTED = ("inquiry_id", "message_id", "conversation_key", "platform", "account_id", "state", "policy", "received_at",
          "due_at", "answered_at", "in_time", "escalate", "snoozed_until", "close_reason", "resolution")
#: The open states as literals in the SQL, so that SQLite, too, sees the partial index's own condition.
OPEN: sa.BindParameter[str] = sa.bindparam("open_states", OPEN_STATES, expanding=True, literal_execute=True)


def _corrected(message_id: sa.ColumnElement[Any],
               message: sa.FromClause) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[Any]]:
    """Category and moderation as staff last corrected them, else as triage decided."""
    def latest(column: sa.Column[Any]) -> sa.ScalarSelect[Any]:
        return (sa.select(column).where(triage_corrections.c.message_id == message_id)
                .order_by(triage_corrections.c.id.desc()).limit(1).scalar_subquery())

    return (sa.func.coalesce(latest(triage_corrections.c.category), message.c.category),
            sa.func.coalesce(latest(triage_corrections.c.moderation), message.c.moderation,
                             type_=triage_corrections.c.moderation.type))


def business_seconds_left(policy: Policy | None, due_at: datetime, now: datetime) -> float | None:
    """Business time until the deadline (negative: overdue by that much) on the inquiry's calendar."""
    if policy is None:
        return None
    if due_at > now:
        return policy.calendar.business_seconds_between(now, due_at)
    return -policy.calendar.business_seconds_between(due_at, now)


def _inquiry(row: Any, policy: Policy | None, now: datetime, saksnummer: str | None = None) -> dict[str, Any]:
    """``saksnummer``: the archive's number for the inquiry's case, named in the suggested reply."""
    is_open = row.state in OPEN_STATES
    return {
        "inquiry_id": row.inquiry_id, "message_id": row.message_id, "conversation_key": row.conversation_key,
        "platform": row.platform, "account_id": row.account_id, "state": row.state,
        "received_at": row.received_at.isoformat(), "due_at": row.due_at.isoformat(),
        "category": row.category, "escalate": row.escalate,
        "moderation": _listed(row.moderation),
        "text": row.text, "author_name": row.author_name,
        "suggested_reply": reply_with_saksnummer(row.suggested_reply, saksnummer, row.language),
        "permalink": safe_permalink(row.platform, row.permalink), "assignee": row.assignee,
        "saksnummer": saksnummer,
        # Beyond the contract: what the pages show.
        "policy": row.policy, "kind": row.kind, "language": row.language,
        "escalation_reasons": list(dict.fromkeys([*_listed(row.escalation_reasons), *_listed(row.pending_reasons)])),
        "personal_data": bool(row.personal_data),
        "overdue": is_open and row.due_at < now,
        "business_seconds_left": business_seconds_left(policy, row.due_at, now) if is_open else None,
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "in_time": row.in_time, "author_id": row.author_id,
        "snoozed_until": row.snoozed_until.isoformat() if row.snoozed_until else None,
        "close_reason": row.close_reason, "resolution": row.resolution,
    }


def _listed(text: str | None) -> list[Any]:
    """A JSON list column read as text."""
    return [] if text is None or text == "[]" else list(json.loads(text))


def conversation(engine: Engine, key: str, user: User, units_of_accounts: Mapping[str, str]) -> dict[str, Any]:
    """The whole thread: every message with its revisions, triage and corrections; inquiries; cases."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(messages).where(messages.c.conversation_key == key)
                                  .order_by(messages.c.created_at, messages.c.id)).all()
        if not rows or not user.sees(rows[0].account_id, units_of_accounts):
            raise NotFound("no such conversation")
        ids = [row.id for row in rows]
        revisions = connection.execute(sa.select(message_revisions.c.message_id, message_revisions.c.revision,
                                                 message_revisions.c.event, message_revisions.c.text,
                                                 message_revisions.c.author_name, message_revisions.c.observed_at)
                                       .where(message_revisions.c.message_id.in_(ids))
                                       .order_by(message_revisions.c.message_id, message_revisions.c.revision)).all()
        case_rows = connection.execute(sa.select(cases.c.case_id, cases.c.revision, cases.c.forwarded_at,
                                                 cases.c.screened, cases.c.inquiry_message_id)
                                       .where(cases.c.conversation_key == key)
                                       .order_by(cases.c.forwarded_at, cases.c.revision)).all()
        archive = archive_rows(connection, [c.case_id for c in case_rows])
        inquiry_rows = connection.execute(sa.select(inquiries).where(inquiries.c.conversation_key == key)
                                          .order_by(inquiries.c.received_at)).all()
        assigned = connection.execute(sa.select(assignments).where(assignments.c.conversation_key == key)).first()
        corrections = connection.execute(sa.select(triage_corrections).where(triage_corrections.c.message_id.in_(ids))
                                         .order_by(triage_corrections.c.id)).all()
        action_rows = connection.execute(sa.select(actions).where(actions.c.conversation_key == key)
                                         .order_by(actions.c.requested_at)).all()
        note_rows = connection.execute(sa.select(notes).where(notes.c.conversation_key == key)
                                       .order_by(notes.c.created_at, notes.c.id)).all()
        version, presence = version_of(connection, key), present(connection, key)
    by_message: dict[str, list[dict[str, Any]]] = {}
    for rev in revisions:
        by_message.setdefault(rev.message_id, []).append({
            "revision": rev.revision, "event": rev.event, "text": rev.text, "author_name": rev.author_name,
            "observed_at": rev.observed_at.isoformat()})
    numbers = {c.inquiry_message_id: archive_object(archive.get((c.case_id, 0)))["saksnummer"]
               for c in case_rows if c.revision == 0}
    corrected = {c.message_id: {"category": c.category, "moderation": list(c.moderation or []),
                                "corrected_by": c.corrected_by, "corrected_at": c.corrected_at.isoformat()}
                 for c in corrections}  # the latest correction per message wins
    return {
        "conversation_key": key, "version": str(version), "platform": rows[0].platform,
        "account_id": rows[0].account_id, "assignee": assigned.assignee if assigned else None,
        "assigned_by": assigned.assigned_by if assigned else None,
        "messages": [{
            "id": row.id, "kind": row.kind, "event": row.event, "from_account": row.from_account,
            "author_name": row.author_name, "author_id": row.author_id, "text": row.text,
            "created_at": row.created_at.isoformat(),
            "permalink": safe_permalink(row.platform, row.permalink), "parent_id": row.parent_id,
            "category": row.category,
            "language": row.language, "escalate": row.escalate, "escalation_reasons": list(row.escalation_reasons),
            "moderation": list(row.moderation), "personal_data": bool(row.pii),
            "pii_types": sorted({p["type"] for p in row.pii or []}), "rules": list(row.rules),
            "suggested_reply": reply_with_saksnummer(row.suggested_reply, numbers.get(row.id), row.language),
            "ruleset_version": row.ruleset_version,
            "revisions": by_message.get(row.id, []), "correction": corrected.get(row.id),
        } for row in rows],
        "inquiries": [{"inquiry_id": i.inquiry_id, "message_id": i.message_id, "state": i.state,
                       "policy": i.policy, "received_at": i.received_at.isoformat(), "due_at": i.due_at.isoformat(),
                       "answered_at": i.answered_at.isoformat() if i.answered_at else None,
                       "resolution": i.resolution, "in_time": i.in_time, "close_reason": i.close_reason,
                       "closed_by": i.closed_by, "normal_policy": i.normal_policy,
                       "snoozed_until": i.snoozed_until.isoformat() if i.snoozed_until else None}
                      for i in inquiry_rows],
        "notes": [{"id": n.id, "text": n.text, "author": n.author, "created_at": n.created_at.isoformat(),
                   "internal": True} for n in note_rows],
        "presence": presence,
        "cases": [{"case_id": c.case_id, "revision": c.revision, "forwarded_at": c.forwarded_at.isoformat(),
                   "screened": c.screened, "message_id": c.inquiry_message_id,
                   "archive": archive_object(archive.get((c.case_id, c.revision)))} for c in case_rows],
        # The newest case's place in the archive (GET /api/cases has every case).
        "archive": archive_object(archive.get((case_rows[-1].case_id, 0))) if case_rows else None,
        "actions": [action_of(a) for a in action_rows],
    }


def conversation_view(engine: Engine, key: str, user: User, units_of_accounts: Mapping[str, str],
                      registry: Registry) -> dict[str, Any]:
    """What the conversation page shows: the thread, the inquiry to answer and the message to reply
    to, its category, and what the platform lets us do (``innboks.domain.capabilities``)."""
    thread = conversation(engine, key, user, units_of_accounts)
    open_inquiry = next((i for i in reversed(thread["inquiries"]) if i["state"] in OPEN_STATES), None)
    citizen = [m for m in thread["messages"] if not m["from_account"] and m["event"] != "deleted"]
    pending = open_inquiry["message_id"] if open_inquiry else None
    reply_to = next((m for m in citizen if m["id"] == pending), citizen[-1] if citizen else None)
    first = next((m for m in thread["messages"] if open_inquiry and m["id"] == open_inquiry["inquiry_id"]), None)
    about = first or reply_to or {}
    category = (about.get("correction") or {}).get("category") or about.get("category")
    platform = Platform(thread["platform"])
    capabilities = CAPABILITIES[platform]
    account = registry.find(platform, thread["account_id"])
    reply_kind = Kind(reply_to["kind"]) if reply_to else Kind.COMMENT
    items = sorted([{"type": "message", "at": m["created_at"], **m} for m in thread["messages"]]
                   + [{"type": "note", "at": n["created_at"], **n} for n in thread["notes"]], key=lambda i: i["at"])
    return {
        "thread": thread, "items": items, "open_inquiry": open_inquiry, "post": parent_post(engine, thread),
        "author_id": next((m.get("author_id") for m in citizen if m.get("author_id")), None),
        "latest_inquiry": thread["inquiries"][-1] if thread["inquiries"] else None, "reply_to": reply_to,
        "supports": {kind.value for kind in capabilities.supports},
        "unsupported": {kind.value: why for kind, why in capabilities.unsupported_because.items()},
        "reply_limit": capabilities.reply_limit(reply_kind, account.options if account else None),
        "reply_unit": capabilities.length_measure(reply_kind),
        "forward": category == Category.CASE_HANDLING.value,
        "escalated": any(m["escalate"] for m in citizen),
        "categories": [c.value for c in Category], "reasons": [m.value for m in ModerationReason],
        "hide_reasons": [r.value for r in HideReason],
        # Where an action failed as token_expired, the button to connect the account again (Kontoer).
        "reconnect_url": reconnect_path(platform, thread["account_id"]),
    }


def parent_post(engine: Engine, thread: dict[str, Any]) -> dict[str, Any] | None:
    """The post a comment thread was written under (its own conversation in the store), to show above it."""
    parents = {m["parent_id"] for m in thread["messages"] if m["parent_id"] and m["kind"] == "comment"}
    if not parents:
        return None
    ids = {*parents, *(f"{thread['platform']}:{p}" for p in parents)}
    with engine.connect() as connection:
        row = connection.execute(sa.select(messages.c.id, messages.c.text, messages.c.author_name,
                                           messages.c.created_at, messages.c.permalink, messages.c.conversation_key)
                                 .where(messages.c.id.in_(ids), messages.c.kind == "post").limit(1)).first()
    if row is None:
        return None
    return {"id": row.id, "text": row.text, "author_name": row.author_name, "created_at": row.created_at.isoformat(),
            "permalink": safe_permalink(thread["platform"], row.permalink), "conversation_key": row.conversation_key}


def action_of(row: Any) -> dict[str, Any]:
    return {"action_id": row.action_id, "kind": row.kind, "message_id": row.message_id, "outcome": row.outcome,
            "text": row.text, "reason": row.reason, "forward": row.forward, "requested_by": row.requested_by,
            "automatic": row.automatic, "acknowledgement": row.acknowledgement,
            "needs_approval": row.needs_approval, "approved_by": row.approved_by, "failure": row.failure,
            "detail": row.detail, "platform_id": row.platform_id, "requested_at": row.requested_at.isoformat(),
            "updated_at": row.updated_at.isoformat()}


def action(engine: Engine, action_id: str, user: User, units_of_accounts: Mapping[str, str]) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(sa.select(actions).where(actions.c.action_id == action_id)).first()
    if row is None or not user.sees(row.account_id, units_of_accounts):
        raise NotFound("no such action")
    return action_of(row)


def pending_approvals(engine: Engine, user: User, units_of_accounts: Mapping[str, str]) -> list[dict[str, Any]]:
    """Replies (and other actions) waiting for a second operator's approval, oldest first."""
    select = (sa.select(actions, messages.c.author_name).outerjoin(messages, messages.c.id == actions.c.message_id)
              .where(actions.c.needs_approval.is_(True), actions.c.outcome == "requested")
              .order_by(actions.c.requested_at))
    visible = _visible_accounts(user, units_of_accounts)
    if visible is not None:
        select = select.where(actions.c.account_id.in_(visible))
    with engine.connect() as connection:
        rows = connection.execute(select.limit(100)).all()
    return [{**action_of(row), "author_name": row.author_name} for row in rows]
