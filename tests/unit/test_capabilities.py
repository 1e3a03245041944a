"""innboks/domain/capabilities.py: what each platform lets us do, and reply lengths counted its way."""

from __future__ import annotations

from innboks.domain.capabilities import CAPABILITIES
from schemas import ActionKind, Kind, Platform


def test_every_platform_has_capabilities_and_explains_what_it_cannot() -> None:
    assert set(CAPABILITIES) == set(Platform)
    for platform, capabilities in CAPABILITIES.items():
        assert capabilities.platform is platform
        assert set(capabilities.unsupported_because) == set(ActionKind) - capabilities.supports
    assert CAPABILITIES[Platform.FACEBOOK].why_not(ActionKind.HIDE) == "the platform's API offers no way to do this"


def test_each_platform_refuses_a_reply_longer_than_it_takes_in_its_own_measure() -> None:
    def too_long(platform: Platform, text: str, kind: Kind = Kind.COMMENT, **options: object) -> str | None:
        return CAPABILITIES[platform].too_long(kind, text, options)

    assert too_long(Platform.FACEBOOK, "a" * 8000) is None
    assert too_long(Platform.FACEBOOK, "a" * 2001, Kind.DIRECT_MESSAGE) == \
        "facebook takes a direct message of at most 2,000 characters; this one has 2,001"
    assert too_long(Platform.INSTAGRAM, "a" * 2201) is not None and too_long(Platform.LINKEDIN, "a" * 1250) is None
    assert too_long(Platform.YOUTUBE, "a" * 10_001) is not None
    # X: weighted characters; a link is 23 however long
    assert too_long(Platform.X, "a" * 256 + " https://www.alta.kommune.no/" + "x" * 200) is None
    assert "280 weighted characters" in (too_long(Platform.X, "市" * 141) or "")
    assert too_long(Platform.X, "a" * 9000, Kind.DIRECT_MESSAGE) is None
    # Bluesky: 300 graphemes, and 3,000 bytes
    assert too_long(Platform.BLUESKY, "🇳🇴" * 300) is None
    assert "300 graphemes" in (too_long(Platform.BLUESKY, "ø" * 301) or "")
    assert "3,000 bytes" in (too_long(Platform.BLUESKY, "👨‍👩‍👧‍👦" * 200) or "")
    assert too_long(Platform.BLUESKY, "ø" * 1000, Kind.DIRECT_MESSAGE) is None
    # Mastodon: 500 unless the instance allows more
    assert too_long(Platform.MASTODON, "a" * 501) is not None
    assert too_long(Platform.MASTODON, "a" * 501, max_characters=5000) is None

