"""What the Fiks tests share: forwarded cases (some screened, some with later changes), the sender
as a process, and reading what it published on ``innboks.archive-receipts``."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from innboks.config import topics
from innboks.demo.fiks.world import FiksWorld
from innboks.kafka.broker import free_port
from innboks.processes import ManagedProcess
from schemas import ArchiveReceipt, CaseChange, CaseForward, Event
from schemas.case import case_id_for
from streams.routing.process import ConversationHistory, build_case
from streams.triage.classifier import build_classifier
from streams.triage.process import triage_message
from tests.helpers import TopicReader, message

CLASSIFIER = build_classifier()
NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
TEXTS = ("Hei! Jeg har søkt om byggetillatelse for garasje. Når får jeg svar på søknaden min?",
         "Jeg har søkt om byggetillatelse, fnr 01010012356. Når får jeg svar på søknaden?",
         "Når kommer vedtaket på søknaden min om plass i barnehage?")


def fiks_cases(count: int, changes_every: int = 0) -> list[CaseForward]:
    """``count`` distinct cases, each its own conversation; every ``changes_every``-th also edited."""
    cases: list[CaseForward] = []
    for n in range(count):
        inquiry = message(f"fiks{n}", conversation=f"fiks-c{n}", text=TEXTS[n % len(TEXTS)],
                          created=(NOW - timedelta(hours=1, minutes=n)).isoformat())
        case = build_case(triage_message(inquiry, CLASSIFIER, NOW), ConversationHistory(), "Offl. § 13 jf. fvl. § 13",
                          NOW)
        assert case is not None and case.case_id == case_id_for(inquiry.id)
        cases.append(case)
        if changes_every and n % changes_every == 0:
            edited = inquiry.model_copy(update={"event": Event.EDITED, "text": inquiry.text + " (endret)"})
            cases.append(case.model_copy(update={"revision": 1, "forwarded_at": NOW + timedelta(minutes=5),
                                                 "change": CaseChange(event=Event.EDITED, message=edited,
                                                                      observed_at=NOW + timedelta(minutes=5))}))
    return cases


def case_records(cases: list[CaseForward]) -> list[tuple[bytes, bytes]]:
    return [(case.inquiry.key.encode(), case.to_json_bytes()) for case in cases]


def sender_process(world: FiksWorld, bootstrap: str, log: Path, *args: str, lookup: bool = False,
                   **env: str) -> ManagedProcess:
    environment = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "INNBOKS_EMBEDDED_BROKER": "true",
                   "PYTHONUNBUFFERED": "1", "INNBOKS_FIKS_METRICS_PORT": str(free_port()),
                   **world.innboks_env(lookup=lookup), **env}
    return ManagedProcess([sys.executable, "-m", "innboks", "archive", "--fiks", *args], environment, log)


def receipts(reader: TopicReader) -> list[ArchiveReceipt]:
    return [ArchiveReceipt.model_validate_json(value) for _, value in reader.read(topics.ARCHIVE_RECEIPTS)
            if value is not None]


def final_status(events: list[ArchiveReceipt]) -> dict[tuple[str, int], ArchiveReceipt]:
    """The last word per revision, by the store's and the sender's rule."""
    from innboks.domain.archive_status import Position, supersedes

    latest: dict[tuple[str, int], ArchiveReceipt] = {}
    for event in events:
        key = (event.case_id, event.revision)
        current = latest.get(key)
        position = Position(event.status.value, event.attempt, event.final)
        if current is None or supersedes(position, Position(current.status.value, current.attempt, current.final)):
            latest[key] = event
    return latest
