"""The Fiks sender's rules and the store's projection of innboks.archive-receipts, without a broker."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from connectors.archive import fiks_arkiv
from connectors.archive.fiks_state import (
    RECEIPTS,
    ArchiveState,
    Revision,
    backoff,
    klient_melding_id,
    korrelasjons_id,
    next_step,
    parse_korrelasjons_id,
)
from innboks.config import topics
from innboks.db.engine import open_store
from innboks.db.schema import archive_events, case_archive
from innboks.domain.archive_status import Position, supersedes
from innboks.store.projection import apply
from schemas import ArchiveError, ArchiveReceipt, ArchiveStatus

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
CASE = str(uuid.uuid4())
TIMEOUT = timedelta(minutes=10)


def event(status: str, attempt: int = 1, minutes: float = 0, *, retry: bool = False, event_id: str | None = None,
          **fields: object) -> ArchiveReceipt:
    return ArchiveReceipt(event_id=event_id or f"{status}:{attempt}:{uuid.uuid4()}", case_id=CASE, revision=0,
                          conversation_key="facebook:1:c1", inquiry_id="facebook:q1", status=ArchiveStatus(status),
                          attempt=attempt, retry=retry, at=T0 + timedelta(minutes=minutes), **fields)


@pytest.mark.parametrize(("status", "attempt", "final", "current", "expected"), [
    ("received", 1, False, None, True),
    ("received", 1, False, ("sent", 1, False), True),
    ("sent", 1, False, ("received", 1, False), False),  # a late "sent" does not undo the mottatt
    ("received", 1, False, ("sent", 2, False), False),  # the first sending's mottatt after the second was sent
    ("sent", 2, False, ("failed", 1, False), True),  # a retry after serverfeil
    ("received", 2, False, ("archived", 1, True), False),  # archived is final
    ("failed", 3, True, ("archived", 1, True), False),
    ("sent", 2, False, ("failed", 1, True), True),  # --retry-failed: a later attempt replaces a final failure
    ("received", 1, False, ("failed", 1, True), False),
])
def test_which_event_wins(status, attempt, final, current, expected) -> None:
    assert supersedes(Position(status, attempt, final), Position(*current) if current else None) is expected


def revision(status: str, minutes_ago: float = 0, **fields: object) -> Revision:
    now = T0 + timedelta(hours=1)
    return Revision(CASE, 0, "k", "q", status=status, attempt=1, sent_at=now - timedelta(minutes=minutes_ago),
                    **fields)


@pytest.mark.parametrize(("item", "expected"), [
    (None, "send"),
    (revision("pending"), "send"),  # nothing proves it left: send (again)
    (revision("sent", minutes_ago=1), "wait"),
    (revision("sent", minutes_ago=11), "send"),  # no mottatt within the timeout: send again
    (revision("received", minutes_ago=500), "wait"),  # the archive has it: never sent again
    (revision("failed", next_attempt_at=T0 + timedelta(hours=2)), "wait"),
    (revision("failed", next_attempt_at=T0), "send"),
    (revision("archived", final=True), "done"),
    (revision("failed", final=True), "done"),
])
def test_when_a_revision_is_sent_again(item, expected) -> None:
    assert next_step(item, T0 + timedelta(hours=1), TIMEOUT) == expected


def test_state_deduplicates_and_matches_receipts_by_message_id_or_correlation() -> None:
    state = ArchiveState()
    sent = event("sent", melding_id="m-1")
    assert state.apply(event("pending")) and state.apply(sent)
    assert not state.apply(sent)  # the same event again changes nothing
    revision_, attempt = state.match(None, "m-1")
    assert (revision_.key, attempt) == ((CASE, 0), 1)
    assert state.match(korrelasjons_id(CASE, 0), "unknown")[0].key == (CASE, 0)
    assert state.match("not-ours", "unknown") is None
    state.apply(event("received", minutes=1))
    state.apply(event("archived", minutes=2, saksaar=2026, sakssekvensnummer=7, journalpostnummer=1))
    assert state.get((CASE, 0)).saksnummer == "2026/7" and state.get((CASE, 0)).final
    assert state.oldest_unconfirmed_seconds(T0 + timedelta(hours=1)) == 0.0


def test_the_oldest_case_without_kvittering_is_measured_from_its_first_sending() -> None:
    state = ArchiveState()
    state.apply(event("pending"))
    state.apply(event("sent", 1, 0.1))
    state.apply(event("failed", 1, 5, retry=True, error=ArchiveError(kind="serverfeil")))
    state.apply(event("sent", 2, 30))
    assert state.oldest_unconfirmed_seconds(T0 + timedelta(minutes=60)) == 3600
    assert state.counts() == {"sent": 1}


def test_identifiers_and_backoff() -> None:
    assert klient_melding_id(CASE, 1) == klient_melding_id(CASE, 1) != klient_melding_id(CASE, 2)
    assert parse_korrelasjons_id(korrelasjons_id(CASE, 3)) == (CASE, 3)
    assert parse_korrelasjons_id("noe annet/1") is None
    rng = random.Random(1)
    delays = [backoff(n, 30, 3600, rng).total_seconds() for n in range(1, 10)]
    assert 27 <= delays[0] <= 33 and 54 <= delays[1] <= 66 and max(delays) <= 3960
    assert RECEIPTS[fiks_arkiv.UGYLDIG] == (ArchiveStatus.FAILED, "ugyldigforespoersel", False)
    assert RECEIPTS[fiks_arkiv.SERVERFEIL][2] is True


@pytest.fixture()
def engine(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield engine
    engine.dispose()


def test_the_store_keeps_the_latest_word_and_each_event_once(engine) -> None:
    kvittering = event("archived", 1, 3, event_id="receipt:k", saksaar=2026, sakssekvensnummer=123,
                       journalpostnummer=4, journalaar=2026, journalsekvensnummer=88)
    late_mottatt = event("received", 1, 1, event_id="receipt:m")
    with engine.begin() as connection:
        for item in (event("pending"), event("sent", 1, 0.1, melding_id="m-1"), kvittering, late_mottatt, kvittering):
            apply(connection, topics.ARCHIVE_RECEIPTS, item.to_json_bytes(), b"facebook:1:c1")
    with engine.connect() as connection:
        row = connection.execute(sa.select(case_archive)).one()
        events = connection.execute(sa.select(sa.func.count()).select_from(archive_events)).scalar()
    assert (row.status, row.saksaar, row.sakssekvensnummer, row.journalpostnummer) == ("archived", 2026, 123, 4)
    assert events == 4
