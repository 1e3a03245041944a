"""``innboks archive --fiks``: every forwarded case into the municipality's archive over Fiks IO.

Three loops in one process, all writing to ``innboks.archive-receipts`` first and acting after:

- **send**: a consumer-group member of ``innboks.cases``. Each revision becomes an
  ``arkivmelding.opprett`` (``arkivmelding.xml`` + the PDF/A, the folder package's documents), sent
  when ``fiks_state.next_step`` says so. The partition's committed offset never passes a revision
  that is not final (archived, or failed for good), so a sender killed at any moment reads every
  unfinished case again and resumes: a revision whose last word is ``pending`` or ``sent`` without
  ``mottatt`` past the timeout is sent again with the same ``klientMeldingId`` and external keys,
  one with ``mottatt`` is not (the archive has it). Revisions of one case go one at a time, in order.
- **receive**: the account's AMQP queue. A message is matched to what was sent (its ``svar-til``,
  else the ``klientKorrelasjonsId`` carried back, else the kvittering's external keys), published,
  and only then acknowledged; one already on the topic (by its Fiks IO message id) is acknowledged
  without a second event. What cannot be read or matched goes to ``innboks.deadletter``.
- **follow**: the topic itself, so that events of other sender processes reach this one's state.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from connectors.archive import fiks_arkiv
from connectors.archive.arkivmelding import Document, InvalidArkivmelding, build, build_change
from connectors.archive.fiks_metrics import FiksMetrics
from connectors.archive.fiks_state import (
    OUTCOMES,
    RECEIPTS,
    ArchiveState,
    Key,
    Revision,
    backoff,
    klient_melding_id,
    korrelasjons_id,
    next_step,
)
from connectors.archive.package import PDF_NAME, ArchiveWriter
from connectors.fiks_io import FiksIOClient, FiksIOError, MeldingRequest, MottattMelding
from connectors.fiks_io.asice import AsiceFile
from innboks.config.fiks import FiksSettings
from innboks.config.topics import ARCHIVE_RECEIPTS, CASES, DEADLETTER
from innboks.domain.codec import describe_validation_error
from innboks.domain.conversation_pdf import render_change_pdf, render_pdf
from innboks.domain.deadletter import dead_letter
from innboks.kafka.clients import AsyncProducer, GroupConsumer, KafkaClientError, Partition, Record, TopicTail
from schemas import ArchiveError, ArchiveReceipt, ArchiveStatus, CaseForward

log = logging.getLogger(__name__)

STAGE = "archive-fiks"
ASSIGNMENT_TIMEOUT = 90.0


@dataclass
class Outstanding:
    """A revision read from innboks.cases and not final yet: its offset is not committed."""

    case: CaseForward
    partition: Partition
    offset: int
    in_flight: bool = False


def change_file_name(case: CaseForward) -> str:
    assert case.change is not None
    return f"endring-{case.revision:04d}-{case.change.event.value}.pdf"


def archive_files(case: CaseForward, municipality: str) -> list[AsiceFile]:
    """``arkivmelding.xml`` (the root file) and the conversation or the change as PDF/A."""
    if case.revision == 0:
        pdf = render_pdf(case, municipality, case.account_name)
        name = PDF_NAME
        document = Document(name, hashlib.sha256(pdf).hexdigest(), len(pdf), datetime.now(UTC))
        xml = build(case, document, case.owning_unit)
    else:
        pdf = render_change_pdf(case, municipality)
        name = change_file_name(case)
        document = Document(name, hashlib.sha256(pdf).hexdigest(), len(pdf), datetime.now(UTC))
        xml = build_change(case, document, case.owning_unit)
    return [AsiceFile(fiks_arkiv.PAYLOAD_NAME, xml, "application/xml"), AsiceFile(name, pdf, "application/pdf")]


class FiksSender:
    def __init__(self, *, client: FiksIOClient, fiks: FiksSettings, recipient: uuid.UUID, municipality: str,
                 bootstrap: str, group: str, metrics: FiksMetrics, group_timeouts: dict[str, float] | None = None,
                 out: Path | None = None, retry_failed: bool = False,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.client = client
        self.fiks = fiks
        self.recipient = recipient
        self.municipality = municipality
        self.bootstrap = bootstrap
        self.group = group
        self.metrics = metrics
        self.group_timeouts = group_timeouts
        self.writer = ArchiveWriter(out, municipality) if out else None
        self.retry_failed = retry_failed
        #: Revisions that failed for good and get one more sending (``--retry-failed``).
        self.retrying: set[Key] = set()
        self.clock = clock
        self.state = ArchiveState()
        self.outstanding: dict[Key, Outstanding] = {}
        self.offsets: dict[Partition, dict[int, Key]] = {}
        self.read_to: dict[Partition, int] = {}
        self.committed: dict[Partition, int] = {}
        self.counts: Counter[str] = Counter()
        self.stopping = asyncio.Event()
        self.receiving_since: datetime | None = None
        self.last_receipt_at: datetime | None = None
        self.producer = AsyncProducer(bootstrap, client_id="innboks-archive-fiks")
        self._rng = random.Random()
        metrics.alert_seconds.set(fiks.alert_seconds)
        metrics.watch(lambda: self.state.oldest_unconfirmed_seconds(self.clock()), self.state.counts)

    # --- the state, from the topic -------------------------------------------------------------

    def _read_to_end(self, tail: TopicTail) -> list[Record]:
        records = tail.poll(0.5)
        while not tail.at_end:
            records.extend(tail.poll(0.5))
        return records

    def _apply_records(self, records: list[Record]) -> None:
        for record in records:
            try:
                self.state.apply(ArchiveReceipt.model_validate_json(record.value or b""))
            except ValidationError:
                log.warning("archive-fiks: skipped an invalid event at %s[%d]@%d", record.topic, record.partition,
                            record.offset)

    async def _follow(self, tail: TopicTail) -> None:
        """Take in events other sender processes publish (ours come back too: deduplicated)."""
        while not self.stopping.is_set():
            try:
                records = await asyncio.to_thread(tail.poll, 1.0)
            except KafkaClientError as exc:
                log.warning("archive-fiks: cannot follow %s (%s)", ARCHIVE_RECEIPTS, exc.reason)
                await asyncio.sleep(1.0)
                continue
            self._apply_records(records)

    async def _publish(self, event: ArchiveReceipt) -> None:
        await self.producer.send_all(ARCHIVE_RECEIPTS, [(event.conversation_key.encode(), event.to_json_bytes())])
        self.state.apply(event)

    def _event(self, case: CaseForward | Revision, status: ArchiveStatus, attempt: int,
               **fields: object) -> ArchiveReceipt:
        if isinstance(case, CaseForward):
            ids = {"case_id": case.case_id, "revision": case.revision, "conversation_key": case.inquiry.key,
                   "inquiry_id": case.inquiry.id}
        else:
            ids = {"case_id": case.case_id, "revision": case.revision, "conversation_key": case.conversation_key,
                   "inquiry_id": case.inquiry_id}
        fields.setdefault("at", self.clock())
        fields.setdefault("event_id", f"{status.value}:{ids['case_id']}/{ids['revision']}:{attempt}:{uuid.uuid4()}")
        return ArchiveReceipt.model_validate({**ids, "status": status, "attempt": attempt, **fields})

    async def _dead_letter(self, code: str, reason: str, payload: bytes | None, key: bytes | None = None,
                           record: Record | None = None) -> None:
        letter = dead_letter(stage=STAGE, reason_code=code, reason=reason, source_topic=record.topic if record else
                             "fiks-io", payload=payload, key=key, partition=record.partition if record else None,
                             offset=record.offset if record else None, now=self.clock())
        key_bytes = letter.key.encode() if letter.key else None
        await self.producer.send_all(DEADLETTER, [(key_bytes, letter.to_json_bytes())])

    # --- sending --------------------------------------------------------------------------------

    async def _accept(self, record: Record) -> None:
        partition = Partition(record.topic, record.partition)
        self.read_to[partition] = max(self.read_to.get(partition, 0), record.offset + 1)
        try:
            case = CaseForward.model_validate_json(record.value or b"")
        except ValidationError as exc:
            await self._dead_letter("schema_violation", f"not a valid CaseForward: {describe_validation_error(exc)}",
                                    record.value, record.key, record)
            self.counts["rejected"] += 1
            return
        if self.writer is not None:
            await asyncio.to_thread(self._write_package, case)
        key = (case.case_id, case.revision)
        revision = self.state.get(key)
        if revision is not None and revision.final:
            if not (self.retry_failed and revision.status == "failed"):
                self.counts["already_" + revision.status] += 1
                return
            self.retrying.add(key)
        if key not in self.outstanding:
            self.outstanding[key] = Outstanding(case, partition, record.offset)
        self.offsets.setdefault(partition, {})[record.offset] = key

    def _write_package(self, case: CaseForward) -> None:
        assert self.writer is not None
        try:
            self.writer.write(case)
        except InvalidArkivmelding as exc:
            log.error("archive-fiks: no folder package for case %s: %s", case.case_id, str(exc)[:200])

    def _drained(self, now: datetime) -> bool:
        """Whether what waited in the account's queue when this process started has been read: the
        receiver is connected and has had nothing new for a second. Until then, a revision sent before
        is not sent again (its mottatt may be in the queue; resending is only for want of proof)."""
        if self.receiving_since is None:
            return False
        quiet_since = max(self.receiving_since, self.last_receipt_at or self.receiving_since)
        return (now - quiet_since).total_seconds() >= 1.0

    def _held(self, item: Outstanding) -> bool:
        """A later revision waits until the one before it is final (one at a time, in order)."""
        if item.case.revision == 0:
            return False
        earlier = self.outstanding.get((item.case.case_id, item.case.revision - 1))
        return earlier is not None

    async def _dispatch(self) -> None:
        now = self.clock()
        timeout = timedelta(seconds=self.fiks.receipt_timeout_seconds)
        for key, item in sorted(self.outstanding.items(), key=lambda pair: (pair[1].partition, pair[1].offset)):
            revision = self.state.get(key)
            retrying = key in self.retrying
            if revision is not None and revision.final and not retrying:
                self.outstanding.pop(key, None)
                continue
            if item.in_flight or self._held(item) or self.stopping.is_set():
                continue
            if revision is not None and not retrying and not self._drained(now):
                continue  # a receipt for it may be waiting in the account's queue: read that first
            if retrying or next_step(revision, now, timeout) == "send":
                self.retrying.discard(key)
                item.in_flight = True
                try:
                    await self._send(item, revision)
                finally:
                    item.in_flight = False

    async def _send(self, item: Outstanding, revision: Revision | None) -> None:
        case = item.case
        attempt = (revision.attempt if revision else 0) + 1
        if attempt > self.fiks.max_attempts:
            await self._publish(self._event(case, ArchiveStatus.FAILED, attempt - 1, error=ArchiveError(
                kind="retries_exhausted", message=f"sendt {attempt - 1} ganger uten kvittering")))
            return
        decided_at = self.clock()
        try:
            files = await asyncio.to_thread(archive_files, case, self.municipality)
        except InvalidArkivmelding as exc:
            await self._publish(self._event(case, ArchiveStatus.FAILED, attempt, error=ArchiveError(
                kind="invalid_arkivmelding", message=str(exc)[:1000])))
            return
        await self._publish(self._event(case, ArchiveStatus.PENDING, attempt, at=decided_at,
                                        message_type=fiks_arkiv.OPPRETT))
        request = MeldingRequest(mottaker_konto_id=self.recipient, melding_type=fiks_arkiv.OPPRETT,
                                 ttl_seconds=self.fiks.ttl_seconds,
                                 klient_melding_id=klient_melding_id(case.case_id, case.revision),
                                 klient_korrelasjons_id=korrelasjons_id(case.case_id, case.revision))
        try:
            sent = await self.client.send(request, files)
        except FiksIOError as exc:
            self.metrics.send_failures.labels("retriable" if exc.retriable else "rejected").inc()
            log.warning("archive-fiks: case %s revision %d attempt %d not sent: %s", case.case_id, case.revision,
                        attempt, str(exc)[:200])
            if exc.retriable and attempt < self.fiks.max_attempts:
                delay = backoff(attempt, self.fiks.retry_base_seconds, self.fiks.retry_max_seconds, self._rng)
                await self._publish(self._event(case, ArchiveStatus.FAILED, attempt, retry=True,
                                                next_attempt_at=self.clock() + delay,
                                                error=ArchiveError(kind="send_error", message=str(exc)[:1000])))
            else:
                kind = "send_rejected" if not exc.retriable else "retries_exhausted"
                await self._publish(self._event(case, ArchiveStatus.FAILED, attempt,
                                                error=ArchiveError(kind=kind, message=str(exc)[:1000])))
            return
        self.metrics.sent.labels("first" if attempt == 1 else "resend").inc()
        self.counts["sent" if attempt == 1 else "resent"] += 1
        await self._publish(self._event(case, ArchiveStatus.SENT, attempt, at=decided_at,
                                        message_type=fiks_arkiv.OPPRETT, melding_id=str(sent.melding_id)))
        log.info("archive-fiks: sent case %s revision %d (attempt %d, Fiks IO message %s)", case.case_id,
                 case.revision, attempt, sent.melding_id)

    async def _commit(self, consumer: GroupConsumer) -> None:
        """Per partition: up to the first revision not final, else everything read."""
        offsets: dict[Partition, int] = {}
        for partition, read_to in self.read_to.items():
            held = self.offsets.get(partition, {})
            for offset in [offset for offset, key in held.items() if key not in self.outstanding]:
                del held[offset]
            offsets[partition] = min(held) if held else read_to
        changed = {p: o for p, o in offsets.items() if self.committed.get(p) != o}
        if not changed:
            return
        try:
            await consumer.commit_offsets(changed)
        except KafkaClientError as exc:
            log.warning("archive-fiks: commit refused (%s); the partition's new owner resumes", exc.reason)
            return
        self.committed.update(changed)

    def _forget_revoked(self, assigned: set[Partition]) -> None:
        for key, item in list(self.outstanding.items()):
            if item.partition not in assigned and not item.in_flight:
                del self.outstanding[key]
        for partition in [p for p in self.read_to if p not in assigned]:
            self.read_to.pop(partition)
            self.offsets.pop(partition, None)
            self.committed.pop(partition, None)

    # --- receiving ------------------------------------------------------------------------------

    def _match_by_keys(self, kvittering: fiks_arkiv.Kvittering) -> tuple[Revision, int] | None:
        """A kvittering whose sending Innboks never recorded: the archive's copy of the external keys."""
        for revision in self.state.revisions.values():
            if revision.case_id != kvittering.mappe_key:
                continue
            expected = revision.inquiry_id if revision.revision == 0 else None
            if kvittering.registrering_key in (expected, f"{revision.inquiry_id}/revisjon/{revision.revision}"):
                return revision, max(revision.attempt, 1)
        return None

    def _receiving(self) -> None:
        self.receiving_since = self.clock()

    async def on_receipt(self, melding: MottattMelding) -> None:
        """Handle one message from the account's queue; it is acknowledged when this returns."""
        self.last_receipt_at = self.clock()
        event_id = f"receipt:{melding.melding_id}"
        if event_id in self.state.seen:
            self.metrics.receipts.labels("duplicate").inc()
            return
        outcome = RECEIPTS.get(melding.melding_type)
        if outcome is None:
            self.metrics.receipts.labels("unmatched").inc()
            await self._dead_letter("unknown_message_type", f"Fiks IO message of type {melding.melding_type} "
                                    f"({melding.melding_id}) is not a Fiks Arkiv answer", None)
            return
        kvittering: fiks_arkiv.Kvittering | None = None
        feil: fiks_arkiv.Feilmelding | None = None
        if melding.has_payload:
            try:
                container = self.client.open(melding)
                if melding.melding_type == fiks_arkiv.OPPRETT_KVITTERING:
                    kvittering = fiks_arkiv.parse_kvittering(container.files.get(fiks_arkiv.KVITTERING_NAME, b""))
                elif outcome[0] is ArchiveStatus.FAILED:
                    feil = fiks_arkiv.parse_feilmelding(melding.melding_type,
                                                        container.files.get(fiks_arkiv.FEILMELDING_NAME))
            except (FiksIOError, fiks_arkiv.InvalidFiksArkivMessage) as exc:
                self.metrics.receipts.labels("unreadable").inc()
                await self._dead_letter("unreadable_receipt", f"{melding.melding_type} {melding.melding_id}: "
                                        f"{str(exc)[:300]}", None)
                return
        elif melding.melding_type == fiks_arkiv.OPPRETT_KVITTERING:
            self.metrics.receipts.labels("unreadable").inc()
            await self._dead_letter("unreadable_receipt", f"kvittering {melding.melding_id} without payload", None)
            return
        svar_til = str(melding.svar_pa_melding) if melding.svar_pa_melding else None
        matched = self.state.match(melding.klient_korrelasjons_id, svar_til)
        if matched is None and kvittering is not None:
            matched = self._match_by_keys(kvittering)
        if matched is None:
            self.metrics.receipts.labels("unmatched").inc()
            await self._dead_letter("unmatched_receipt", f"{melding.melding_type} {melding.melding_id} answers "
                                    f"{svar_til}, which Innboks did not send", None)
            return
        revision, attempt = matched
        status, kind, retry = outcome
        error = None
        if kind is not None:
            error = ArchiveError(kind=kind, feil_id=feil.feil_id if feil else None,
                                 message=(feil.message if feil else "")[:1000])
        if kvittering is not None and kvittering.registrering_error:
            status, retry = ArchiveStatus.FAILED, False
            error = ArchiveError(kind="registrering_feilet", message=kvittering.registrering_error[:1000])
        if retry and attempt >= self.fiks.max_attempts:
            retry = False
        now = self.clock()
        numbers: dict[str, object] = {}
        if kvittering is not None:
            numbers = {"saksaar": kvittering.saksaar, "sakssekvensnummer": kvittering.sakssekvensnummer,
                       "journalaar": kvittering.journalaar, "journalsekvensnummer": kvittering.journalsekvensnummer,
                       "journalpostnummer": kvittering.journalpostnummer, "mappe_system_id": kvittering.mappe_system_id,
                       "registrering_system_id": kvittering.registrering_system_id,
                       "existing": kvittering.registrering_existing}
        event = self._event(revision, status, attempt, event_id=event_id, message_type=melding.melding_type,
                            melding_id=svar_til, receipt_melding_id=str(melding.melding_id), error=error, retry=retry,
                            next_attempt_at=now + backoff(attempt, self.fiks.retry_base_seconds,
                                                          self.fiks.retry_max_seconds, self._rng) if retry else None,
                            at=now, **numbers)
        sent_at = revision.sent_at
        await self._publish(event)
        self.metrics.receipts.labels(OUTCOMES[melding.melding_type]).inc()
        if status is ArchiveStatus.ARCHIVED and sent_at is not None:
            self.metrics.kvittering_seconds.observe(max(0.0, (now - sent_at).total_seconds()))
        log.info("archive-fiks: %s for case %s revision %d%s", OUTCOMES[melding.melding_type], revision.case_id,
                 revision.revision, f" (sak {event.saksnummer}, journalpost {event.journalpostnummer})"
                 if event.saksnummer else "")

    # --- the whole ------------------------------------------------------------------------------

    def unfinished(self) -> int:
        return sum(1 for key in self.outstanding if not (self.state.get(key) and self.state.revisions[key].final))

    async def run(self, once: bool) -> Counter[str]:
        await self.producer.start()
        tasks: list[asyncio.Task[None]] = []
        consumer = GroupConsumer(self.bootstrap, [CASES], group=self.group, client_id="innboks-archive-fiks",
                                 max_poll_records=50, timeouts=self.group_timeouts)
        tail = TopicTail(self.bootstrap, [ARCHIVE_RECEIPTS], client_id="innboks-archive-fiks", missing_ok=False)
        try:
            # Joining the group and reading what was recorded go on together; nothing is sent before both.
            known, _ = await asyncio.gather(asyncio.to_thread(self._read_to_end, tail), consumer.start())
            self._apply_records(known)
            log.info("archive-fiks: %d case revisions known from %s, %d of them final", len(self.state.revisions),
                     ARCHIVE_RECEIPTS, sum(1 for r in self.state.revisions.values() if r.final))
            tasks.append(asyncio.create_task(self._follow(tail)))
            tasks.append(asyncio.create_task(self.client.consume(self.on_receipt, self.stopping, prefetch=1,
                                                                 on_connected=self._receiving)))
            log.info("archive-fiks: reading %s as group %s, sending to account %s", CASES, self.group, self.recipient)
            await self._loop(consumer, once)
        finally:
            self.stopping.set()
            for task in tasks:
                try:
                    await asyncio.wait_for(task, 15)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
            await consumer.stop()
            await self.producer.stop()
            tail.close()
        return self.counts

    async def _loop(self, consumer: GroupConsumer, once: bool) -> None:
        waited = 0.0
        caught_up_at: datetime | None = None
        while not self.stopping.is_set():
            batch = await consumer.poll(0.5)
            for records in batch.values():
                for record in records:
                    await self._accept(record)
            self._forget_revoked(consumer.assignment())
            await self._dispatch()
            await self._commit(consumer)
            if not once:
                continue
            if not consumer.assignment():
                waited += 0.5
                if waited > ASSIGNMENT_TIMEOUT:
                    raise TimeoutError(f"no partitions of {CASES} assigned within {ASSIGNMENT_TIMEOUT:.0f} s")
                continue
            if not await consumer.caught_up():
                continue
            if self.unfinished() == 0 and self._drained(self.clock()):
                return  # nothing unfinished, and the receipts that waited in the queue are read
            caught_up_at = caught_up_at or self.clock()
            if (self.clock() - caught_up_at).total_seconds() > self.fiks.once_wait_seconds:
                self.counts["unfinished"] = self.unfinished()
                return
