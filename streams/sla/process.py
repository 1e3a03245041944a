"""The inquiry clock of one conversation, as a pure state machine.

An inquiry opens on a citizen's message when none is open; follow-ups before our answer do not
restart the clock; our own account's message in the same conversation answers it; a citizen's
message after our answer opens a new inquiry. Processing is at-least-once, so the state remembers
recent message ids and the time of the last answer: a redelivered message changes nothing.

An inquiry is also closed without an answer when every message it waits on is gone: hidden for a
reason the guideline allows (triage flagged it: personal attack, third party, unlawful) or
deleted. A message hidden without such a reason keeps the clock running.

Warnings and breaches come from ``tick``: the open inquiry records that each was emitted, in the
same table write, so a worker that takes over the partition does not emit them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from innboks.domain.policies import Policy
from schemas import Category, Event, InboxMessage, ModerationReason, Platform, Resolution, SlaEvent, SlaState, Triage
from schemas.base import UtcDatetime

RECENT_IDS = 64
#: Citizen messages remembered per open inquiry (the opening one and follow-ups).
PENDING_IDS = 32


class OpenInquiry(BaseModel):
    model_config = ConfigDict(frozen=True)

    inquiry_id: str
    account_id: str
    platform: Platform
    policy: str
    received_at: UtcDatetime
    due_at: UtcDatetime
    warning_at: UtcDatetime | None = None
    warned: bool = False
    breached: bool = False
    #: Citizen messages waiting for the answer, with the moderation reason triage gave each (if any).
    pending: dict[str, ModerationReason | None] = {}
    #: A case-handling request: routing forwarded it, so our answer tells the citizen where it went.
    case_handling: bool = False

    @property
    def next_alarm(self) -> datetime | None:
        """When ``tick`` has something to emit next (None once breached)."""
        if self.breached:
            return None
        if not self.warned and self.warning_at is not None:
            return self.warning_at
        return self.due_at


class ConversationClock(BaseModel):
    """Per-conversation state kept in the SLA table (keyed by conversation key)."""

    model_config = ConfigDict(frozen=True)

    open: OpenInquiry | None = None
    last_answered_at: UtcDatetime | None = None
    recent_ids: tuple[str, ...] = ()


def apply_message(
    clock: ConversationClock,
    message: InboxMessage,
    policy: str | None,
    policies: Mapping[str, Policy],
    now: datetime,
    triage: Triage | None = None,
    acknowledgements: frozenset[str] = frozenset(),
) -> tuple[ConversationClock, list[SlaEvent]]:
    """Advance the clock with one message; returns the new state and the events to emit.

    ``policy`` names the policy a new inquiry gets (account registry, or crisis mode); None means
    this message needs no answer and opens no clock (it still joins an inquiry already open).
    ``acknowledgements`` are the texts of our automatic out-of-hours acknowledgements (whitespace
    folded): our message with one of them answers nothing, and the clock keeps running.
    """
    if message.event in (Event.HIDDEN, Event.DELETED):
        return _withdraw(clock, message, now)
    if message.id in clock.recent_ids or message.event is not Event.CREATED:
        return clock, []
    recent = (*clock.recent_ids, message.id)[-RECENT_IDS:]
    inquiry = clock.open
    if message.from_account and acknowledgements and " ".join((message.text or "").split()) in acknowledgements:
        return clock.model_copy(update={"recent_ids": recent}), []
    if message.from_account:
        answered_at = max(message.created_at, clock.last_answered_at or message.created_at)
        if inquiry is None or message.created_at < inquiry.received_at:
            # Nothing open (or our message predates it): remember the answer so that a late
            # redelivery of an older citizen message does not open a stale inquiry.
            update: dict[str, object] = {"recent_ids": recent}
            if inquiry is None:
                update["last_answered_at"] = answered_at
            return clock.model_copy(update=update), []
        event = _event(
            inquiry, message.key, SlaState.ANSWERED, now,
            answered_at=message.created_at,
            answered_by=message.id,
            response_seconds=(message.created_at - inquiry.received_at).total_seconds(),
            business_seconds=policies[inquiry.policy].business_seconds(inquiry.received_at, message.created_at),
            in_time=message.created_at <= inquiry.due_at,
            resolution=Resolution.FORWARDED if inquiry.case_handling else Resolution.REPLY,
        )
        return clock.model_copy(update={"recent_ids": recent, "open": None, "last_answered_at": answered_at}), [event]
    if inquiry is not None:
        # A follow-up: the clock keeps running from the first message.
        return clock.model_copy(update={"recent_ids": recent, "open": _with_pending(inquiry, message, triage)}), []
    if clock.last_answered_at is not None and message.created_at <= clock.last_answered_at:
        return clock.model_copy(update={"recent_ids": recent}), []  # older than our last answer: already answered
    if policy is None:
        return clock.model_copy(update={"recent_ids": recent}), []
    opened = _open(message.id, message.account_id, message.platform, policies[policy], message.created_at,
                   pending=_pending({}, message, triage), case_handling=_case_handling(False, triage))
    return clock.model_copy(update={"recent_ids": recent, "open": opened}), [_event(opened, message.key,
                                                                                      SlaState.OPENED, now)]


def _pending(pending: Mapping[str, ModerationReason | None], message: InboxMessage,
             triage: Triage | None) -> dict[str, ModerationReason | None]:
    reason = triage.moderation[0] if triage is not None and triage.moderation else None
    return dict(list({**pending, message.id: reason}.items())[-PENDING_IDS:])


def _case_handling(already: bool, triage: Triage | None) -> bool:
    return already or (triage is not None and triage.category is Category.CASE_HANDLING)


def _with_pending(inquiry: OpenInquiry, message: InboxMessage, triage: Triage | None) -> OpenInquiry:
    return inquiry.model_copy(update={"pending": _pending(inquiry.pending, message, triage),
                                      "case_handling": _case_handling(inquiry.case_handling, triage)})


def _withdraw(
    clock: ConversationClock, message: InboxMessage, now: datetime
) -> tuple[ConversationClock, list[SlaEvent]]:
    """A citizen message hidden or deleted: close the inquiry once nothing is left to answer."""
    inquiry = clock.open
    if inquiry is None or message.id not in inquiry.pending:
        return clock, []
    reason = inquiry.pending[message.id]
    if message.event is Event.HIDDEN and reason is None:
        return clock, []  # hidden without an allowed reason: the citizen still waits for an answer
    pending = {key: value for key, value in inquiry.pending.items() if key != message.id}
    if pending:
        return clock.model_copy(update={"open": inquiry.model_copy(update={"pending": pending})}), []
    resolution = Resolution.HIDDEN if message.event is Event.HIDDEN else Resolution.DELETED
    event = _event(inquiry, message.key, SlaState.CLOSED, now, resolution=resolution, close_reason=reason)
    return clock.model_copy(update={"open": None}), [event]


def _open(inquiry_id: str, account_id: str, platform: Platform, policy: Policy, received_at: datetime,
          **rest: object) -> OpenInquiry:
    return OpenInquiry(
        inquiry_id=inquiry_id,
        account_id=account_id,
        platform=platform,
        policy=policy.name,
        received_at=received_at,
        due_at=policy.due_at(received_at),
        warning_at=policy.warning_at(received_at),
        **rest,  # type: ignore[arg-type]
    )


def tick(clock: ConversationClock, key: str, now: datetime) -> tuple[ConversationClock, list[SlaEvent]]:
    """Emit the warning and the breach that have fallen due by ``now``, each once."""
    inquiry = clock.open
    if inquiry is None or inquiry.breached:
        return clock, []
    events: list[SlaEvent] = []
    update: dict[str, bool] = {}
    if not inquiry.warned and inquiry.warning_at is not None and now >= inquiry.warning_at:
        events.append(_event(inquiry, key, SlaState.WARNING, now))
        update["warned"] = True
    if now >= inquiry.due_at:
        events.append(_event(inquiry, key, SlaState.BREACHED, now))
        update["breached"] = True
    if not events:
        return clock, []
    return clock.model_copy(update={"open": inquiry.model_copy(update=update)}), events


def switch_policy(clock: ConversationClock, policy: Policy) -> ConversationClock:
    """Move an open inquiry to another policy (crisis mode), keeping when it was received.

    The new due time counts from the first message, so a crisis can make an inquiry overdue at
    once; what was already emitted under the old policy is not emitted again.
    """
    inquiry = clock.open
    if inquiry is None or inquiry.policy == policy.name:
        return clock
    switched = _open(inquiry.inquiry_id, inquiry.account_id, inquiry.platform, policy, inquiry.received_at)
    return clock.model_copy(update={"open": switched.model_copy(update={
        "warned": inquiry.warned, "breached": inquiry.breached,
        "pending": inquiry.pending, "case_handling": inquiry.case_handling,
    })})


def _event(inquiry: OpenInquiry, key: str, state: SlaState, now: datetime, **answer: object) -> SlaEvent:
    return SlaEvent(
        event_id=f"{inquiry.inquiry_id}:{state.value}",
        inquiry_id=inquiry.inquiry_id,
        conversation_key=key,
        account_id=inquiry.account_id,
        platform=inquiry.platform,
        policy=inquiry.policy,
        received_at=inquiry.received_at,
        due_at=inquiry.due_at,
        state=state,
        emitted_at=now,
        **answer,  # type: ignore[arg-type]
    )
