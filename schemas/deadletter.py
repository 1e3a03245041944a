"""An input that could not be processed, kept whole with the reason (``innboks.deadletter``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Contract, UtcDatetime


class DeadLetter(Contract):
    """Nothing is lost: the original bytes are kept so the input can be fixed and replayed."""

    stage: str = Field(description="The processor that rejected the input, e.g. 'normalize'.")
    reason_code: str = Field(description="Bounded class of the failure, e.g. 'invalid_json'.")
    reason: str = Field(description="What is wrong, naming fields but never echoing their values.")
    source_topic: str
    source_partition: int | None = None
    source_offset: int | None = None
    key: str | None = None
    payload: str = Field(description="The original value, decoded as UTF-8 or base64 (see payload_encoding).")
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    failed_at: UtcDatetime
