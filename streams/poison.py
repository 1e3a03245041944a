"""No crash loops: a record a stage died on twice is dead-lettered the third time instead of processed.

``guarded`` turns every exception of a step into a dead letter, but a record can still take the whole
process down (out of memory, a crash in native code) or escape as an agent crash. Kafka then hands
the same record to the restarted stage, which dies again: the partition is stuck and the process
restarts for ever. So each agent writes which record it is working on to a small file in the data
directory before it starts on it, and clears it when done: two writes into a shared memory map of
the file per record (no system call, no fsync: the page cache outlives the process; the two
``pwrite`` calls per record they replace took 3-4 % of the worker's time under load, issue 30).
A marker found at start, or left by an agent crash, names a record the stage died on; the third
time that record comes, it goes to the dead letters with reason ``crash_loop``. Every such death
counts in ``innboks_stage_restarts_total``.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path

#: Each marker is one fixed-width line; a topic name is at most 249 characters in Kafka.
RECORD_BYTES = 320
_BLANK = b" " * RECORD_BYTES
#: The deaths a record may cause before it is dead-lettered unprocessed.
MAX_DEATHS = 2


@dataclass(frozen=True)
class Position:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Suspect:
    position: Position
    deaths: int


class InFlight:
    """The record an agent is working on, kept in ``path`` so that its death is noticed by the next start."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        #: The record the previous run died on (with how often), if any.
        self.suspect = self._read()
        if os.fstat(self._fd).st_size < RECORD_BYTES:
            os.ftruncate(self._fd, RECORD_BYTES)
        self._map = mmap.mmap(self._fd, RECORD_BYTES)
        self._current: Suspect | None = None
        #: Deaths noticed: a marker left by the previous process, then each agent crash.
        self.deaths = 1 if self.suspect is not None else 0

    def begin(self, position: Position) -> bool:
        """Mark ``position`` as in flight; False when it already killed the stage ``MAX_DEATHS`` times."""
        suspect = self.suspect
        deaths = 0
        if suspect is not None and suspect.position == position:
            if suspect.deaths >= MAX_DEATHS:
                self.suspect = None
                self._clear()
                return False
            deaths = suspect.deaths
        elif suspect is not None and suspect.position.topic == position.topic \
                and suspect.position.partition == position.partition and position.offset > suspect.position.offset:
            self.suspect = None  # got past it: it was not the record's fault
        self._current = Suspect(position, deaths)
        self._write(self._current)
        return True

    def end(self) -> None:
        self._current = None
        self._clear()

    def crashed(self) -> None:
        """The agent crashed (in this process): the record in flight is the suspect, one death more."""
        current = self._current
        if current is not None:
            # In memory only: the marker keeps saying what is in flight, which a later start counts.
            self.suspect = Suspect(current.position, current.deaths + 1)
        self.deaths += 1
        self._current = None

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)

    def _read(self) -> Suspect | None:
        line = os.pread(self._fd, RECORD_BYTES, 0).decode("utf-8", "replace").strip("\x00 \n")
        try:
            topic, partition, offset, deaths = line.split("\t")
            # The marker says what was in flight when the process ended: that is one more death.
            return Suspect(Position(topic, int(partition), int(offset)), int(deaths) + 1)
        except ValueError:
            return None

    def _write(self, suspect: Suspect) -> None:
        position = suspect.position
        line = f"{position.topic}\t{position.partition}\t{position.offset}\t{suspect.deaths}".encode()
        self._map[:] = line[:RECORD_BYTES].ljust(RECORD_BYTES, b" ")

    def _clear(self) -> None:
        self._map[:] = _BLANK
