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

from streams import topics
from streams.app import settings
from streams.codec import InvalidPayload, encode
from streams.deadletter import dead_letter
from streams.metrics import METRICS

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
