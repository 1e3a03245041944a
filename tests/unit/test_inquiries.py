"""The inquiry clock: opening, follow-ups, answers, re-opening, and at-least-once redelivery."""

from datetime import UTC, datetime

from schemas import Event, SlaState
from streams.sla.inquiries import ConversationClock, apply_message
from streams.sla.policies import DEFAULT_POLICIES
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


def test_edits_and_deletions_do_not_touch_the_clock() -> None:
    clock, events = run(message("a", created="2026-11-16T09:00:00+00:00"))
    clock2, events2 = run(message("a2", event=Event.EDITED), message("a3", event=Event.DELETED), clock=clock)
    assert events2 == [] and clock2.open == clock.open


def test_event_ids_are_deterministic_per_inquiry_and_state() -> None:
    _, events = run(message("a"))
    assert events[0].event_id == "facebook:a:opened"
