"""Which mapping serves each platform: raw platform items to ``InboxMessage``, pure (no HTTP).

Also the key of a raw item on ``innboks.raw``, which is taken from its mapping.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from connectors.bluesky.mapping import map_bluesky
from connectors.errors import IgnoredItem, MappingError
from connectors.facebook.mapping import map_facebook
from connectors.instagram.mapping import map_instagram
from connectors.linkedin.mapping import map_linkedin
from connectors.mastodon.mapping import map_mastodon
from connectors.x.mapping import map_x
from connectors.youtube.mapping import map_youtube
from schemas import InboxMessage, Platform, RawEvent

MAPPERS: dict[Platform, Callable[[RawEvent], InboxMessage]] = {
    Platform.FACEBOOK: map_facebook,
    Platform.INSTAGRAM: map_instagram,
    Platform.X: map_x,
    Platform.LINKEDIN: map_linkedin,
    Platform.YOUTUBE: map_youtube,
    Platform.MASTODON: map_mastodon,
    Platform.BLUESKY: map_bluesky,
}


def normalize(raw: RawEvent) -> InboxMessage:
    """Map a raw platform item to an ``InboxMessage``; raises ``MappingError`` with a reason."""
    mapper = MAPPERS.get(raw.platform)
    if mapper is None:
        raise MappingError("unsupported_platform", f"no mapping for platform {raw.platform.value!r}")
    return mapper(raw)


def raw_key(raw: RawEvent) -> str:
    """The key of a raw item on ``innboks.raw``: its conversation key, so a thread stays in order on
    one partition, or ``platform:account:resource`` when the item cannot be mapped.

    This maps the item (once); the sinks and the webhook receiver call it once per item and nothing
    else on the connector side maps it.
    """
    try:
        return normalize(raw).key
    except (MappingError, IgnoredItem, ValidationError):
        return f"{raw.platform.value}:{raw.account_id}:{raw.resource}"
