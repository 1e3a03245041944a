"""Which connector (client) reads each platform and which writer acts on it; the mappings are
``connectors.mapping``."""

from __future__ import annotations

from connectors.base import Connector
from connectors.bluesky.client import BlueskyConnector
from connectors.bluesky.writer import BlueskyWriter
from connectors.facebook.client import FacebookConnector
from connectors.facebook.writer import FacebookWriter
from connectors.instagram.client import InstagramConnector
from connectors.instagram.writer import InstagramWriter
from connectors.linkedin.client import LinkedInConnector
from connectors.linkedin.writer import LinkedInWriter
from connectors.mastodon.client import MastodonConnector
from connectors.mastodon.writer import MastodonWriter
from connectors.writer import PlatformWriter
from connectors.x.client import XConnector
from connectors.x.writer import XWriter
from connectors.youtube.client import YouTubeConnector
from connectors.youtube.writer import YouTubeWriter
from schemas import Platform

CONNECTORS: dict[Platform, type[Connector]] = {
    Platform.FACEBOOK: FacebookConnector,
    Platform.INSTAGRAM: InstagramConnector,
    Platform.X: XConnector,
    Platform.LINKEDIN: LinkedInConnector,
    Platform.YOUTUBE: YouTubeConnector,
    Platform.MASTODON: MastodonConnector,
    Platform.BLUESKY: BlueskyConnector,
}

#: Who carries out replies, hides and deletions (``innboks.actions``) on each platform.
WRITERS: dict[Platform, type[PlatformWriter]] = {
    Platform.FACEBOOK: FacebookWriter,
    Platform.INSTAGRAM: InstagramWriter,
    Platform.X: XWriter,
    Platform.LINKEDIN: LinkedInWriter,
    Platform.YOUTUBE: YouTubeWriter,
    Platform.MASTODON: MastodonWriter,
    Platform.BLUESKY: BlueskyWriter,
}
