"""Which links to a message on its platform Innboks keeps and shows: ``https`` on the platform's own hosts.

A permalink comes from the platform's API (or the webhook's payload), that is from outside: a raw
item with ``javascript:…`` or ``data:…`` as its link must not become a clickable link in the inbox,
the Innsyn PDF/A or the archive's documents. The mappings (connectors/<platform>/mapping.py) keep a
permalink only when ``safe_permalink`` accepts it, and everything that renders one as a link asks
again (a store may hold links mapped before this check).

Mastodon is federated: a status's page is on the server of whoever wrote it, any host, so there
only the form is checked (``https``, a host name, no user name or password, the default port).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from schemas import Platform

#: The hosts of each platform's message pages; None: any host (federated).
PERMALINK_HOSTS: dict[Platform, frozenset[str] | None] = {
    Platform.FACEBOOK: frozenset({"www.facebook.com", "facebook.com", "m.facebook.com", "web.facebook.com"}),
    Platform.INSTAGRAM: frozenset({"www.instagram.com", "instagram.com"}),
    Platform.X: frozenset({"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com",
                           "mobile.twitter.com"}),
    Platform.LINKEDIN: frozenset({"www.linkedin.com", "linkedin.com"}),
    Platform.YOUTUBE: frozenset({"www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be"}),
    Platform.MASTODON: None,
    Platform.BLUESKY: frozenset({"bsky.app"}),
}
MAX_LENGTH = 2048
#: Whitespace, control characters and backslashes: browsers read these differently from urlsplit.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\\]")
_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
#: The usual form, decided without ``urlsplit`` (the inbox's list asks for 500 rows at a time): ``https``,
#: a lower-case host with no user, password or port, then nothing or a path, query or fragment without
#: ``@``. Anything else takes the full check.
_PLAIN = re.compile(r"https://([a-z0-9.-]+)(?:[/?#][^@]*)?", re.ASCII)


def safe_permalink(platform: Platform | str, url: object) -> str | None:
    """``url`` if it is an https link on ``platform``'s own hosts, else None."""
    if not isinstance(url, str) or not url or len(url) > MAX_LENGTH or _UNSAFE.search(url):
        return None
    try:
        hosts = PERMALINK_HOSTS.get(Platform(platform), frozenset())
    except ValueError:
        return None
    plain = _PLAIN.fullmatch(url)
    if plain is not None and _HOST_NAME.match(plain.group(1)):
        return url if hosts is None or plain.group(1) in hosts else None
    return checked_in_full(url, hosts)


def checked_in_full(url: str, hosts: frozenset[str] | None) -> str | None:
    """The whole check of a link whose form is not the usual one (``urlsplit``, as a browser reads it)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" or parts.username is not None or parts.password is not None:
        return None
    if port not in (None, 443) or not _HOST_NAME.match(host):
        return None
    if hosts is not None and host not in hosts:
        return None
    return url
