"""The crash-loop guard: a record the stage died on twice is dead-lettered the third time."""

from __future__ import annotations

from pathlib import Path

from streams.poison import InFlight, Position

RECORD = Position("innboks.raw", 2, 1041)


def test_a_record_that_kills_the_process_twice_is_refused_the_third_time(tmp_path: Path) -> None:
    marker = tmp_path / "normalize.marker"
    first = InFlight(marker)
    assert first.deaths == 0 and first.begin(RECORD)  # ... and the process dies here (no end())
    second = InFlight(marker)
    assert second.deaths == 1 and second.suspect is not None and second.suspect.deaths == 1
    assert second.begin(RECORD)  # dies again
    third = InFlight(marker)
    assert third.suspect is not None and third.suspect.deaths == 2
    assert not third.begin(RECORD)  # dead-lettered, not processed
    assert third.begin(Position("innboks.raw", 2, 1042))
    third.end()
    assert InFlight(marker).deaths == 0


def test_a_record_processed_to_the_end_leaves_no_suspect(tmp_path: Path) -> None:
    tracker = InFlight(tmp_path / "m")
    for offset in range(100):
        assert tracker.begin(Position("innboks.messages", 0, offset))
        tracker.end()
    assert InFlight(tmp_path / "m").suspect is None


def test_agent_crashes_in_the_process_count_too(tmp_path: Path) -> None:
    tracker = InFlight(tmp_path / "m")
    tracker.begin(RECORD)
    tracker.crashed()
    assert tracker.begin(RECORD)
    tracker.crashed()
    assert tracker.deaths == 2 and not tracker.begin(RECORD)


def test_getting_past_a_suspect_forgets_it(tmp_path: Path) -> None:
    marker = tmp_path / "m"
    InFlight(marker).begin(RECORD)  # died on it once, while the broker was away (not its fault)
    tracker = InFlight(marker)
    assert tracker.begin(Position(RECORD.topic, RECORD.partition, RECORD.offset + 5))
    tracker.end()
    assert tracker.suspect is None and tracker.begin(RECORD)


def test_the_marker_outlives_a_killed_process(tmp_path: Path) -> None:
    """The marker is a shared memory map of the file: what a process wrote there before SIGKILL is
    what the next start reads."""
    import os
    import signal

    marker = tmp_path / "conversation.marker"
    child = os.fork()
    if child == 0:  # pragma: no cover - the child is killed
        tracker = InFlight(marker)
        tracker.begin(RECORD)
        os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(child, 0)
    found = InFlight(marker)
    assert found.deaths == 1 and found.suspect is not None and found.suspect.position == RECORD
