"""Crisis and spike escalation, from state rather than text."""

from datetime import UTC, datetime, timedelta

from schemas import Category, EscalationReason, Language, Platform, Triage
from streams.control import CrisisState, apply_record
from streams.triage.context import (
    ActivityWindow,
    SpikeRule,
    off_channel_in_crisis,
    record_activity,
    with_context,
)
from tests.helpers import message

RULE = SpikeRule(messages=3, minutes=10)


def at(minutes: float) -> str:
    return (datetime(2026, 11, 17, 9, tzinfo=UTC) + timedelta(minutes=minutes)).isoformat()


def test_spike_fires_once_when_the_threshold_is_crossed() -> None:
    window, flags = ActivityWindow(), []
    for i, minute in enumerate([0, 2, 4, 5, 6]):
        window, spike = record_activity(window, message(f"s{i}", created=at(minute)), RULE)
        flags.append(spike)
    assert flags == [False, False, True, False, False]


def test_spike_needs_the_messages_within_the_window() -> None:
    window, flags = ActivityWindow(), []
    for i, minute in enumerate([0, 11, 22, 33]):
        window, spike = record_activity(window, message(f"w{i}", created=at(minute)), RULE)
        flags.append(spike)
    assert flags == [False] * 4


def test_redelivered_messages_do_not_count_twice() -> None:
    window = ActivityWindow()
    first = message("r1", created=at(0))
    for _ in range(5):
        window, spike = record_activity(window, first, RULE)
        assert not spike
    assert len(window.recent) == 1


def base_triage() -> Triage:
    return Triage(category=Category.GENERAL_QUESTION, language=Language.BOKMAL, rules=["question.mark"])


def test_context_adds_reasons_and_rules_without_duplicates() -> None:
    triage = with_context(base_triage(), crisis=True, spike=True)
    assert triage.escalate and triage.escalation_reasons == [EscalationReason.SPIKE, EscalationReason.CRISIS]
    assert triage.rules == ["question.mark", "context.spike", "context.crisis"]
    again = with_context(triage, crisis=True, spike=True)
    assert again.escalation_reasons == triage.escalation_reasons
    assert with_context(base_triage(), crisis=False, spike=False) == base_triage()


def test_off_channel_replies_are_flagged_in_a_crisis() -> None:
    from schemas import InboxMessage

    facebook_reply = message("p1", from_account=True)
    x_reply = InboxMessage.model_validate_json(
        facebook_reply.model_dump_json().replace('"facebook"', '"x"').replace("facebook:p1", "x:p1"))
    assert x_reply.platform is Platform.X
    assert off_channel_in_crisis(facebook_reply) is None
    assert off_channel_in_crisis(message("c1")) is None  # a citizen message is triaged as usual
    flag = off_channel_in_crisis(x_reply)
    assert flag is not None and flag.escalation_reasons == [EscalationReason.CRISIS]


def test_crisis_state_follows_the_latest_control_record() -> None:
    from schemas import ControlEvent

    state = CrisisState()
    on = ControlEvent(active=True, reason="brann", at=datetime(2026, 11, 17, tzinfo=UTC))
    off = ControlEvent(active=False, reason="over", at=datetime(2026, 11, 18, tzinfo=UTC))
    apply_record(state, b"crisis", on.to_json_bytes())
    assert state.active and state.reason == "brann"
    apply_record(state, b"other-switch", off.to_json_bytes())  # not the crisis key
    assert state.active
    apply_record(state, b"crisis", b"{not json")  # invalid: ignored, state unchanged
    assert state.active
    apply_record(state, b"crisis", off.to_json_bytes())
    assert not state.active
