"""Which connector (client) serves each platform; the mappings are ``connectors.mapping``."""

from __future__ import annotations

from connectors.base import Connector
from connectors.bluesky.client import BlueskyConnector
from connectors.facebook.client import FacebookConnector
from connectors.instagram.client import InstagramConnector
from connectors.linkedin.client import LinkedInConnector
from connectors.mastodon.client import MastodonConnector
from connectors.x.client import XConnector
from connectors.youtube.client import YouTubeConnector
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
