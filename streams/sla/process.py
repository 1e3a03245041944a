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

Staff commands from the inbox come the same way as ticks (``command``): *close* ends the clock
without a reply (``closed``, resolution ``closed_without_reply``); *snooze* puts the inquiry aside
(``snoozed``) until a time or until the citizen writes again, whichever comes first, with no warning
or breach meanwhile. It then wakes (``opened`` again) with a fresh deadline counted from the
wake-up under its policy: the snoozed time is a recorded decision, not the municipality's delay.

Crisis deadlines (``follow_crisis``): an inquiry received while crisis mode is on runs on the crisis
policy and remembers its normal one; when the crisis ends, those still open return to their normal
policy, the due time counted from receipt. Inquiries received before the crisis keep theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from innboks.domain.policies import Policy
from schemas import (
    Category,
    Event,
    InboxMessage,
    ModerationReason,
    Platform,
    Resolution,
    SlaEvent,
    SlaState,
    SlaTick,
    Triage,
)
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
    #: Opened during a crisis (on the crisis policy): the policy it returns to when the crisis ends.
    normal_policy: str | None = None
    #: Snoozed by staff: until ``snoozed_until`` (None: until the citizen writes again).
    snoozed: bool = False
    snoozed_until: UtcDatetime | None = None
    #: How often it woke from a snooze (each wake-up starts a fresh deadline; event ids tell them apart).
    cycle: int = 0

    @property
    def next_alarm(self) -> datetime | None:
        """When ``tick`` has something to emit next (None once breached, or snoozed until the citizen writes)."""
        if self.snoozed:
            return self.snoozed_until
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
    normal_policy: str | None = None,
) -> tuple[ConversationClock, list[SlaEvent]]:
    """Advance the clock with one message; returns the new state and the events to emit.

    ``policy`` names the policy a new inquiry gets (account registry, or crisis mode); None means
    this message needs no answer and opens no clock (it still joins an inquiry already open).
    ``acknowledgements`` are the texts of our automatic out-of-hours acknowledgements (whitespace
    folded): our message with one of them answers nothing, and the clock keeps running.
    ``normal_policy``: when ``policy`` is the crisis policy, the one the inquiry returns to afterwards.
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
    if inquiry is not None and inquiry.snoozed:
        # The citizen wrote again: the snoozed inquiry wakes, its deadline counted from this message.
        woken = _wake(_with_pending(inquiry, message, triage), policies, message.created_at)
        return clock.model_copy(update={"recent_ids": recent, "open": woken}), [
            _event(woken, message.key, SlaState.OPENED, now)]
    if inquiry is not None:
        # A follow-up: the clock keeps running from the first message.
        return clock.model_copy(update={"recent_ids": recent, "open": _with_pending(inquiry, message, triage)}), []
    if clock.last_answered_at is not None and message.created_at <= clock.last_answered_at:
        return clock.model_copy(update={"recent_ids": recent}), []  # older than our last answer: already answered
    if policy is None:
        return clock.model_copy(update={"recent_ids": recent}), []
    opened = _open(message.id, message.account_id, message.platform, policies[policy], message.created_at,
                   pending=_pending({}, message, triage), case_handling=_case_handling(False, triage),
                   normal_policy=normal_policy if normal_policy != policy else None)
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


def tick(clock: ConversationClock, key: str, now: datetime,
         policies: Mapping[str, Policy] | None = None) -> tuple[ConversationClock, list[SlaEvent]]:
    """Emit the warning and the breach that have fallen due by ``now``, each once; wake a snooze that ended.

    ``policies`` give a woken inquiry its fresh deadline (without them it keeps the one it had).
    """
    inquiry = clock.open
    if inquiry is not None and inquiry.snoozed:
        if inquiry.snoozed_until is None or now < inquiry.snoozed_until:
            return clock, []
        woken = _wake(inquiry, policies, now)
        return clock.model_copy(update={"open": woken}), [_event(woken, key, SlaState.OPENED, now)]
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
    """Move an open inquiry to another policy, keeping when it was received.

    The new due time counts from the first message; what was already emitted under the old policy
    is not emitted again.
    """
    inquiry = clock.open
    if inquiry is None or inquiry.policy == policy.name:
        return clock
    switched = _open(inquiry.inquiry_id, inquiry.account_id, inquiry.platform, policy, inquiry.received_at)
    return clock.model_copy(update={"open": switched.model_copy(update={
        "warned": inquiry.warned, "breached": inquiry.breached,
        "pending": inquiry.pending, "case_handling": inquiry.case_handling,
        "snoozed": inquiry.snoozed, "snoozed_until": inquiry.snoozed_until, "cycle": inquiry.cycle,
    })})


def follow_crisis(clock: ConversationClock, crisis_active: bool, policies: Mapping[str, Policy]) -> ConversationClock:
    """After a crisis, an inquiry received during it returns to its normal policy (due from receipt).

    During a crisis nothing moves: only inquiries received while it is on run on the crisis policy
    (``apply_message``'s ``policy``); those received before keep their deadline.
    """
    inquiry = clock.open
    if crisis_active or inquiry is None or inquiry.normal_policy is None or inquiry.normal_policy not in policies:
        return clock
    returned = switch_policy(clock, policies[inquiry.normal_policy])
    assert returned.open is not None
    return returned.model_copy(update={"open": returned.open.model_copy(update={"normal_policy": None})})


def command(clock: ConversationClock, request: SlaTick, now: datetime) -> tuple[ConversationClock, list[SlaEvent]]:
    """A staff command from the inbox: close the open inquiry without a reply, or snooze it.

    Only the inquiry the command names is touched (a command for an inquiry already answered, or
    closed by someone else meanwhile, changes nothing).
    """
    inquiry = clock.open
    if inquiry is None or inquiry.inquiry_id != request.inquiry_id:
        return clock, []
    key = request.conversation_key
    if request.reason == "close" and request.close_reason is not None:
        event = _event(inquiry, key, SlaState.CLOSED, now, resolution=Resolution.CLOSED_WITHOUT_REPLY,
                       closed_because=request.close_reason, closed_by=request.requested_by)
        answered = max(now, clock.last_answered_at or now)
        return clock.model_copy(update={"open": None, "last_answered_at": answered}), [event]
    if request.reason == "snooze":
        if request.until is not None and request.until <= now:
            return clock, []
        snoozed = inquiry.model_copy(update={"snoozed": True, "snoozed_until": request.until})
        event = _event(snoozed, key, SlaState.SNOOZED, now, closed_by=request.requested_by,
                       snoozed_until=request.until)
        return clock.model_copy(update={"open": snoozed}), [event]
    return clock, []


def _wake(inquiry: OpenInquiry, policies: Mapping[str, Policy] | None, at: datetime) -> OpenInquiry:
    """A snoozed inquiry back in the queue, with a fresh deadline counted from ``at`` under its policy."""
    update: dict[str, object] = {"snoozed": False, "snoozed_until": None, "cycle": inquiry.cycle + 1,
                                 "warned": False, "breached": False}
    policy = (policies or {}).get(inquiry.policy)
    if policy is not None:
        update.update(due_at=policy.due_at(at), warning_at=policy.warning_at(at))
    return inquiry.model_copy(update=update)


def _event(inquiry: OpenInquiry, key: str, state: SlaState, now: datetime, **answer: object) -> SlaEvent:
    # A snooze and each wake-up are events of their own; so are the warning and breach of a fresh deadline.
    suffix = f":{inquiry.cycle}" if inquiry.cycle and state is not SlaState.SNOOZED else ""
    if state is SlaState.SNOOZED:
        suffix = f":{inquiry.cycle}:{now.isoformat()}"
    if inquiry.normal_policy is not None:
        answer.setdefault("normal_policy", inquiry.normal_policy)
    return SlaEvent(
        event_id=f"{inquiry.inquiry_id}:{state.value}{suffix}",
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
