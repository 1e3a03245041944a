"""``innboks archive --fiks`` against the stand-in Fiks IO and archive over a real rabbitmq-server."""

from __future__ import annotations

import time
from collections import Counter
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


def run_once(world: FiksWorld, bootstrap: str, log: Path, *args: str, timeout: float = 240, lookup: bool = False,
             **env: str) -> int:
    sender = sender_process(world, bootstrap, log, "--once", *args, lookup=lookup, **env).start()
    assert sender.process is not None
    try:
        return sender.process.wait(timeout)
    finally:
        sender.stop()


def test_an_archive_that_refuses_gets_each_case_once_and_the_operator_is_told(tmp_path: Path,
                                                                              own_broker: EmbeddedBroker) -> None:
    cases = fiks_cases(3)
    produce(own_broker.bootstrap_servers, topics.CASES, case_records(cases))
    with FiksWorld(tmp_path / "fiks", accepted_systems=frozenset({"Noe annet"})) as world:
        assert run_once(world, own_broker.bootstrap_servers, tmp_path / "sender.log",
                        INNBOKS_FIKS_RETRY_BASE_SECONDS="1") == 0
        events = receipts(TopicReader(own_broker.bootstrap_servers))
        latest = final_status(events)
        assert all(e.status.value == "failed" and e.final and e.error.kind == "ugyldigforespoersel"
                   and "avsendersystemet" in e.error.message for e in latest.values())
        assert len(latest) == 3
        # ugyldigforespoersel is not retried: one sending per case.
        assert sorted(e.attempt for e in events if e.status.value == "sent") == [1, 1, 1]
        assert len([s for s in world.platform.sent if s.melding_type == "no.ks.fiks.arkiv.v1.arkivering."
                    "arkivmelding.opprett"]) == 3


def test_serverfeil_is_retried_and_the_account_found_in_the_catalogue(tmp_path: Path,
                                                                       own_broker: EmbeddedBroker) -> None:
    cases = fiks_cases(2)
    produce(own_broker.bootstrap_servers, topics.CASES, case_records(cases))
    with FiksWorld(tmp_path / "fiks", serverfeil_first=True) as world:
        assert run_once(world, own_broker.bootstrap_servers, tmp_path / "sender.log", lookup=True,
                        INNBOKS_FIKS_RETRY_BASE_SECONDS="1") == 0
        events = receipts(TopicReader(own_broker.bootstrap_servers))
        latest = final_status(events)
        assert all(e.status.value == "archived" and e.attempt == 2 for e in latest.values()), latest
        kinds = [e.error.kind for e in events if e.error]
        assert kinds.count("serverfeil") == 2


def test_no_mottatt_in_time_sends_again_and_the_archive_recognises_the_repeat(tmp_path: Path,
                                                                                own_broker: EmbeddedBroker) -> None:
    cases = fiks_cases(3)
    produce(own_broker.bootstrap_servers, topics.CASES, case_records(cases))
    with FiksWorld(tmp_path / "fiks", start_archive=False) as world:
        sender = sender_process(world, own_broker.bootstrap_servers, tmp_path / "sender.log", "--once",
                                INNBOKS_FIKS_RECEIPT_TIMEOUT_SECONDS="2").start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the archive is down: each case is sent again after 2 s
            sendings = Counter(s.headere.get("klientMeldingId") for s in world.platform.sent)
            if len(sendings) == 3 and min(sendings.values()) >= 2:
                break
            time.sleep(0.5)
        world.archive.start()
        assert sender.process is not None and sender.process.wait(120) == 0
        latest = final_status(receipts(TopicReader(own_broker.bootstrap_servers)))
        assert all(e.status.value == "archived" for e in latest.values()) and len(latest) == 3
        record = world.archive.record
        deliveries = Counter(d.klient_melding_id for d in record.deliveries)
        assert len(deliveries) == 3 and min(deliveries.values()) >= 2
        # One saksmappe and one journalpost per case, however often it arrived.
        assert len(record.saksmapper) == 3 and len(record.journalposter) == 3
        assert {d.outcome for d in record.deliveries} == {"registered", "existing"}


def test_a_message_expired_unread_comes_back_as_tidsavbrudd_and_is_sent_again(tmp_path: Path,
                                                                              own_broker: EmbeddedBroker) -> None:
    cases = fiks_cases(1)
    produce(own_broker.bootstrap_servers, topics.CASES, case_records(cases))
    with FiksWorld(tmp_path / "fiks", start_archive=False) as world:
        sender = sender_process(world, own_broker.bootstrap_servers, tmp_path / "sender.log", "--once",
                                INNBOKS_FIKS_TTL_SECONDS="2", INNBOKS_FIKS_RETRY_BASE_SECONDS="1").start()
        reader = TopicReader(own_broker.bootstrap_servers)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(e.error and e.error.kind == "tidsavbrudd" for e in receipts(reader)):
                break
            time.sleep(0.5)
        world.archive.start()
        assert sender.process is not None and sender.process.wait(120) == 0
        events = receipts(reader)
        latest = final_status(events)
        timeouts = [e for e in events if e.error and e.error.kind == "tidsavbrudd"]
        assert timeouts and all(e.retry and e.message_type == "no.ks.fiks.kvittering.tidsavbrudd" for e in timeouts)
        assert [e.status.value for e in latest.values()] == ["archived"]
        assert list(latest.values())[0].attempt > timeouts[0].attempt


def test_what_cannot_be_read_or_matched_goes_to_the_dead_letter_topic(tmp_path: Path,
                                                                      own_broker: EmbeddedBroker) -> None:
    import asyncio
    import uuid

    import httpx

    from connectors.archive import fiks_arkiv
    from connectors.fiks_io import FiksIOClient, FiksIOConfig, MaskinportenClient, MeldingRequest
    from connectors.fiks_io.asice import AsiceFile

    with FiksWorld(tmp_path / "fiks") as world:
        party = world.archive_party

        async def send_as_the_archive() -> None:
            async with httpx.AsyncClient() as http:
                config = FiksIOConfig(account_id=party.account.konto_id,
                                      integration_id=party.integration.integration_id,
                                      integration_password=party.integration.password,
                                      api_url=world.platform.base_url, amqp_url=world.rabbitmq.url)
                maskinporten = MaskinportenClient(world.platform.token_endpoint, world.platform.audience,
                                                  party.client_id, party.certificate.signer, http=http)
                client = FiksIOClient(config, maskinporten, party.certificate.signer, [], http=http)
                to_innboks = world.innboks.account.konto_id
                # Not encrypted to Innboks's key: unreadable.
                await client.send_raw(MeldingRequest(to_innboks, fiks_arkiv.OPPRETT_KVITTERING,
                                                     svar_pa_melding=uuid.uuid4()), b"not a CMS structure")
                # Readable, but an answer to nothing Innboks sent.
                kvittering = fiks_arkiv.build_kvittering(fiks_arkiv.Kvittering(
                    mappe_system_id=str(uuid.uuid4()), saksaar=2026, sakssekvensnummer=1, mappe_key="ukjent"), 2026)
                await client.send(MeldingRequest(to_innboks, fiks_arkiv.OPPRETT_KVITTERING,
                                                 svar_pa_melding=uuid.uuid4()),
                                  [AsiceFile(fiks_arkiv.KVITTERING_NAME, kvittering)])

        asyncio.run(send_as_the_archive())
        assert run_once(world, own_broker.bootstrap_servers, tmp_path / "sender.log",
                        INNBOKS_FIKS_ONCE_WAIT_SECONDS="5") == 0
    reader = TopicReader(own_broker.bootstrap_servers)
    letters = reader.wait_for(topics.DEADLETTER, lambda d: d["stage"] == "archive-fiks", count=2, timeout=30)
    assert sorted(d["reason_code"] for d in letters) == ["unmatched_receipt", "unreadable_receipt"]
    assert receipts(reader) == []
