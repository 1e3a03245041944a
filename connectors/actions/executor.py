"""The action executor: carries out what ``innboks.actions`` asks, exactly once per ``action_id``.

It reads the whole topic from the beginning at start (actions are few: hundreds a day) to know
every action's latest step, then follows it. An action is carried out when it is ``requested``
(and needs no approval) or ``approved``. Before calling the platform the executor writes
``executing`` and waits for the broker's acknowledgement; after the call it writes ``done`` (with
the platform's id of our reply) or ``failed`` (with a classified reason). An action found
``executing`` at start was interrupted between the call and its outcome: for a reply the executor
first looks on the platform for our reply (same text, posted since the attempt began) and records
it as done if it is there, so a reply is never posted twice; hiding, unhiding and deleting are
idempotent on the platforms and are simply done again. A reply that holds personal data is
rejected before any call (``guard.py``: the reply check's last guard).

Run one executor per cluster (``innboks actions run``, part of ``innboks connectors run`` and the demo).
A done reply, hiding or deletion is also written to ``innboks.messages`` as the message it makes
(our reply; the target hidden or deleted), so the SLA clock and the store see it at once, before the
next poll brings it back from the platform (with the same id: counted once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from connectors.actions.guard import PersonalDataGuard
from connectors.errors import ConnectorError, RateLimited, RetriableError
from connectors.metrics import METRICS
from connectors.writer import PlatformWriter, TargetGone, failure_of
from innboks.config import topics
from innboks.domain.action_rules import OUTCOME_RANK, hide_reason_allowed
from innboks.domain.platform_auth import reconnect_path
from innboks.kafka.clients import Producer, TopicTail
from schemas import ActionEvent, ActionFailure, ActionKind, ActionOutcome, Event, InboxMessage, Kind, Platform

log = logging.getLogger(__name__)

#: The outcomes that end an action.
TERMINAL = (ActionOutcome.DONE, ActionOutcome.FAILED)
#: Our reply may carry a platform timestamp a little before the executor's clock: look back this far.
CLOCK_SKEW = timedelta(minutes=2)

WriterFor = Callable[[Platform, str], PlatformWriter]
#: Sends (topic, key, value) and returns once the broker has acknowledged it; raises otherwise.
Send = Callable[[str, bytes, bytes], None]


@dataclass
class ActionState:
    request: ActionEvent
    latest: ActionEvent
    executing_at: datetime | None = None
    approved_at: datetime | None = None

    @property
    def ready(self) -> bool:
        """Waiting for the executor: requested without need of approval, approved, or interrupted."""
        outcome = self.latest.outcome
        if outcome is ActionOutcome.EXECUTING:
            return True
        if outcome is ActionOutcome.APPROVED:
            return True
        return outcome is ActionOutcome.REQUESTED and not self.request.needs_approval


@dataclass
class ActionLog:
    """The latest step of every action seen on the topic."""

    actions: dict[str, ActionState] = field(default_factory=dict)

    def add(self, event: ActionEvent) -> None:
        state = self.actions.get(event.action_id)
        if state is None:
            # Usually the request; a later step whose request is past retention is only recorded.
            self.actions[event.action_id] = ActionState(event, event)
            if event.outcome is ActionOutcome.EXECUTING:
                self.actions[event.action_id].executing_at = event.at
            return
        if event.outcome is ActionOutcome.REQUESTED:
            return  # asked again with the same id: the first request stands
        if event.outcome is ActionOutcome.EXECUTING and state.executing_at is None:
            state.executing_at = event.at
        if event.outcome is ActionOutcome.APPROVED and state.approved_at is None:
            state.approved_at = event.at
            if event.text and event.text != state.request.text:
                # The approver edited the reply: what is sent is what was approved.
                state.request = state.request.model_copy(update={"text": event.text})
        if OUTCOME_RANK[event.outcome] > OUTCOME_RANK[state.latest.outcome]:
            state.latest = event

    def ready(self) -> list[ActionState]:
        return sorted((s for s in self.actions.values() if s.ready), key=lambda s: s.request.at)


class Executor:
    def __init__(self, send: Send, writer_for: WriterFor, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 on_outcome: Callable[[ActionEvent, ActionState], None] | None = None,
                 reply_guard: Callable[[str], str | None] | None = None) -> None:
        self.log = ActionLog()
        self._send = send
        self._writer_for = writer_for
        self._clock = clock
        self._on_outcome = on_outcome or (lambda _event, _state: None)
        #: Why a reply's text must not be posted (personal data), or None.
        self._reply_guard = reply_guard or (lambda _text: None)

    def add(self, value: bytes | None) -> None:
        if not value:
            return
        try:
            self.log.add(ActionEvent.model_validate_json(value))
        except ValueError:
            log.warning("actions: a record that is not an ActionEvent was skipped")

    def run_ready(self) -> int:
        """Carry out every action that is ready; how many were."""
        ready = self.log.ready()
        for state in ready:
            self.execute(state)
        return len(ready)

    def execute(self, state: ActionState) -> None:
        request = state.request
        refusal = self._refusal(state)
        if refusal is not None:
            self._outcome(state, ActionOutcome.FAILED, failure=ActionFailure.REJECTED, detail=refusal)
            return
        try:
            writer = self._writer_for(request.target.platform, request.target.account_id)
        except Exception as exc:  # noqa: BLE001 - no credentials or no writer: the action fails, the executor goes on
            self._outcome(state, ActionOutcome.FAILED, failure=ActionFailure.REJECTED,
                          detail=f"no writer for {request.target.platform.value} account: {type(exc).__name__}")
            return
        if request.kind is ActionKind.REPLY and (too_long := writer.capabilities().too_long(
                request.target.kind, request.text or "", writer.options)) is not None:
            self._outcome(state, ActionOutcome.FAILED, failure=ActionFailure.REJECTED, detail=too_long)
            return
        if state.latest.outcome is ActionOutcome.EXECUTING and request.kind is ActionKind.REPLY:
            since = (state.executing_at or request.at) - CLOCK_SKEW
            try:
                found = writer.find_reply(request.target, request.text or "", since)
            except ConnectorError as exc:
                self._outcome(state, ActionOutcome.FAILED, failure=failure_of(exc), detail=str(exc)[:500])
                return
            if found is not None:
                log.info("actions: %s was posted before the interruption; recorded as done", request.action_id)
                self._outcome(state, ActionOutcome.DONE, platform_id=found)
                return
        if state.latest.outcome is not ActionOutcome.EXECUTING:
            self._outcome(state, ActionOutcome.EXECUTING)
        try:
            platform_id = self._call(writer, request)
        except RetriableError as exc:
            if request.kind is ActionKind.REPLY and not isinstance(exc, RateLimited):
                # A timeout or 5xx on a reply: it may have been posted all the same. Replies are sent
                # once (never retried by the client), so look before saying it failed.
                self._after_unknown_outcome(state, writer, exc)
            else:
                self._outcome(state, ActionOutcome.FAILED, failure=failure_of(exc), detail=str(exc)[:500])
        except TargetGone as exc:
            if request.kind is ActionKind.DELETE:
                self._outcome(state, ActionOutcome.DONE)  # already gone: what a deletion wants
            else:
                self._outcome(state, ActionOutcome.FAILED, failure=ActionFailure.TARGET_GONE, detail=str(exc)[:500])
        except ConnectorError as exc:
            self._outcome(state, ActionOutcome.FAILED, failure=failure_of(exc), detail=str(exc)[:500])
        except Exception as exc:  # noqa: BLE001 - one action must not stop the executor
            log.error("actions: %s failed with %s", request.action_id, type(exc).__name__)
            self._outcome(state, ActionOutcome.FAILED, failure=ActionFailure.PLATFORM_ERROR,
                          detail=f"{type(exc).__name__} in the {request.target.platform.value} writer")
        else:
            self._outcome(state, ActionOutcome.DONE, platform_id=platform_id)

    def _after_unknown_outcome(self, state: ActionState, writer: PlatformWriter, error: Exception) -> None:
        request = state.request
        try:
            found = writer.find_reply(request.target, request.text or "", (state.executing_at or request.at)
                                      - CLOCK_SKEW)
        except ConnectorError:
            found = None
        if found is not None:
            self._outcome(state, ActionOutcome.DONE, platform_id=found)
        else:
            self._outcome(state, ActionOutcome.FAILED, failure=ActionFailure.PLATFORM_ERROR,
                          detail=f"{str(error)[:400]}; the reply is not on the platform")

    def _refusal(self, state: ActionState) -> str | None:
        """Why the guideline forbids carrying this action out, or None (checked again here, not only in the inbox)."""
        request, latest = state.request, state.latest
        if not hide_reason_allowed(request.kind, request.reason.value if request.reason else None):
            return f"{request.kind.value} needs an allowed reason"
        if request.kind is ActionKind.REPLY and not (request.text or "").strip():
            return "a reply needs a text"
        if request.kind is ActionKind.REPLY and (personal_data := self._reply_guard(request.text or "")):
            return personal_data
        if request.needs_approval and (not latest.approved_by or latest.approved_by == request.requested_by):
            return "the reply needs a second operator's approval"
        return None

    @staticmethod
    def _call(writer: PlatformWriter, request: ActionEvent) -> str | None:
        if request.kind is ActionKind.REPLY:
            return writer.reply(request.target, request.text or "")
        if request.kind is ActionKind.HIDE:
            writer.hide(request.target)
        elif request.kind is ActionKind.UNHIDE:
            writer.unhide(request.target)
        else:
            writer.delete(request.target)
        return None

    def _outcome(self, state: ActionState, outcome: ActionOutcome, **fields: object) -> None:
        request = state.request
        if fields.get("failure") is ActionFailure.TOKEN_EXPIRED:
            # Points to Kontoer's reconnect button (the inbox shows it with the failure).
            target = request.target
            fields["detail"] = (f"{str(fields.get('detail') or '')[:300]}; koble kontoen til på nytt: "
                                f"{reconnect_path(target.platform, target.account_id)}").lstrip("; ")
        event = request.model_copy(update={"outcome": outcome, "at": self._clock(),
                                           "approved_by": state.latest.approved_by, **fields})
        self._send(topics.ACTIONS, request.key.encode(), event.to_json_bytes())
        if outcome is ActionOutcome.DONE:
            message = resulting_message(event, self._clock())
            if message is not None:
                self._send(topics.MESSAGES, message.key.encode(), message.to_json_bytes())
        self.log.add(event)
        if outcome in TERMINAL:
            platform, kind = request.target.platform.value, request.kind.value
            METRICS.actions.labels(platform, kind, outcome.value, event.failure.value if event.failure else "").inc()
            started = state.approved_at or request.at
            METRICS.action_seconds.labels(platform, kind).observe(max(0.0, (event.at - started).total_seconds()))
            self._on_outcome(event, state)


def resulting_message(done: ActionEvent, now: datetime) -> InboxMessage | None:
    """The message a done action makes: our reply, or the target hidden or deleted (unhiding: the next poll)."""
    target = done.target
    if done.kind is ActionKind.REPLY and done.platform_id:
        kind = Kind.DIRECT_MESSAGE if target.kind is Kind.DIRECT_MESSAGE else Kind.REPLY
        native_parent = target.id.split(":", 1)[1]
        return InboxMessage(
            id=f"{target.platform.value}:{done.platform_id}", platform=target.platform, account_id=target.account_id,
            kind=kind, conversation_id=target.conversation_id, parent_id=native_parent, author_id=target.account_id,
            from_account=True, text=done.text, created_at=now, fetched_at=now)
    if done.kind is ActionKind.HIDE:
        return target.model_copy(update={"event": Event.HIDDEN, "fetched_at": now})
    if done.kind is ActionKind.DELETE:
        return target.model_copy(update={"event": Event.DELETED, "fetched_at": now})
    return None


class ExecutorLoop:
    """The executor on a broker: reads ``innboks.actions`` from the beginning, then follows it; and
    ``innboks.control`` for the facts registry its personal-data guard needs."""

    def __init__(self, bootstrap: str, writer_for: WriterFor,
                 on_outcome: Callable[[ActionEvent, ActionState], None] | None = None,
                 guard: PersonalDataGuard | None = None) -> None:
        self.guard = guard or PersonalDataGuard.from_settings()
        self._producer = Producer(bootstrap, client_id="innboks-actions", exact=True)
        self._tail = TopicTail(bootstrap, [topics.ACTIONS, topics.CONTROL], client_id="innboks-actions")
        self.executor = Executor(self._send, writer_for, on_outcome=on_outcome, reply_guard=self.guard.refusal)
        self._caught_up = False

    def _send(self, topic: str, key: bytes, value: bytes) -> None:
        self._producer.send_and_wait(topic, value, key=key)

    def step(self, timeout: float = 0.5) -> int:
        """Read what is new; once the history is read, carry out what is ready. How many were carried out."""
        for record in self._tail.poll(timeout):
            if record.topic == topics.CONTROL:
                self.guard.follow(record.key, record.value)
            else:
                self.executor.add(record.value)
        if not self._caught_up:
            self._caught_up = self._tail.at_end
            if not self._caught_up:
                return 0
        return self.executor.run_ready()

    @property
    def caught_up(self) -> bool:
        """The history read: what is ready now is all there was when the loop started."""
        return self._caught_up

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.step()
            except Exception as exc:  # noqa: BLE001 - the broker away for a moment: try again
                log.error("actions: %s; retrying in 5 s", type(exc).__name__)
                stop.wait(5)

    def close(self) -> None:
        self._tail.close()
        self._producer.close()

