"""The inquiry clock: opening, follow-ups, answers, re-opening, at-least-once redelivery, warnings,
breaches and the crisis switch."""

from datetime import UTC, datetime, timedelta

from innboks.domain.policies import CRISIS_POLICY, DEFAULT_POLICIES
from schemas import Category, Event, Language, ModerationReason, Resolution, SlaState, Triage
from streams.sla.process import ConversationClock, apply_message, switch_policy, tick
from tests.helpers import message

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)


def run(*messages, clock=None):
    clock = clock or ConversationClock()
    events = []
    for msg in messages:
        clock, emitted = apply_message(clock, msg, "standard", DEFAULT_POLICIES, NOW)
        events += emitted
    return clock, events


def test_inbound_message_opens_with_due_time() -> None:
    clock, events = run(message("a", created="2026-11-16T09:00:00+00:00"))  # 10:00 Oslo, Monday
    assert [e.state for e in events] == [SlaState.OPENED]
    assert events[0].inquiry_id == "facebook:a"
    assert events[0].due_at == datetime(2026, 11, 17, 9, tzinfo=UTC)
    assert clock.open is not None


def test_our_reply_answers_with_wall_and_business_seconds() -> None:
    _, events = run(
        message("a", created="2026-11-16T13:00:00+00:00"),  # 14:00 Oslo
        message("r", from_account=True, created="2026-11-17T07:30:00+00:00"),  # 08:30 Oslo next day
    )
    answered = events[-1]
    assert answered.state is SlaState.ANSWERED
    assert answered.answered_by == "facebook:r"
    assert answered.response_seconds == 18.5 * 3600
    assert answered.business_seconds == 2 * 3600  # 14:00-15:30 and 08:00-08:30


def test_follow_up_does_not_restart_the_clock() -> None:
    clock, events = run(message("a", created="2026-11-16T09:00:00+00:00"),
                        message("b", created="2026-11-16T10:00:00+00:00"))
    assert [e.state for e in events] == [SlaState.OPENED]
    assert clock.open.inquiry_id == "facebook:a"


def test_new_message_after_answer_opens_a_new_inquiry() -> None:
    _, events = run(
        message("a", created="2026-11-16T09:00:00+00:00"),
        message("r", from_account=True, created="2026-11-16T10:00:00+00:00"),
        message("b", created="2026-11-16T11:00:00+00:00"),
    )
    assert [(e.state, e.inquiry_id) for e in events] == [
        (SlaState.OPENED, "facebook:a"), (SlaState.ANSWERED, "facebook:a"), (SlaState.OPENED, "facebook:b"),
    ]


def test_redelivered_messages_change_nothing() -> None:
    a = message("a", created="2026-11-16T09:00:00+00:00")
    r = message("r", from_account=True, created="2026-11-16T10:00:00+00:00")
    clock, events = run(a, r)
    clock2, events2 = run(a, r, clock=clock)
    assert events2 == [] and clock2 == clock
    assert len(events) == 2


def test_late_delivery_of_an_answered_message_does_not_reopen() -> None:
    # our reply arrives first (e.g. the citizen's comment was in a later page), then the comment
    _, events = run(message("r", from_account=True, created="2026-11-16T10:00:00+00:00"),
                    message("a", created="2026-11-16T09:00:00+00:00"))
    assert events == []


def test_own_post_without_open_inquiry_emits_nothing() -> None:
    clock, events = run(message("p", from_account=True))
    assert events == [] and clock.open is None


def test_edits_and_deletions_of_other_messages_do_not_touch_the_clock() -> None:
    clock, events = run(message("a", created="2026-11-16T09:00:00+00:00"))
    clock2, events2 = run(message("a", event=Event.EDITED), message("a3", event=Event.DELETED), clock=clock)
    assert events2 == [] and clock2.open == clock.open


def test_event_ids_are_deterministic_per_inquiry_and_state() -> None:
    _, events = run(message("a"))
    assert events[0].event_id == "facebook:a:opened"


def opened_at(created: str):
    clock, _ = run(message("a", created=created))
    return clock


def test_tick_emits_warning_at_80_percent_then_breach_each_once() -> None:
    clock = opened_at("2026-11-16T09:00:00+00:00")  # Monday 10:00 Oslo; due Tuesday 10:00
    inquiry = clock.open
    assert inquiry.warning_at == datetime(2026, 11, 17, 7, 30, tzinfo=UTC)  # 6 of 7.5 hours: Tue 08:30
    assert inquiry.next_alarm == inquiry.warning_at
    clock, events = tick(clock, "k", inquiry.warning_at - timedelta(seconds=1))
    assert events == []
    clock, events = tick(clock, "k", inquiry.warning_at)
    assert [e.state for e in events] == [SlaState.WARNING]
    assert events[0].event_id == "facebook:a:warning"
    assert clock.open.next_alarm == inquiry.due_at
    assert tick(clock, "k", inquiry.warning_at + timedelta(minutes=5))[1] == []  # not twice
    clock, events = tick(clock, "k", inquiry.due_at)
    assert [e.state for e in events] == [SlaState.BREACHED]
    assert clock.open.breached and clock.open.next_alarm is None
    assert tick(clock, "k", inquiry.due_at + timedelta(hours=1))[1] == []


def test_tick_after_a_long_outage_emits_warning_and_breach_together() -> None:
    clock = opened_at("2026-11-16T09:00:00+00:00")
    clock, events = tick(clock, "k", datetime(2026, 11, 20, tzinfo=UTC))
    assert [e.state for e in events] == [SlaState.WARNING, SlaState.BREACHED]


def test_answer_after_breach_is_still_reported() -> None:
    clock = opened_at("2026-11-16T09:00:00+00:00")
    clock, _ = tick(clock, "k", datetime(2026, 11, 18, tzinfo=UTC))
    clock, events = apply_message(clock, message("r", from_account=True, created="2026-11-18T09:00:00+00:00"),
                                  "standard", DEFAULT_POLICIES, NOW)
    assert [e.state for e in events] == [SlaState.ANSWERED] and clock.open is None


def test_crisis_switch_recomputes_due_time_from_the_first_message() -> None:
    clock = opened_at("2026-11-16T09:00:00+00:00")
    switched = switch_policy(clock, CRISIS_POLICY)
    assert switched.open.policy == "crisis"
    assert switched.open.due_at == datetime(2026, 11, 16, 10, tzinfo=UTC)
    assert switched.open.received_at == clock.open.received_at
    assert switch_policy(switched, CRISIS_POLICY) is switched
    _, events = tick(switched, "k", datetime(2026, 11, 16, 10, 0, 1, tzinfo=UTC))
    assert [e.state for e in events] == [SlaState.WARNING, SlaState.BREACHED]
    assert {e.policy for e in events} == {"crisis"}


def test_crisis_switch_keeps_what_was_already_emitted() -> None:
    clock = opened_at("2026-11-16T09:00:00+00:00")
    clock, _ = tick(clock, "k", datetime(2026, 11, 18, tzinfo=UTC))  # breached under standard
    switched = switch_policy(clock, CRISIS_POLICY)
    assert tick(switched, "k", datetime(2026, 11, 18, 1, tzinfo=UTC))[1] == []


def triage(category=Category.GENERAL_QUESTION, moderation=()):
    return Triage(category=category, language=Language.BOKMAL, moderation=list(moderation))


def step(clock, msg, policy="standard", tri=None):
    return apply_message(clock, msg, policy, DEFAULT_POLICIES, NOW, tri)


def test_message_that_needs_no_answer_opens_no_clock_but_joins_an_open_one() -> None:
    clock, events = step(ConversationClock(), message("thanks"), policy=None)
    assert events == [] and clock.open is None
    clock, _ = step(clock, message("q", created="2026-11-16T09:05:00+00:00"))
    clock, events = step(clock, message("thanks2", created="2026-11-16T09:10:00+00:00"), policy=None)
    assert events == [] and set(clock.open.pending) == {"facebook:q", "facebook:thanks2"}


def test_hiding_flagged_messages_closes_the_inquiry_with_the_reason() -> None:
    clock, _ = step(ConversationClock(), message("a", created="2026-11-16T09:00:00+00:00"),
                    tri=triage(moderation=[ModerationReason.PERSONAL_ATTACK]))
    clock, events = step(clock, message("a", event=Event.HIDDEN))
    assert [(e.state, e.resolution, e.close_reason) for e in events] == [
        (SlaState.CLOSED, Resolution.HIDDEN, ModerationReason.PERSONAL_ATTACK)]
    assert events[0].event_id == "facebook:a:closed" and clock.open is None


def test_hiding_without_an_allowed_reason_keeps_the_clock_running() -> None:
    clock, _ = step(ConversationClock(), message("a", created="2026-11-16T09:00:00+00:00"), tri=triage())
    after, events = step(clock, message("a", event=Event.HIDDEN))
    assert events == [] and after.open == clock.open


def test_inquiry_closes_only_when_every_pending_message_is_gone() -> None:
    clock, _ = step(ConversationClock(), message("q", created="2026-11-16T09:00:00+00:00"), tri=triage())
    clock, _ = step(clock, message("attack", created="2026-11-16T09:01:00+00:00"),
                    tri=triage(Category.FEEDBACK, [ModerationReason.THIRD_PARTY]))
    clock, events = step(clock, message("attack", event=Event.HIDDEN))
    assert events == [] and list(clock.open.pending) == ["facebook:q"]  # the question still waits
    clock, events = step(clock, message("q", event=Event.DELETED))
    assert [(e.state, e.resolution, e.close_reason) for e in events] == [(SlaState.CLOSED, Resolution.DELETED, None)]


def test_answer_to_a_case_handling_request_resolves_as_forwarded() -> None:
    clock, _ = step(ConversationClock(), message("a", created="2026-11-16T09:00:00+00:00"),
                    tri=triage(Category.CASE_HANDLING))
    _, events = step(clock, message("r", from_account=True, created="2026-11-16T10:00:00+00:00"))
    assert (events[0].resolution, events[0].in_time) == (Resolution.FORWARDED, True)


def test_late_answer_is_not_in_time() -> None:
    clock, _ = step(ConversationClock(), message("a", created="2026-11-16T09:00:00+00:00"), tri=triage())
    _, events = step(clock, message("r", from_account=True, created="2026-11-18T09:00:00+00:00"))
    assert (events[0].resolution, events[0].in_time) == (Resolution.REPLY, False)


def test_crisis_switch_keeps_pending_messages() -> None:
    clock, _ = step(ConversationClock(), message("a", created="2026-11-16T09:00:00+00:00"),
                    tri=triage(Category.CASE_HANDLING, [ModerationReason.UNLAWFUL]))
    switched = switch_policy(clock, CRISIS_POLICY)
    assert switched.open.pending == clock.open.pending and switched.open.case_handling


def test_our_out_of_hours_acknowledgement_does_not_answer() -> None:
    ack = "Takk for meldingen! Vi har stengt nå og svarer deg så snart vi har åpent igjen."
    clock, events = ConversationClock(), []
    for msg in (message("a", created="2026-11-16T20:00:00+00:00"),
                message("ack", from_account=True, text=ack + "\n", created="2026-11-16T20:00:05+00:00"),
                message("r", from_account=True, text="Hei! Her er svaret.", created="2026-11-17T08:00:00+00:00")):
        clock, emitted = apply_message(clock, msg, "standard", DEFAULT_POLICIES, NOW, acknowledgements=frozenset({ack}))
        events += emitted
    assert [(e.state, e.answered_by) for e in events] == [(SlaState.OPENED, None), (SlaState.ANSWERED, "facebook:r")]
