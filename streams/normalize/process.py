"""Raw bytes to ``InboxMessage``, or ``InvalidPayload`` with the reason."""

from __future__ import annotations

from pydantic import ValidationError

from connectors.errors import IgnoredItem, MappingError
from connectors.mapping import normalize
from innboks.domain.codec import InvalidPayload, decode
from innboks.errors import describe_validation_error
from schemas import InboxMessage, Platform, RawEvent

#: The largest raw record normalize takes: a platform item is a few kilobytes; a long post with its
#: metadata well under this. Larger is a broken or hostile upstream.
MAX_RAW_BYTES = 512 * 1024
#: The longest text each platform lets anyone write (characters), with room for how it is counted.
#: A longer text did not come from the platform as it is.
MAX_TEXT = {
    Platform.FACEBOOK: 63_206,    # a post; comments and messages are shorter
    Platform.INSTAGRAM: 2_200,    # a caption or comment
    Platform.X: 25_000,           # a long post (Premium)
    Platform.LINKEDIN: 3_000,     # a post; comments 1,250
    Platform.YOUTUBE: 10_000,     # a comment
    Platform.MASTODON: 100_000,   # set per instance (500 by default): generous
    Platform.BLUESKY: 3_000,      # 300 graphemes, which can be many code points
}


class NotAMessage(Exception):
    """The raw item is valid but is not a message (a like, a read receipt): counted, not forwarded."""

    def __init__(self, platform: str, resource: str) -> None:
        super().__init__(f"{platform} {resource}")
        self.platform = platform
        self.resource = resource


def normalize_raw(payload: bytes | None) -> InboxMessage:
    if payload is not None and len(payload) > MAX_RAW_BYTES:
        raise InvalidPayload("too_large", f"a raw record of {len(payload)} bytes (at most {MAX_RAW_BYTES})")
    raw = decode(RawEvent, payload)
    try:
        message = normalize(raw)
    except IgnoredItem:
        raise NotAMessage(raw.platform.value, raw.resource) from None
    except MappingError as exc:
        raise InvalidPayload(exc.code, f"{raw.platform.value} {raw.resource}: {exc.reason}") from None
    except ValidationError as exc:
        raise InvalidPayload("schema_violation", f"InboxMessage: {describe_validation_error(exc)}") from None
    limit = MAX_TEXT[message.platform]
    if message.text is not None and len(message.text) > limit:
        raise InvalidPayload("text_too_long", f"{raw.platform.value} {raw.resource}: a text of {len(message.text)} "
                             f"characters (the platform allows {limit})")
    return message
