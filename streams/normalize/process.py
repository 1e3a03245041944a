"""Raw bytes to ``InboxMessage``, or ``InvalidPayload`` with the reason."""

from __future__ import annotations

from pydantic import ValidationError

from connectors.errors import MappingError
from connectors.registry import normalize
from schemas import InboxMessage, RawEvent
from streams.codec import InvalidPayload, decode, describe_validation_error


def normalize_raw(payload: bytes | None) -> InboxMessage:
    raw = decode(RawEvent, payload)
    try:
        return normalize(raw)
    except MappingError as exc:
        raise InvalidPayload(exc.code, f"{raw.platform.value} {raw.resource}: {exc.reason}") from None
    except ValidationError as exc:
        raise InvalidPayload("schema_violation", f"InboxMessage: {describe_validation_error(exc)}") from None
