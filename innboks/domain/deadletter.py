"""Building dead letters: the rejected input with a reason that is safe to read, always small enough to send.

A dead letter must land even when the input is why the stage failed: a 1 MB record wrapped in JSON
would exceed the producer's ``max_request_size`` (and the broker's ``message.max.bytes``), so the
payload is cut to ``max_payload_bytes`` and its full length and SHA-256 kept beside it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from schemas import DeadLetter

# The largest original value kept whole. With base64 (4/3) and JSON escaping (at most 6x for
# control bytes) a letter stays well below Kafka's default message.max.bytes of 1 MiB.
DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024


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
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
) -> DeadLetter:
    raw = payload or b""
    kept = raw[:max_payload_bytes]
    try:
        text, encoding = kept.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if len(kept) < len(raw) and exc.start >= len(kept) - 3:
            # The cut split a multi-byte character: keep the text up to it.
            text, encoding = kept[: exc.start].decode("utf-8", "strict"), "utf-8"
        else:
            text, encoding = base64.b64encode(kept).decode("ascii"), "base64"
    return DeadLetter(
        stage=stage,
        reason_code=reason_code,
        reason=reason,
        source_topic=source_topic,
        source_partition=partition,
        source_offset=offset,
        key=_bounded_key(key),
        payload=text,
        payload_encoding=encoding,  # type: ignore[arg-type]  # a Literal chosen above
        payload_size=len(raw),
        payload_sha256=hashlib.sha256(raw).hexdigest(),
        payload_truncated=len(kept) < len(raw),
        failed_at=now,
    )


def _bounded_key(key: bytes | None, limit: int = 1024) -> str | None:
    """Record keys are conversation keys; a hostile one is cut like the payload."""
    if key is None:
        return None
    return key[:limit].decode("utf-8", "replace")
