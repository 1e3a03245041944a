"""Staff commands on the inquiry clock (close without reply, snooze) and crisis deadlines (#27)."""

from datetime import UTC, datetime, timedelta

from innboks.domain.policies import DEFAULT_POLICIES
from schemas import CloseReason, Resolution, SlaState, SlaTick
from streams.sla.process import ConversationClock, apply_message, command, follow_crisis, tick
from tests.helpers import message

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)  # Monday 13:00 Oslo


def opened(policy: str = "standard", normal: str | None = None) -> tuple[ConversationClock, str, str]:
    msg = message("a", created="2026-11-16T09:00:00+00:00")
    clock, [event] = apply_message(ConversationClock(), msg, policy, DEFAULT_POLICIES, NOW, normal_policy=normal)
    return clock, event.inquiry_id, msg.key


def order(key: str, inquiry_id: str, reason: str, **fields) -> SlaTick:
    return SlaTick(conversation_key=key, reason=reason, sent_at=NOW, inquiry_id=inquiry_id, requested_by="kari",
                   **fields)


def test_close_without_reply_ends_the_clock_with_the_reason_and_who() -> None:
    clock, inquiry_id, key = opened()
    closed, [event] = command(clock, order(key, inquiry_id, "close", close_reason=CloseReason.NO_REPLY_NEEDED), NOW)
    assert (event.state, event.resolution, event.closed_because, event.closed_by) == (
        SlaState.CLOSED, Resolution.CLOSED_WITHOUT_REPLY, CloseReason.NO_REPLY_NEEDED, "kari")
    assert event.event_id == f"{inquiry_id}:closed" and closed.open is None
    # The same command again (at-least-once), or one for another inquiry: nothing.
    assert command(closed, order(key, inquiry_id, "close", close_reason=CloseReason.SPAM), NOW) == (closed, [])
    assert command(clock, order(key, "facebook:other", "close", close_reason=CloseReason.SPAM), NOW) == (clock, [])


def test_snooze_until_a_time_holds_alarms_then_wakes_with_a_fresh_deadline() -> None:
    clock, inquiry_id, key = opened()
    until = NOW + timedelta(days=2)  # Wednesday 13:00 Oslo
    snoozed, [event] = command(clock, order(key, inquiry_id, "snooze", until=until), NOW)
    assert (event.state, event.snoozed_until, event.closed_by) == (SlaState.SNOOZED, until, "kari")
    assert snoozed.open.next_alarm == until
    # Past the old due time (Tuesday 10:00 Oslo) nothing fires while it sleeps.
    assert tick(snoozed, key, NOW + timedelta(days=1), DEFAULT_POLICIES) == (snoozed, [])
    woken, [again] = tick(snoozed, key, until, DEFAULT_POLICIES)
    assert again.state is SlaState.OPENED and again.event_id == f"{inquiry_id}:opened:1"
    assert again.due_at == DEFAULT_POLICIES["standard"].due_at(until)  # Thursday 13:00 Oslo
    assert not woken.open.snoozed and woken.open.received_at == clock.open.received_at
    _, [warning] = tick(woken, key, woken.open.warning_at, DEFAULT_POLICIES)
    assert warning.event_id == f"{inquiry_id}:warning:1"  # not the first deadline's warning


def test_snooze_until_the_citizen_writes_wakes_on_their_next_message() -> None:
    clock, inquiry_id, key = opened()
    snoozed, _ = command(clock, order(key, inquiry_id, "snooze"), NOW)
    assert snoozed.open.next_alarm is None
    assert tick(snoozed, key, NOW + timedelta(days=30), DEFAULT_POLICIES) == (snoozed, [])
    follow_up = message("b", created="2026-11-18T09:00:00+00:00")
    woken, [event] = apply_message(snoozed, follow_up, "standard", DEFAULT_POLICIES, NOW)
    assert event.state is SlaState.OPENED and event.inquiry_id == inquiry_id
    assert event.due_at == DEFAULT_POLICIES["standard"].due_at(follow_up.created_at)
    assert set(woken.open.pending) == {"facebook:a", "facebook:b"}


def test_a_snooze_into_the_past_is_refused() -> None:
    clock, inquiry_id, key = opened()
    assert command(clock, order(key, inquiry_id, "snooze", until=NOW - timedelta(minutes=1)), NOW) == (clock, [])


def test_inquiries_from_a_crisis_return_to_their_normal_policy_when_it_ends() -> None:
    clock, _, _ = opened("crisis", normal="standard")
    assert clock.open.due_at == datetime(2026, 11, 16, 10, tzinfo=UTC)  # one hour
    assert follow_crisis(clock, True, DEFAULT_POLICIES) is clock  # still in the crisis
    after = follow_crisis(clock, False, DEFAULT_POLICIES)
    assert (after.open.policy, after.open.due_at, after.open.normal_policy) == (
        "standard", datetime(2026, 11, 17, 9, tzinfo=UTC), None)  # one business day from receipt
    calm, _, _ = opened()
    assert follow_crisis(calm, False, DEFAULT_POLICIES) is calm
