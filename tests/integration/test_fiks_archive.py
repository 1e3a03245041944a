"""``innboks archive --fiks`` against the stand-in Fiks IO and archive over a real rabbitmq-server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from innboks.config import topics
from innboks.demo.fiks.world import FiksWorld
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from tests.fiks import case_records, fiks_cases, final_status, receipts, sender_process
from tests.helpers import TopicReader, produce

pytestmark = pytest.mark.integration


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[FiksWorld]:
    with FiksWorld(tmp_path / "fiks") as running:
        yield running


@pytest.fixture()
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as running:
        create_topics(running.bootstrap_servers, 2, 1)
        yield running


def test_every_case_is_archived_with_the_archives_numbers(world: FiksWorld, own_broker: EmbeddedBroker,
                                                           tmp_path: Path) -> None:
    cases = fiks_cases(6, changes_every=3)
    produce(own_broker.bootstrap_servers, topics.CASES, case_records(cases))
    sender = sender_process(world, own_broker.bootstrap_servers, tmp_path / "sender.log", "--once").start()
    assert sender.process is not None
    assert sender.process.wait(240) == 0, (tmp_path / "sender.log").read_text()[-3000:]
    events = receipts(TopicReader(own_broker.bootstrap_servers))
    latest = final_status(events)
    assert {key for key in latest} == {(c.case_id, c.revision) for c in cases}
    assert all(event.status.value == "archived" for event in latest.values()), latest
    for case in cases:
        event = latest[(case.case_id, case.revision)]
        assert event.saksnummer == world.archive.saksnummer(case.case_id)
    # Revision 1 went into the same saksmappe as revision 0, as journal entry 2.
    edited = [c for c in cases if c.revision == 1]
    assert edited and all(latest[(c.case_id, 1)].journalpostnummer == 2 for c in edited)
    assert all(latest[(c.case_id, 1)].saksnummer == latest[(c.case_id, 0)].saksnummer for c in edited)
    # The screened case kept its skjerming in the archive.
    screened = [c for c in cases if c.screening.screened and c.revision == 0]
    assert screened and all(world.archive.record.journalposter[f"Innboks:{c.inquiry.id}"].screened for c in screened)
