"""Building dead letters: the rejected input, whole, with a reason that is safe to read."""

from __future__ import annotations

import base64
from datetime import datetime

from schemas import DeadLetter


def dead_letter(
    *,
    stage: str,
    reason_code: str,
    reason: str,
    source_topic: str,
    payload: bytes | None,
    key: bytes | None,
    partition: int | None,
    offset: int | None,
    now: datetime,
) -> DeadLetter:
    raw = payload or b""
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    return DeadLetter(
        stage=stage,
        reason_code=reason_code,
        reason=reason,
        source_topic=source_topic,
        source_partition=partition,
        source_offset=offset,
        key=key.decode("utf-8", "replace") if key is not None else None,
        payload=text,
        payload_encoding=encoding,  # type: ignore[arg-type]
        failed_at=now,
    )
