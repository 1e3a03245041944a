"""Which connector and which mapping serve each platform."""

from __future__ import annotations

from collections.abc import Callable

from connectors.base import Connector
from connectors.bluesky.client import BlueskyConnector, map_bluesky
from connectors.errors import MappingError
from connectors.facebook.client import FacebookConnector, map_facebook
from connectors.instagram.client import InstagramConnector, map_instagram
from connectors.linkedin.client import LinkedInConnector, map_linkedin
from connectors.mastodon.client import MastodonConnector, map_mastodon
from connectors.x.client import XConnector, map_x
from connectors.youtube.client import YouTubeConnector, map_youtube
from schemas import InboxMessage, Platform, RawEvent

CONNECTORS: dict[Platform, type[Connector]] = {
    Platform.FACEBOOK: FacebookConnector,
    Platform.INSTAGRAM: InstagramConnector,
    Platform.X: XConnector,
    Platform.LINKEDIN: LinkedInConnector,
    Platform.YOUTUBE: YouTubeConnector,
    Platform.MASTODON: MastodonConnector,
    Platform.BLUESKY: BlueskyConnector,
}

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
