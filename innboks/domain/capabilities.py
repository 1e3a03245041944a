"""What each platform lets us do, and how long our answer may be, counted the platform's way.

One table, read by the writers (``connectors/<platform>/writer.py``: what they carry out, and the
executor's length check before a call) and by the inbox (which actions it offers, the reply form's
limit and the refusal before anything is published). docs/actions.md says where each number and
each "cannot" is documented by the platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from innboks.domain.text_length import MEASURES, UNITS, utf8_bytes
from schemas import ActionKind, Kind, Platform

NO_API = "the platform's API offers no way to do this"


@dataclass(frozen=True)
class Capabilities:
    """One platform's actions and reply limits."""

    platform: Platform
    supports: frozenset[ActionKind]
    #: Why each action outside ``supports`` cannot be done: shown in the inbox and in a failure's detail.
    unsupported_because: Mapping[ActionKind, str] = field(default_factory=dict)
    #: The longest reply and the longest direct message, counted as ``measure`` (and ``dm_measure``) say.
    max_reply: int = 8000
    max_direct_message: int = 8000
    #: A key of ``innboks.domain.text_length.MEASURES``: how a public reply is counted …
    measure: str = "characters"
    #: … and a direct message (the same unless set).
    dm_measure: str | None = None
    #: Bytes of UTF-8 allowed per counted unit besides the count (Bluesky's lexicons), or None.
    bytes_per_unit: int | None = None
    #: An account option that raises the reply limit (Mastodon instances: ``max_characters``).
    limit_option: str | None = None

    def why_not(self, kind: ActionKind) -> str:
        return self.unsupported_because.get(kind, NO_API)

    def length_measure(self, kind: Kind) -> str:
        """How our answer to a message of this kind is counted."""
        return (self.dm_measure or self.measure) if kind is Kind.DIRECT_MESSAGE else self.measure

    def reply_limit(self, kind: Kind, options: Mapping[str, Any] | None = None) -> int:
        """The longest text the platform takes as our answer to a message of this kind."""
        if self.limit_option is not None:
            configured = (options or {}).get(self.limit_option)
            if isinstance(configured, int) and not isinstance(configured, bool) and configured > 0:
                return configured
        return self.max_direct_message if kind is Kind.DIRECT_MESSAGE else self.max_reply

    def too_long(self, kind: Kind, text: str, options: Mapping[str, Any] | None = None) -> str | None:
        """Why the platform would refuse ``text`` as our answer to a message of ``kind`` for its length, or None.

        Checked in the inbox before a reply is asked for and by the executor before it is sent, so an
        over-long text is a clear refusal instead of the platform's error after the fact."""
        measure = self.length_measure(kind)
        limit, length = self.reply_limit(kind, options), MEASURES[measure](text)
        if length > limit:
            what = "a direct message" if kind is Kind.DIRECT_MESSAGE else "a reply"
            return f"{self.platform.value} takes {what} of at most {limit:,} {UNITS[measure]}; this one has {length:,}"
        if self.bytes_per_unit is not None and utf8_bytes(text) > self.bytes_per_unit * limit:
            return (f"{self.platform.value} takes at most {self.bytes_per_unit * limit:,} bytes of UTF-8 here; "
                    f"this text has {utf8_bytes(text):,}")
        return None


EVERYTHING = frozenset(ActionKind)

CAPABILITIES: dict[Platform, Capabilities] = {
    Platform.FACEBOOK: Capabilities(
        Platform.FACEBOOK, EVERYTHING,
        # A comment 8,000 characters; a Messenger text 2,000.
        max_reply=8000, max_direct_message=2000),
    Platform.INSTAGRAM: Capabilities(
        Platform.INSTAGRAM, EVERYTHING,
        # A comment 2,200 characters; a direct message 1,000.
        max_reply=2200, max_direct_message=1000),
    Platform.X: Capabilities(
        Platform.X, frozenset({ActionKind.REPLY, ActionKind.HIDE, ActionKind.UNHIDE}),
        {ActionKind.DELETE: "X lets an account delete only its own posts; hide the reply instead (possible in "
                            "conversations our account started)"},
        # A post counts twitter-text's weighted characters (a link 23, an emoji or a CJK character 2);
        # a direct message 10,000 characters.
        max_reply=280, max_direct_message=10_000, measure="weighted", dm_measure="characters"),
    Platform.LINKEDIN: Capabilities(
        Platform.LINKEDIN, frozenset({ActionKind.REPLY, ActionKind.DELETE}),
        {ActionKind.HIDE: "LinkedIn's API has no way to hide a comment; an organization can only delete comments "
                          "on its own posts",
         ActionKind.UNHIDE: "LinkedIn's API has no hidden comments to show again"},
        max_reply=1250),
    Platform.YOUTUBE: Capabilities(Platform.YOUTUBE, EVERYTHING, max_reply=10_000),
    Platform.MASTODON: Capabilities(
        Platform.MASTODON, frozenset({ActionKind.REPLY}),
        {ActionKind.HIDE: "Mastodon offers no way to hide another account's post; its moderation belongs to the "
                          "instance's moderators (report it there)",
         ActionKind.UNHIDE: "Mastodon has no hidden posts to show again",
         ActionKind.DELETE: "Mastodon lets an account delete only its own posts; report the post to the "
                            "instance's moderators"},
        # Mastodon's default limit (500; every link counts 23); an instance may allow more: the account's
        # ``options.max_characters`` in the registry (the instance's /api/v2/instance
        # ``configuration.statuses.max_characters``).
        max_reply=500, max_direct_message=500, measure="links_23", limit_option="max_characters"),
    Platform.BLUESKY: Capabilities(
        Platform.BLUESKY, frozenset({ActionKind.REPLY, ActionKind.HIDE, ActionKind.UNHIDE}),
        {ActionKind.DELETE: "Bluesky lets an account delete only its own records; hide the reply instead (in "
                            "threads our account started) or report it to Bluesky's moderation"},
        # A post's text is at most 300 graphemes and 3,000 bytes (app.bsky.feed.post); a chat message
        # 1,000 graphemes and 10,000 bytes (chat.bsky.convo.defs#messageInput): both lexicons allow
        # ten bytes per grapheme.
        max_reply=300, max_direct_message=1000, measure="graphemes", bytes_per_unit=10),
}
