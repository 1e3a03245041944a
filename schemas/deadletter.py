"""An input that could not be processed, kept whole with the reason (``innboks.deadletter``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Contract, UtcDatetime


class DeadLetter(Contract):
    """Nothing is lost: the original bytes are kept so the input can be fixed and replayed.

    An input too large to fit is cut; its size and SHA-256 are kept, and the whole record stays on
    its source topic at ``source_partition``/``source_offset`` for as long as that topic's retention.
    """

    stage: str = Field(description="The processor that rejected the input, e.g. 'normalize'.")
    reason_code: str = Field(description="Bounded class of the failure, e.g. 'invalid_json'.")
    reason: str = Field(description="What is wrong, naming fields but never echoing their values.")
    source_topic: str
    source_partition: int | None = None
    source_offset: int | None = None
    key: str | None = None
    payload: str = Field(
        description="The original value, decoded as UTF-8 or base64 (see payload_encoding); cut to its first "
        "bytes when payload_truncated is set, so that the dead letter always fits on the topic."
    )
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    payload_size: int | None = Field(default=None, ge=0, description="Length of the original value in bytes.")
    payload_sha256: str | None = Field(
        default=None, description="SHA-256 (hex) of the original value, to match a truncated letter to its source."
    )
    payload_truncated: bool = Field(
        default=False, description="Only the first bytes of the original value are kept in payload."
    )
    failed_at: UtcDatetime
