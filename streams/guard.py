"""Running one event through a processing step without ever stopping the stream.

Invalid input and unexpected errors alike end up on ``innboks.deadletter`` with the reason; logs
name the topic, partition and offset, never the content. Rejecting never raises: a dead letter that
cannot be written either is counted (``innboks_deadletter_failures_total``), logged by offset and
skipped, because a stage that dies on one record stops its whole partition.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import faust

from innboks.domain.codec import InvalidPayload, encode
from innboks.domain.deadletter import dead_letter
from streams import topics
from streams.app import settings
from streams.batch import RECORDS as BATCH_RECORDS
from streams.batch import WAIT as BATCH_WAIT
from streams.batch import Batch, processing
from streams.metrics import METRICS
from streams.poison import InFlight, Position

log = logging.getLogger(__name__)


async def guarded(stage: str, event: faust.EventT, step: Callable[[faust.EventT], Awaitable[None]]) -> bool:
    """Run ``step`` on the event; True if it went through, False if the event was dead-lettered."""
    try:
        await step(event)
        if event.message.timestamp:
            METRICS.processing_latency.labels(stage).observe(max(0.0, time.time() - event.message.timestamp))
        return True
    except InvalidPayload as exc:
        await reject(stage, exc.code, exc.reason, event)
    except Exception as exc:  # noqa: BLE001 - one bad event must not stop the stream
        METRICS.processing_errors.labels(stage).inc()
        message = event.message
        log.error(
            "%s: %s while processing %s[%s]@%s; sent to dead letters",
            stage, type(exc).__name__, message.topic, message.partition, message.offset,
        )
        await reject(stage, "processing_error", f"{type(exc).__name__} in {stage}", event)
    return False


async def reject(stage: str, code: str, reason: str, event: faust.EventT) -> None:
    message = event.message
    letter = dead_letter(
        stage=stage,
        reason_code=code,
        reason=reason,
        source_topic=message.topic,
        payload=event.value,
        key=event.key,
        partition=message.partition,
        offset=message.offset,
        now=datetime.now(UTC),
        max_payload_bytes=settings.deadletter_payload_bytes,
    )
    try:
        await topics.deadletter.send(key=letter.key.encode() if letter.key else None, value=encode(letter))
    except Exception as exc:  # noqa: BLE001 - the record is skipped rather than the stage stopped
        METRICS.deadletter_failures.labels(stage).inc()
        log.error(
            "%s: could not write the dead letter for %s[%s]@%s (%s); record skipped",
            stage, message.topic, message.partition, message.offset, type(exc).__name__,
        )
        return
    METRICS.deadletters.labels(stage, code).inc()


_IN_FLIGHT: dict[str, InFlight] = {}


def in_flight(agent: str) -> InFlight:
    """The in-flight marker of an agent (created at its first start; a death it finds is counted)."""
    tracker = _IN_FLIGHT.get(agent)
    if tracker is None:
        tracker = _IN_FLIGHT[agent] = InFlight(settings.data_dir / "in-flight" / f"{agent}.marker")
        if tracker.deaths:
            METRICS.stage_restarts.labels(agent).inc(tracker.deaths)
            log.error("%s: the previous run died while processing a record; it is watched for a crash loop", agent)
    return tracker


async def one_record(agent: str, event: faust.EventT, handle: Callable[[faust.EventT], Awaitable[None]]) -> None:
    """Handle one record under the agent's in-flight marker; a record that killed it twice is dead-lettered."""
    tracker = in_flight(agent)
    message = event.message
    if not tracker.begin(Position(message.topic, message.partition, message.offset)):
        log.error("%s: %s[%s]@%s killed the stage twice; sent to dead letters unprocessed", agent, message.topic,
                  message.partition, message.offset)
        await reject(agent, "crash_loop", f"the {agent} stage died twice while processing this record", event)
        return
    await handle(event)
    tracker.end()


def agent_crashed(agent: str, exc: BaseException) -> None:
    """An exception escaped the agent (Faust restarts it): count it; the record it was on is the suspect."""
    METRICS.stage_restarts.labels(agent).inc()
    log.error("%s: agent crashed (%s); Faust restarts it", agent, type(exc).__name__)
    if agent in _IN_FLIGHT:
        _IN_FLIGHT[agent].crashed()


async def run_batches(agent: str, stream: faust.StreamT, new_batch: Callable[[], Batch],
                      handle: Callable[[faust.EventT, Batch], Awaitable[None]]) -> None:
    """The loop of an agent: batches of records (``streams/batch.py``), each record under the agent's
    in-flight marker and as Faust's current event; a crash is counted, then Faust's."""
    in_flight(agent)
    try:
        async for events in stream.take_events(BATCH_RECORDS, BATCH_WAIT):  # type: ignore[attr-defined]
            batch = new_batch()
            for event in events:
                with processing(event):
                    await one_record(agent, event, lambda e: handle(e, batch))  # noqa: B023 - awaited now
            await batch.finish()
    except Exception as exc:
        agent_crashed(agent, exc)
        raise
