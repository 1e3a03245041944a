"""Raw bytes to ``InboxMessage``, or ``InvalidPayload`` with the reason."""

from __future__ import annotations

from pydantic import ValidationError

from connectors.errors import IgnoredItem, MappingError
from connectors.mapping import normalize
from schemas import InboxMessage, RawEvent
from streams.codec import InvalidPayload, decode, describe_validation_error


class NotAMessage(Exception):
    """The raw item is valid but is not a message (a like, a read receipt): counted, not forwarded."""

    def __init__(self, platform: str, resource: str) -> None:
        super().__init__(f"{platform} {resource}")
        self.platform = platform
        self.resource = resource


def normalize_raw(payload: bytes | None) -> InboxMessage:
    raw = decode(RawEvent, payload)
    try:
        return normalize(raw)
    except IgnoredItem:
        raise NotAMessage(raw.platform.value, raw.resource) from None
    except MappingError as exc:
        raise InvalidPayload(exc.code, f"{raw.platform.value} {raw.resource}: {exc.reason}") from None
    except ValidationError as exc:
        raise InvalidPayload("schema_violation", f"InboxMessage: {describe_validation_error(exc)}") from None
