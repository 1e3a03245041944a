"""The SLA timer's index: alarms fire once each (then retry), follow the clock, and rebuild from the table."""

from datetime import UTC, datetime

from innboks.domain.codec import encode
from innboks.domain.policies import CRISIS_POLICY, DEFAULT_POLICIES, STANDARD_POLICY
from streams.sla.process import ConversationClock, apply_message, tick
from streams.sla.schedule import RETRY_SECONDS, InquiryIndex
from tests.helpers import message

RECEIVED = "2026-11-16T09:00:00+00:00"  # Monday 10:00 Oslo: warning 15:00 Oslo, due Tuesday 10:00 Oslo
NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)


def opened(native_id: str = "a", policy: str = "standard") -> ConversationClock:
    clock, _ = apply_message(ConversationClock(), message(native_id, conversation=native_id, created=RECEIVED),
                             policy, DEFAULT_POLICIES, NOW)
    return clock


def test_alarm_fires_at_warning_time_then_retries_until_the_agent_reports_back() -> None:
    index, clock = InquiryIndex(), opened()
    index.track(b"k", clock)
    warning_at = clock.open.warning_at.timestamp()
    assert index.due_keys(warning_at - 1) == []
    assert index.due_keys(warning_at) == [b"k"]
    assert index.due_keys(warning_at + 1) == []  # fired; waiting for the agent
    assert index.due_keys(warning_at + RETRY_SECONDS) == [b"k"]  # the tick was lost: again
    warned, events = tick(clock, "k", clock.open.warning_at)
    assert len(events) == 1
    index.track(b"k", warned)  # the agent's write: next alarm is the due time
    assert index.due_keys(warning_at + 2 * RETRY_SECONDS) == []
    assert index.due_keys(clock.open.due_at.timestamp()) == [b"k"]


def test_answered_inquiry_leaves_the_index() -> None:
    index = InquiryIndex()
    index.track(b"k", opened())
    index.track(b"k", ConversationClock())
    assert len(index) == 0 and index.due_keys(2e9) == []


def test_after_a_crisis_the_sweep_asks_once_for_every_inquiry_still_on_the_crisis_policy() -> None:
    index = InquiryIndex()
    index.track(b"std", opened("a"))
    index.track(b"cri", opened("b", policy=CRISIS_POLICY.name))
    now = datetime.fromisoformat(RECEIVED).timestamp() + 60  # before any alarm
    assert index.due_keys(now) == []  # during the crisis: nothing moves
    assert index.due_keys(now, CRISIS_POLICY.name) == [b"cri"]
    assert index.due_keys(now, CRISIS_POLICY.name) == []


def test_rebuild_matches_the_table_and_drops_idle_and_moved_conversations() -> None:
    index = InquiryIndex()
    index.track(b"gone", opened("g"))  # its partition moved to another worker
    table = {b"a": encode(opened("a")), b"b": encode(opened("b")), b"idle": encode(ConversationClock())}
    index.rebuild(table.items())
    assert len(index) == 2
    summary = index.summary(NOW.timestamp())
    (group, row), = summary.items()
    assert group == ("facebook", "104857362918274")
    assert (row.open, row.overdue, row.oldest_received) == (2, 0, datetime.fromisoformat(RECEIVED).timestamp())
    due = opened("a").open.due_at.timestamp()
    assert index.summary(due).popitem()[1].overdue == 2
    assert sorted(index.due_keys(due)) == [b"a", b"b"]


def test_standard_policy_warning_is_at_80_percent_of_business_time() -> None:
    clock = opened()
    business = STANDARD_POLICY.business_seconds(clock.open.received_at, clock.open.warning_at)
    assert business == 0.8 * STANDARD_POLICY.target_seconds


def test_an_entry_read_from_the_table_is_the_one_tracked_from_the_clock() -> None:
    """The rebuild reads stored values with json (not the model): the same entry for every state."""
    clock = opened()
    warned, _ = tick(clock, "k", clock.open.warning_at)
    breached, _ = tick(warned, "k", clock.open.due_at)
    no_warning, _ = apply_message(ConversationClock(), message("n", conversation="n", created=RECEIVED),
                                  CRISIS_POLICY.name, DEFAULT_POLICIES, NOW)
    for state in (clock, warned, breached, no_warning):
        value = encode(state)
        tracked, rebuilt = InquiryIndex(), InquiryIndex()
        tracked.track(b"k", state, hash(value))
        rebuilt.rebuild([(b"k", value)])
        assert rebuilt._entries == tracked._entries
        assert rebuilt.summary(NOW.timestamp()) == tracked.summary(NOW.timestamp())


def test_alarms_in_one_bucket_fire_each_at_its_own_time() -> None:
    index = InquiryIndex()
    clocks = {f"k{i}".encode(): opened(f"k{i}") for i in range(50)}
    for key, clock in clocks.items():
        index.track(key, clock)
    warning_at = next(iter(clocks.values())).open.warning_at.timestamp()
    later = opened("late")
    late_warning = later.open.warning_at.replace(second=7)  # same bucket, 7 s later
    index.track(b"late", later.model_copy(update={"open": later.open.model_copy(update={"warning_at": late_warning})}))
    assert sorted(index.due_keys(warning_at)) == sorted(clocks)
    assert index.due_keys(warning_at + 1) == []
    assert index.due_keys(late_warning.timestamp()) == [b"late"]
    assert sorted(index.due_keys(warning_at + RETRY_SECONDS)) == sorted(clocks)  # retried, once each
