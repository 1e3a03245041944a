"""``innboks archive --out DIR [--once]``: the reference archive consumer of ``innboks.cases``.

A consumer group member (``innboks.kafka.clients.GroupConsumer``) that writes one package per case
(``package``) and commits a partition's offset only after the packages of everything before it are
durable. Killed at any point, it loses nothing: uncommitted cases are delivered again, and a case
already on disk is skipped. A record that is not a valid ``CaseForward`` is kept in
``OUT/.rejected/`` with the reason (the topic keeps it too) and does not stop the consumer.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from connectors.archive.arkivmelding import InvalidArkivmelding
from connectors.archive.package import ArchiveWriter, Outcome, publish_file
from innboks.config.settings import Settings
from innboks.config.topics import CASES
from innboks.errors import describe_validation_error
from innboks.kafka.clients import GroupConsumer, KafkaClientError, Record
from schemas import CaseForward

log = logging.getLogger(__name__)

REJECTED_DIR = ".rejected"
#: How long ``--once`` waits for the group to hand it partitions.
ASSIGNMENT_TIMEOUT = 90.0


class ArchiveConsumer:
    def __init__(self, out: Path, settings: Settings, bootstrap: str, group: str) -> None:
        self.writer = ArchiveWriter(out, settings.municipality)
        self.out = out
        self.settings = settings
        self.bootstrap = bootstrap
        self.group = group
        self.counts: Counter[str] = Counter()
        self.stopping = asyncio.Event()

    async def run(self, once: bool) -> Counter[str]:
        removed = self.writer.prepare()
        if removed:
            log.warning("removed %d unfinished package(s) of an earlier run", removed)
        consumer = GroupConsumer(self.bootstrap, [CASES], group=self.group, client_id="innboks-archive",
                                 max_poll_records=20, timeouts=self.settings.group_timeouts())
        await consumer.start()
        try:
            await self._loop(consumer, once)
        finally:
            await consumer.stop()
        return self.counts

    async def _loop(self, consumer: GroupConsumer, once: bool) -> None:
        waited = 0.0
        while not self.stopping.is_set():
            batch = await consumer.poll(0.5)
            for records in batch.values():
                for record in records:
                    await asyncio.to_thread(self._handle, record)
                await consumer.commit(records)  # the partition's packages are durable
            if not once:
                continue
            if not consumer.assignment():
                waited += 0.5
                if waited > ASSIGNMENT_TIMEOUT:
                    raise TimeoutError(f"no partitions of {CASES} assigned within {ASSIGNMENT_TIMEOUT:.0f} s")
                continue
            if await consumer.caught_up():
                return

    def _handle(self, record: Record) -> None:
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        try:
            case = CaseForward.model_validate_json(record.value or b"")
        except ValidationError as exc:
            self._reject(record, f"not a valid CaseForward: {describe_validation_error(exc)}")
            return
        try:
            outcome = self.writer.write(case)
        except InvalidArkivmelding as exc:
            self._reject(record, str(exc))
            return
        self.counts[outcome.value] += 1
        if outcome in (Outcome.WRITTEN, Outcome.CHANGE_WRITTEN, Outcome.ORPHAN_CHANGE):
            log.info("%s: case %s revision %d from %s", outcome.value, case.case_id, case.revision, where)

    def _reject(self, record: Record, reason: str) -> None:
        directory = self.out / REJECTED_DIR
        directory.mkdir(exist_ok=True)
        stem = f"{record.partition}-{record.offset}"
        publish_file(directory / f"{stem}.reason.txt", (reason + "\n").encode())
        publish_file(directory / f"{stem}.bin", record.value or b"")
        self.counts["rejected"] += 1
        log.error("rejected %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason[:200])


def _only_our_info(record: logging.LogRecord) -> bool:
    """Libraries' chatter (fontTools logs every font table it subsets) only from warnings up."""
    return record.levelno >= logging.WARNING or record.name.startswith(("innboks", "connectors"))


def run_archive(out: Path, once: bool, group: str) -> int:
    from rich.console import Console

    from innboks.config.settings import get_settings
    from innboks.errors import CliError
    from innboks.kafka.runtime import require_bootstrap

    settings = get_settings()
    bootstrap = require_bootstrap(settings)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out}: not a directory")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_only_our_info)

    async def main() -> Counter[str]:
        consumer = ArchiveConsumer(out, settings, bootstrap, group)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, consumer.stopping.set)
        return await consumer.run(once)

    try:
        counts = asyncio.run(main())
    except OSError as exc:
        raise CliError(f"--out {out}: {exc.strerror or exc}") from None
    except (TimeoutError, KafkaClientError) as exc:
        raise CliError(str(exc)) from None
    summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in sorted(counts.items())) or "nothing new"
    Console(stderr=True).print(f"innboks archive: {summary}")
    return 1 if counts.get("rejected") else 0
