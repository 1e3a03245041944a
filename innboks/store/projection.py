"""Applying one record of the topics to the store's projected tables (idempotent).

A replay or a re-delivery yields the same rows: messages keep one row per revision, told apart by a
digest of their content, each with the platform's item it was mapped from (``NormalizedMessage.raw``,
kept as first seen); SLA events are deduplicated on ``event_id`` and an inquiry never moves back
to an earlier state (a late ``opened`` does not reopen an answered inquiry); cases are keyed by
``(case_id, revision)``. Records of different topics may arrive in any order (a message's triage
before the message, an SLA event before its message): every step tolerates that.

Each message is written once, from ``innboks.messages``; from ``innboks.triaged`` the store takes only
the triage. A triage that comes before its message (the topics are read in no particular order)
writes the message from the copy it carries, and the message's own record later only fills in
what the copy lacks (the platform's item).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from innboks.config import topics
from innboks.db.bulk import chunks, one_of
from innboks.db.fulltext import index_revision
from innboks.db.live import Change, record
from innboks.db.schema import (
    OPEN_STATES,
    actions,
    cases,
    control_state,
    facts_versions,
    inquiries,
    message_revisions,
    messages,
    sla_events,
)
from innboks.domain.action_rules import OUTCOME_RANK
from innboks.errors import first_validation_error
from innboks.store.receipts import apply_archive_receipt
from schemas import (
    ACCOUNT_KEY_PREFIX,
    CRISIS_KEY,
    FACTS_KEY,
    ActionEvent,
    ArchiveReceipt,
    CaseForward,
    ControlEvent,
    FactsEvent,
    InboxMessage,
    NormalizedMessage,
    SlaEvent,
    TriagedMessage,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from innboks.domain.policies import Policy

#: How far an inquiry has come; an event never moves it back (except a snooze and its wake-up).
STATE_RANK = {"opened": 0, "warning": 1, "breached": 2, "snoozed": 2, "answered": 3, "closed": 4}


class InvalidRecord(ValueError):
    """A record the store cannot take; ``code`` is a bounded dead-letter reason code."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


#: What ``decode`` gives: one record as its topic's model.
Decoded = (NormalizedMessage | TriagedMessage | SlaEvent | CaseForward | ActionEvent | ControlEvent | FactsEvent
           | ArchiveReceipt)

MODELS: dict[str, type[Decoded]] = {
    topics.MESSAGES: NormalizedMessage, topics.TRIAGED: TriagedMessage, topics.SLA: SlaEvent,
    topics.CASES: CaseForward, topics.ACTIONS: ActionEvent, topics.CONTROL: ControlEvent,
    topics.ARCHIVE_RECEIPTS: ArchiveReceipt,
}


def decode(topic: str, value: bytes | None, key: bytes | None = None) -> Decoded | None:
    """A record as its topic's model, None for one the store skips (a tombstone on the compacted control
    topic, an account connected in Kontoer); raises ``InvalidRecord`` for one that is not its schema."""
    if not value:
        if topic == topics.CONTROL:
            return None  # a tombstone on the compacted control topic
        raise InvalidRecord("empty_value", f"an empty record on {topic}")
    model = MODELS.get(topic)
    if topic == topics.CONTROL:
        if key == FACTS_KEY.encode():
            model = FactsEvent
        elif (key or b"").decode("utf-8", "replace").startswith(ACCOUNT_KEY_PREFIX):
            return None  # accounts connected in Kontoer: the store is where they were written
    if model is None:
        raise InvalidRecord("unknown_topic", f"the store does not project {topic}")
    try:
        return model.model_validate_json(value)
    except ValidationError as exc:
        raise InvalidRecord("schema_violation", first_validation_error(exc, "(record)")) from None


def apply(connection: Connection, topic: str, value: bytes | None, key: bytes | None = None) -> None:
    """Apply one record of a projected topic; raises ``InvalidRecord`` for one that is not its schema.

    The rules, one record at a time; ``innboks.store.batch`` applies a whole batch with the same rows
    and the same changes.
    """
    decoded = decode(topic, value, key)
    if decoded is not None:
        apply_decoded(connection, (key or b"").decode("utf-8", "replace"), decoded)


def apply_decoded(connection: Connection, key: str, decoded: Decoded) -> None:
    """Apply one decoded record (``key``: the record's key, which names a control switch)."""
    if isinstance(decoded, NormalizedMessage):
        apply_message(connection, decoded, decoded.raw.model_dump(mode="json") if decoded.raw else None)
        refresh_escalation(connection, [decoded.key])
    elif isinstance(decoded, TriagedMessage):
        apply_triage(connection, decoded)
        refresh_escalation(connection, [decoded.message.key])
    elif isinstance(decoded, SlaEvent):
        apply_sla(connection, decoded)
        refresh_escalation(connection, [decoded.conversation_key])
    elif isinstance(decoded, CaseForward):
        apply_case(connection, decoded)
    elif isinstance(decoded, ActionEvent):
        apply_action(connection, decoded)
    elif isinstance(decoded, ControlEvent):
        apply_control(connection, key, decoded)
    elif isinstance(decoded, FactsEvent):
        apply_facts(connection, decoded)
    elif isinstance(decoded, ArchiveReceipt):
        apply_archive_receipt(connection, decoded)  # innboks/store/receipts.py


def content_digest(message: InboxMessage) -> str:
    """What makes a revision new: what happened to the message (its event) and its text."""
    return hashlib.sha256(json.dumps([message.event.value, message.text], ensure_ascii=False).encode()).hexdigest()


#: What ``message_revisions.message`` leaves out of a ``NormalizedMessage``: its platform item has a column of its own.
ONLY_ON_TOPIC = {"raw"}

#: Fields a later sighting may fill in without being a new revision (our reply as posted from
#: Innboks, then as the platform reports it with its link and author name).
FILLABLE = ("author_id", "author_name", "permalink", "parent_id")


def apply_message(connection: Connection, message: InboxMessage, raw: dict[str, Any] | None = None) -> None:
    """A message's revision (new content) or what a sighting of known content adds; ``raw``: the platform's item."""
    digest = content_digest(message)
    revisions = connection.execute(
        sa.select(message_revisions.c.revision, message_revisions.c.content_sha256)
        .where(message_revisions.c.message_id == message.id)
    ).all()
    if any(row.content_sha256 == digest for row in revisions):
        _fill_in(connection, message)
        if raw is not None:
            connection.execute(message_revisions.update().where(
                message_revisions.c.message_id == message.id, message_revisions.c.content_sha256 == digest,
                message_revisions.c.raw_payload.is_(None)).values(raw_payload=raw))
        return
    revision = max((row.revision for row in revisions), default=-1) + 1
    connection.execute(message_revisions.insert().values(
        message_id=message.id, revision=revision, event=message.event.value, text=message.text,
        author_name=message.author_name, content_sha256=digest,
        message=message.model_dump(mode="json", exclude=ONLY_ON_TOPIC), observed_at=message.fetched_at,
        raw_payload=sa.null() if raw is None else raw,
    ))
    index_revision(connection, message.id, revision, message.text, message.author_name)
    row = message_values(message, revision)
    if revision == 0:
        connection.execute(messages.insert().values(id=message.id, first_seen_at=message.fetched_at, **row))
        if not message.from_account:
            _follow_up(connection, message)
    else:
        connection.execute(messages.update().where(messages.c.id == message.id).values(**row))
    record(connection, message_change(message, _author_of(connection, message)))


def message_values(message: InboxMessage, revision: int) -> dict[str, Any]:
    """The columns of ``messages`` a new revision sets: its latest state."""
    row: dict[str, Any] = {
        "platform": message.platform.value, "account_id": message.account_id, "conversation_key": message.key,
        "conversation_id": message.conversation_id, "kind": message.kind.value, "event": message.event.value,
        "from_account": message.from_account, "created_at": message.created_at, "revision": revision,
        "updated_at": message.fetched_at,
    }
    # A later revision without a field (a deletion carries no text) keeps what was last seen.
    for name in ("text", *FILLABLE):
        value = getattr(message, name)
        if value is not None or revision == 0:
            row[name] = value
    return row


def message_change(message: InboxMessage, author: str) -> Change:
    """The feed's word of a message's new revision."""
    return Change(message.key, message.account_id, "message", author,
                  details={"message_id": message.id, "event": message.event.value,
                           "from_account": message.from_account})


def _author_of(connection: Connection, message: InboxMessage) -> str:
    """Who a new revision is from: the citizen, or (our account's message) the staff member whose reply it is."""
    if not message.from_account:
        return "citizen"
    requested_by = connection.execute(
        sa.select(actions.c.requested_by).where(actions.c.conversation_key == message.key,
                                                actions.c.kind == "reply",
                                                sa.or_(actions.c.platform_id == message.id,
                                                       actions.c.text == message.text))
        .order_by(actions.c.requested_at.desc()).limit(1)).scalar()
    return requested_by or "account"


def _fill_in(connection: Connection, message: InboxMessage) -> None:
    """The same content seen again: take the fields that were missing (a link, an author name)."""
    for name in FILLABLE:
        value = getattr(message, name)
        if value is not None:
            column = messages.c[name]
            connection.execute(messages.update().where(messages.c.id == message.id, column.is_(None))
                               .values({name: value}))


def _follow_up(connection: Connection, message: InboxMessage) -> None:
    """A citizen's newer message in a conversation with an open inquiry becomes the one to answer."""
    pending = inquiries.c.message_id
    connection.execute(
        inquiries.update()
        .where(inquiries.c.conversation_key == message.key, inquiries.c.state.in_(OPEN_STATES),
               inquiries.c.received_at <= message.created_at,
               sa.select(messages.c.created_at).where(messages.c.id == pending).scalar_subquery()
               < message.created_at)
        .values(message_id=message.id)
    )


def _pending_message(connection: Connection, event: SlaEvent) -> str:
    """The newest citizen message of the inquiry's conversation since it opened (else the first)."""
    newest = connection.execute(
        sa.select(messages.c.id)
        .where(messages.c.conversation_key == event.conversation_key, messages.c.from_account.is_(False),
               messages.c.created_at >= event.received_at)
        .order_by(messages.c.created_at.desc(), messages.c.id.desc()).limit(1)
    ).scalar()
    return newest or event.inquiry_id


def apply_triage(connection: Connection, triaged: TriagedMessage) -> None:
    """The triage of a message (none for our own messages and for edits): only the triage, unless the
    message is not stored yet, when the copy the record carries writes it first."""
    triage = triaged.triage
    if triage is None:
        return
    values = triage_values(triaged)
    if connection.execute(messages.update().where(messages.c.id == triaged.message.id).values(values)).rowcount:
        return
    apply_message(connection, triaged.message)
    connection.execute(messages.update().where(messages.c.id == triaged.message.id).values(values))


def triage_values(triaged: TriagedMessage) -> dict[str, Any]:
    """The columns of ``messages`` a triage sets."""
    triage = triaged.triage
    assert triage is not None
    return dict(
        category=triage.category.value, language=triage.language.value, escalate=triage.escalate,
        escalation_reasons=[r.value for r in triage.escalation_reasons],
        moderation=[m.value for m in triage.moderation],
        pii=[{"type": p.type.value, "start": p.start, "end": p.end} for p in triage.pii],
        rules=list(triage.rules), suggested_reply=triage.suggested_reply, ruleset_version=triaged.ruleset_version,
    )


def apply_sla(connection: Connection, event: SlaEvent) -> None:
    if connection.execute(sa.select(sla_events.c.event_id).where(sla_events.c.event_id == event.event_id)).first():
        return
    connection.execute(sla_events.insert().values(
        event_id=event.event_id, inquiry_id=event.inquiry_id, state=event.state.value,
        emitted_at=event.emitted_at, event=event.model_dump(mode="json"),
    ))
    current = connection.execute(
        sa.select(inquiries.c.state).where(inquiries.c.inquiry_id == event.inquiry_id)
    ).first()
    if current is not None and moved_on(current.state, event):
        return  # a late earlier state: the inquiry has moved on
    row = inquiry_values(event)
    if current is None:
        connection.execute(inquiries.insert().values(inquiry_id=event.inquiry_id,
                                                     message_id=_pending_message(connection, event), **row))
    else:
        connection.execute(inquiries.update().where(inquiries.c.inquiry_id == event.inquiry_id).values(**row))
    escalated = bool(connection.execute(sa.select(messages.c.escalate)
                                        .where(messages.c.id == event.inquiry_id)).scalar())
    record(connection, sla_change(event, escalated), bump=False)


def moved_on(state: str, event: SlaEvent) -> bool:
    """Whether an inquiry in ``state`` has moved past ``event`` (a late earlier state), which then
    changes nothing; a wake-up (``opened`` after ``snoozed``) moves it back."""
    woken = state == "snoozed" and event.state.value == "opened"
    return STATE_RANK[event.state.value] < STATE_RANK[state] and not woken


def inquiry_values(event: SlaEvent) -> dict[str, Any]:
    """The columns of ``inquiries`` an SLA event sets (the answer's only when it answers or closes)."""
    state = event.state.value
    row: dict[str, Any] = {
        "conversation_key": event.conversation_key, "account_id": event.account_id,
        "platform": event.platform.value, "policy": event.policy, "state": state,
        "received_at": event.received_at, "due_at": event.due_at, "updated_at": event.emitted_at,
        "normal_policy": event.normal_policy,
        "snoozed_until": (event.snoozed_until or SNOOZED_UNTIL_THE_CITIZEN_WRITES) if state == "snoozed" else None,
    }
    if state in ("answered", "closed"):
        row.update(answered_at=event.answered_at, answered_by=event.answered_by,
                   response_seconds=event.response_seconds, business_seconds=event.business_seconds,
                   in_time=event.in_time, resolution=event.resolution.value if event.resolution else None,
                   close_reason=_close_reason(event), closed_by=event.closed_by)
    return row


def sla_change(event: SlaEvent, escalated: bool) -> Change:
    """The feed's word of an SLA event that moved its inquiry (no version raised: nobody's reply is stale)."""
    return Change(event.conversation_key, event.account_id, "sla", event.closed_by or "system", event.inquiry_id,
                  {"state": event.state.value, "escalate": escalated})


def refresh_escalation(connection: Connection, conversation_keys: Iterable[str]) -> None:
    """``inquiries.escalate`` of the conversations' inquiries: whether the inquiry's first message or the
    one to answer is escalated (what the inbox shows, and sorts first; kept here so an index serves
    the order). Rows whose value is right already are not written."""
    for chunk in chunks(connection, conversation_keys):
        connection.execute(inquiries.update().where(one_of(connection, inquiries.c.conversation_key, chunk),
                                                    inquiries.c.escalate != ESCALATED).values(escalate=ESCALATED))


_FIRST, _PENDING = messages.alias("first"), messages.alias("pending")
#: An inquiry is escalated when its first message or the one to answer is.
ESCALATED = sa.or_(
    sa.func.coalesce(sa.select(_FIRST.c.escalate).where(_FIRST.c.id == inquiries.c.inquiry_id).scalar_subquery(),
                     sa.false()),
    sa.func.coalesce(sa.select(_PENDING.c.escalate).where(_PENDING.c.id == inquiries.c.message_id).scalar_subquery(),
                     sa.false()))


def apply_case(connection: Connection, case: CaseForward) -> None:
    exists = connection.execute(sa.select(cases.c.case_id).where(
        cases.c.case_id == case.case_id, cases.c.revision == case.revision)).first()
    if exists:
        return
    connection.execute(cases.insert().values(**case_row(case)))


def case_row(case: CaseForward) -> dict[str, Any]:
    return {"case_id": case.case_id, "revision": case.revision, "inquiry_message_id": case.inquiry.id,
            "conversation_key": case.inquiry.key, "screened": case.screening.screened,
            "forwarded_at": case.forwarded_at, "case": case.model_dump(mode="json")}


def _close_reason(event: SlaEvent) -> str | None:
    """Why it closed: staff's reason (no reply needed, spam, …) or the moderation reason of a hiding."""
    reason = event.closed_because or event.close_reason
    return reason.value if reason is not None else None


#: ``snoozed_until`` of an inquiry snoozed until the citizen writes again (sorts after every real time).
SNOOZED_UNTIL_THE_CITIZEN_WRITES = datetime(9999, 12, 31, tzinfo=UTC)


def follow_crisis(connection: Connection, crisis: Policy, policies: Mapping[str, Policy] | None = None) -> int:
    """After a crisis, open inquiries received during it return to their normal policy; how many moved.

    The SLA agent applies the same rule (``streams.sla.process.follow_crisis``) at the clock's next
    timer tick, but emits nothing for it: the store applies it itself as soon as it sees crisis mode
    off, the due time counted from receipt under the normal policy. During a crisis nothing moves:
    only inquiries received while it is on run on the crisis policy (their ``opened`` event says so),
    and those received before keep their deadline. Idempotent.
    """
    active = connection.execute(sa.select(control_state.c.active).where(control_state.c.key == CRISIS_KEY)).scalar()
    if active or not policies:
        return 0
    rows = connection.execute(sa.select(inquiries.c.inquiry_id, inquiries.c.received_at, inquiries.c.normal_policy,
                                        inquiries.c.conversation_key, inquiries.c.account_id).where(
        inquiries.c.state.in_((*OPEN_STATES, "snoozed")), inquiries.c.policy == crisis.name,
        inquiries.c.normal_policy.is_not(None)).order_by(inquiries.c.inquiry_id)).all()  # the feed in one order
    moved = 0
    for row in rows:
        normal = policies.get(row.normal_policy)
        if normal is None:
            continue
        connection.execute(inquiries.update().where(inquiries.c.inquiry_id == row.inquiry_id)
                           .values(policy=normal.name, due_at=normal.due_at(row.received_at), normal_policy=None))
        record(connection, Change(row.conversation_key, row.account_id, "sla", "system", row.inquiry_id,
                                  {"state": "policy", "policy": normal.name}), bump=False)
        moved += 1
    return moved


def apply_control(connection: Connection, key: str, event: ControlEvent) -> None:
    """The latest switch per key (crisis mode); an older event never overwrites a newer one."""
    key = key or event.kind
    current = connection.execute(sa.select(control_state.c.at).where(control_state.c.key == key)).first()
    values = {"active": event.active, "reason": event.reason, "set_by": event.set_by, "at": event.at}
    if current is None:
        connection.execute(control_state.insert().values(key=key, **values))
    elif current.at <= event.at:
        connection.execute(control_state.update().where(control_state.c.key == key).values(**values))


def apply_facts(connection: Connection, event: FactsEvent) -> None:
    """Every saved version of the facts registry, once (idempotent on digest and time)."""
    exists = connection.execute(sa.select(facts_versions.c.digest).where(
        facts_versions.c.digest == event.digest, facts_versions.c.at == event.at)).first()
    if exists is None:
        connection.execute(facts_versions.insert().values(digest=event.digest, at=event.at, document=event.document,
                                                          set_by=event.set_by))


def apply_action(connection: Connection, event: ActionEvent) -> None:
    """One row per action with its latest step; a re-delivered or older step changes nothing."""
    current = connection.execute(sa.select(actions.c.outcome).where(actions.c.action_id == event.action_id)).first()
    if current is None or OUTCOME_RANK[event.outcome] > OUTCOME_RANK[current.outcome]:
        change, bump = action_change(event, first=current is None)
        record(connection, change, bump=bump)
    if current is None:
        connection.execute(actions.insert().values(**action_row(event)))
    elif OUTCOME_RANK[event.outcome] > OUTCOME_RANK[current.outcome]:
        connection.execute(actions.update().where(actions.c.action_id == event.action_id)
                           .values(**action_step(event)))


def action_change(event: ActionEvent, *, first: bool) -> tuple[Change, bool]:
    """The feed's word of an action's new step (``first``: the action was not stored), and whether it
    raises the conversation's version: a staff member's request was recorded (and its version
    claimed) by the inbox already, and ``executing`` is no news."""
    by = event.approved_by if event.outcome.value == "approved" else event.requested_by
    bump = event.outcome.value != "executing" and (not first or event.automatic)
    return Change(event.key, event.target.account_id, "action", by, None,
                  {"action_id": event.action_id, "action": event.kind.value, "outcome": event.outcome.value,
                   "message_id": event.target.id}), bump


def action_row(event: ActionEvent) -> dict[str, Any]:
    """The row of an action first seen."""
    target = event.target
    return {
        "action_id": event.action_id, "kind": event.kind.value, "message_id": target.id,
        "conversation_key": target.key, "platform": target.platform.value, "account_id": target.account_id,
        "text": event.text, "reason": event.reason.value if event.reason else None, "forward": event.forward,
        "requested_by": event.requested_by, "automatic": event.automatic, "acknowledgement": event.acknowledgement,
        "needs_approval": event.needs_approval, "approved_by": event.approved_by, "outcome": event.outcome.value,
        "failure": event.failure.value if event.failure else None, "detail": event.detail,
        "platform_id": event.platform_id, "requested_at": event.at, "updated_at": event.at,
    }


#: What a later step of an action sets (and ``text``, when an approval edits it).
ACTION_STEP = ("outcome", "approved_by", "platform_id", "failure", "detail", "updated_at")


def action_step(event: ActionEvent) -> dict[str, Any]:
    """The columns a later step sets: its outcome and what came with it; an approval's edited text."""
    step = {"outcome": event.outcome.value, "approved_by": event.approved_by, "platform_id": event.platform_id,
            "failure": event.failure.value if event.failure else None, "detail": event.detail,
            "updated_at": event.at}
    if event.outcome.value == "approved" and event.text:
        step["text"] = event.text
    return step
