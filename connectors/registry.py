"""Which connector and which mapping serve each platform."""

from __future__ import annotations

from collections.abc import Callable

from connectors.base import Connector
from connectors.errors import MappingError
from connectors.facebook import FacebookConnector, map_facebook
from schemas import InboxMessage, Platform, RawEvent

CONNECTORS: dict[Platform, type[Connector]] = {
    Platform.FACEBOOK: FacebookConnector,
}

MAPPERS: dict[Platform, Callable[[RawEvent], InboxMessage]] = {
    Platform.FACEBOOK: map_facebook,
}


def normalize(raw: RawEvent) -> InboxMessage:
    """Map a raw platform item to an ``InboxMessage``; raises ``MappingError`` with a reason."""
    mapper = MAPPERS.get(raw.platform)
    if mapper is None:
        raise MappingError("unsupported_platform", f"no mapping for platform {raw.platform.value!r}")
    return mapper(raw)
