"""Retention per account, legal holds, and the deletion job that applies them (audited).

* **Retention** (``retention_rules``): an account without a rule, or with ``keep_days`` NULL, keeps
  everything for ever (the default). With ``keep_days`` N, a *conversation* may be deleted once its
  last activity (the newest message, or the newest revision seen of any of its messages) is more
  than N days old: a thread goes as a whole, never a question without its answer.
* **Legal hold** (``legal_holds``): a hold on every account, on one account or on one conversation
  blocks deletion of what it covers until it is released, whatever the retention says.
* **Purge**: what a rule allows and no hold blocks is deleted with everything the store derived from
  it (revisions and raw items, SLA clocks and events, forwarded-case copies, assignments, triage
  corrections, actions; SQLite's search index), one transaction per batch of conversations. It is a
  dry run unless asked to delete; each account deleted from gets one ``records_purge`` entry in the
  audit log (counts, rule and cutoff; no ids of people, no text). Rule and hold changes are audited
  as ``retention_set``, ``legal_hold_placed`` and ``legal_hold_released``.

A purged message comes back if the topics still hold it and the store is rebuilt from them
(``innboks store rebuild``): keep ``keep_days`` above the topics' retention (docs/records.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from innboks.db.audit import audit
from innboks.db.fulltext import unindex_messages
from innboks.db.schema import (
    actions,
    archive_events,
    assignments,
    case_archive,
    cases,
    inquiries,
    legal_holds,
    message_revisions,
    messages,
    retention_rules,
    sla_events,
    triage_corrections,
)

BATCH_CONVERSATIONS = 500


class RetentionError(ValueError):
    """A rule or hold that cannot be set (one line for the user)."""


@dataclass(frozen=True)
class Hold:
    id: int
    account_id: str | None
    conversation_key: str | None
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def covers(self, account_id: str, conversation_key: str | None = None) -> bool:
        if self.account_id is not None and self.account_id != account_id:
            return False
        return self.conversation_key is None or self.conversation_key == conversation_key


@dataclass
class AccountPurge:
    account_id: str
    keep_days: int
    cutoff: datetime
    conversations: int = 0
    messages: int = 0
    revisions: int = 0
    held_conversations: int = 0
    held_account: bool = False

    def audit_details(self, dry_run: bool) -> dict[str, Any]:
        return {"keep_days": self.keep_days, "cutoff": self.cutoff.isoformat(), "conversations": self.conversations,
                "messages": self.messages, "revisions": self.revisions,
                "held_conversations": self.held_conversations, "held_account": self.held_account,
                "dry_run": dry_run}


@dataclass
class PurgeReport:
    dry_run: bool
    accounts: list[AccountPurge] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return sum(a.messages for a in self.accounts)


# --- rules and holds --------------------------------------------------------------------------

def set_retention(engine: Engine, account_id: str, keep_days: int | None, actor: str, now: datetime) -> None:
    """Set an account's rule; ``keep_days`` None keeps everything (the default, as without a rule)."""
    if not account_id.strip():
        raise RetentionError("the account id is empty")
    if keep_days is not None and keep_days < 1:
        raise RetentionError("keep days must be at least 1 (or keep for ever)")
    with engine.begin() as connection:
        connection.execute(retention_rules.delete().where(retention_rules.c.account_id == account_id))
        connection.execute(retention_rules.insert().values(account_id=account_id, keep_days=keep_days,
                                                           updated_by=actor, updated_at=now))
        audit(connection, actor, "retention_set", account_id, {"keep_days": keep_days})


def topics_outliving(keep_days: int) -> list[tuple[str, int]]:
    """The projected topics that keep records longer than ``keep_days`` (name, days): a ``store
    rebuild`` while they still hold a purged conversation's records brings those back."""
    from innboks.config.topics import CATALOGUE, PROJECTED_TOPICS

    day_ms = 24 * 3600 * 1000
    kept = {spec.name: int(spec.config["retention.ms"]) // day_ms for spec in CATALOGUE
            if spec.name in PROJECTED_TOPICS and "retention.ms" in spec.config}
    return sorted((name, days) for name, days in kept.items() if days > keep_days)


def list_retention(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(retention_rules).order_by(retention_rules.c.account_id)).all()
    return [dict(row._mapping) for row in rows]


def place_hold(engine: Engine, reason: str, actor: str, now: datetime, account_id: str | None = None,
               conversation_key: str | None = None) -> int:
    """A new legal hold (on every account, an account, or a conversation); its id."""
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise RetentionError("a legal hold needs a reason (1 to 500 characters), e.g. the case number")
    if conversation_key is not None:
        parts = conversation_key.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise RetentionError("a conversation key looks like platform:account:conversation")
        if account_id is not None and parts[1] != account_id:
            raise RetentionError("the conversation is not one of that account's")
        account_id = parts[1]
    with engine.begin() as connection:
        inserted = connection.execute(legal_holds.insert().values(
            account_id=account_id, conversation_key=conversation_key, reason=reason, placed_by=actor, placed_at=now,
        )).inserted_primary_key
        assert inserted is not None
        hold_id = inserted[0]
        audit(connection, actor, "legal_hold_placed", conversation_key or account_id or "*",
              {"hold_id": hold_id, "account_id": account_id, "conversation_key": conversation_key})
    return int(hold_id)


def release_hold(engine: Engine, hold_id: int, actor: str, now: datetime) -> Hold:
    with engine.begin() as connection:
        row = connection.execute(sa.select(legal_holds).where(legal_holds.c.id == hold_id)).first()
        if row is None:
            raise RetentionError(f"no legal hold {hold_id}")
        if row.released_at is not None:
            raise RetentionError(f"legal hold {hold_id} was already released by {row.released_by}")
        connection.execute(legal_holds.update().where(legal_holds.c.id == hold_id).values(
            released_by=actor, released_at=now))
        audit(connection, actor, "legal_hold_released", row.conversation_key or row.account_id or "*",
              {"hold_id": hold_id})
    return Hold(**{**dict(row._mapping), "released_by": actor, "released_at": now})


def get_hold(engine: Engine, hold_id: int) -> Hold | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(legal_holds).where(legal_holds.c.id == hold_id)).first()
    return Hold(**dict(row._mapping)) if row is not None else None


def list_holds(engine: Engine, include_released: bool = False) -> list[Hold]:
    query = sa.select(legal_holds).order_by(legal_holds.c.id)
    if not include_released:
        query = query.where(legal_holds.c.released_at.is_(None))
    with engine.connect() as connection:
        return [Hold(**dict(row._mapping)) for row in connection.execute(query)]


# --- the deletion job ------------------------------------------------------------------------

def purge(engine: Engine, now: datetime, actor: str, apply: bool = False) -> PurgeReport:
    """Delete (or with ``apply`` False only count) what the retention rules allow and no hold blocks.

    Each batch is one transaction that reads the holds and the conversations' last activity again, so
    a hold placed or a message arriving while the job runs is respected.
    """
    report = PurgeReport(dry_run=not apply)
    with engine.connect() as connection:
        rules = connection.execute(sa.select(retention_rules).where(retention_rules.c.keep_days.is_not(None))
                                   .order_by(retention_rules.c.account_id)).all()
        candidates = {rule.account_id: _expired_conversations(connection, rule.account_id,
                                                              now - timedelta(days=rule.keep_days))
                      for rule in rules}
    for rule in rules:
        result = AccountPurge(rule.account_id, rule.keep_days, now - timedelta(days=rule.keep_days))
        report.accounts.append(result)
        keys = candidates[rule.account_id]
        for start in range(0, len(keys), BATCH_CONVERSATIONS):
            with engine.begin() as connection:
                active = _active_holds(connection)
                if any(h.conversation_key is None and h.covers(rule.account_id) for h in active):
                    result.held_account = True
                    break
                batch = _expired_conversations(connection, rule.account_id, result.cutoff,
                                               keys[start:start + BATCH_CONVERSATIONS])
                held = {h.conversation_key for h in active if h.conversation_key in batch}
                result.held_conversations += len(held)
                batch = [key for key in batch if key not in held]
                found, revisions = _delete_conversations(connection, batch, apply)
                result.conversations += len(batch)
                result.messages += found
                result.revisions += revisions
        if not keys:
            with engine.connect() as connection:
                result.held_account = any(h.conversation_key is None and h.covers(rule.account_id)
                                          for h in _active_holds(connection))
        if apply and result.conversations:
            with engine.begin() as connection:
                audit(connection, actor, "records_purge", rule.account_id, result.audit_details(dry_run=False))
    return report


def _active_holds(connection: Connection) -> list[Hold]:
    rows = connection.execute(sa.select(legal_holds).where(legal_holds.c.released_at.is_(None)))
    return [Hold(**dict(row._mapping)) for row in rows]


def _expired_conversations(connection: Connection, account_id: str, cutoff: datetime,
                           among: Sequence[str] | None = None) -> list[str]:
    """The account's conversations whose last activity is before ``cutoff`` (optionally only ``among`` these)."""
    last = sa.func.max(sa.case((messages.c.updated_at > messages.c.created_at, messages.c.updated_at),
                               else_=messages.c.created_at))
    query = (sa.select(messages.c.conversation_key).where(messages.c.account_id == account_id)
             .group_by(messages.c.conversation_key).having(last < cutoff).order_by(messages.c.conversation_key))
    if among is not None:
        query = query.where(messages.c.conversation_key.in_(among))
    return [row.conversation_key for row in connection.execute(query)]


def _delete_conversations(connection: Connection, keys: Sequence[str], apply: bool) -> tuple[int, int]:
    """Delete a batch of conversations with everything derived from them; (messages, revisions)."""
    if not keys:
        return 0, 0
    ids = sa.select(messages.c.id).where(messages.c.conversation_key.in_(keys))
    found = connection.execute(sa.select(sa.func.count()).select_from(ids.subquery())).scalar() or 0
    revisions = connection.execute(sa.select(sa.func.count()).select_from(message_revisions)
                                   .where(message_revisions.c.message_id.in_(ids))).scalar() or 0
    if not apply:
        return found, revisions
    inquiry_ids = sa.select(inquiries.c.inquiry_id).where(inquiries.c.conversation_key.in_(keys))
    unindex_messages(connection, ids)
    connection.execute(sla_events.delete().where(sla_events.c.inquiry_id.in_(inquiry_ids)))
    connection.execute(inquiries.delete().where(inquiries.c.conversation_key.in_(keys)))
    case_ids = sa.select(cases.c.case_id).where(cases.c.conversation_key.in_(keys))
    connection.execute(archive_events.delete().where(archive_events.c.case_id.in_(case_ids)))
    connection.execute(case_archive.delete().where(case_archive.c.conversation_key.in_(keys)))
    connection.execute(cases.delete().where(cases.c.conversation_key.in_(keys)))
    connection.execute(assignments.delete().where(assignments.c.conversation_key.in_(keys)))
    connection.execute(triage_corrections.delete().where(triage_corrections.c.message_id.in_(ids)))
    connection.execute(actions.delete().where(actions.c.message_id.in_(ids)))
    connection.execute(message_revisions.delete().where(message_revisions.c.message_id.in_(ids)))
    connection.execute(messages.delete().where(messages.c.conversation_key.in_(keys)))
    return found, revisions
