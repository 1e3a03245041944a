"""Raw bytes to ``NormalizedMessage``, or ``InvalidPayload`` with the reason.

The connector side mapped the item already (``RawEvent.message``, ``ignored`` or ``rejected``);
normalize does not map again. It checks what arrives (size, schema, the platform's text limit),
dead-letters a rejection with its reason, counts ignored items, and passes the message on with the
platform's item beside it (``NormalizedMessage.raw``) for the store.
"""

from __future__ import annotations

from innboks.domain.codec import InvalidPayload, decode
from schemas import RAW_EVENT_VERSION, NormalizedMessage, Platform, RawEvent

#: The largest raw record normalize takes: a platform item of a few kilobytes and its mapping (the
#: text twice); a long post with its metadata well under this. Larger is a broken or hostile upstream.
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


def normalize_raw(payload: bytes | None) -> NormalizedMessage:
    if payload is not None and len(payload) > MAX_RAW_BYTES:
        raise InvalidPayload("too_large", f"a raw record of {len(payload)} bytes (at most {MAX_RAW_BYTES})")
    raw = decode(RawEvent, payload)
    where = f"{raw.platform.value} {raw.resource}"
    if raw.ignored is not None:
        raise NotAMessage(raw.platform.value, raw.resource)
    if raw.rejected is not None:
        raise InvalidPayload(raw.rejected.code, f"{where}: {raw.rejected.reason}")
    message = raw.message
    if message is None:
        raise InvalidPayload("unmapped", f"{where}: a RawEvent without its mapping (schema_version "
                             f"{raw.schema_version}; the connectors map every item since version {RAW_EVENT_VERSION})")
    if (message.platform, message.account_id) != (raw.platform, raw.account_id):
        raise InvalidPayload("schema_violation", f"{where}: the mapped message names another platform or account")
    limit = MAX_TEXT[message.platform]
    if message.text is not None and len(message.text) > limit:
        raise InvalidPayload("text_too_long", f"{where}: a text of {len(message.text)} characters "
                             f"(the platform allows {limit})")
    # Validated already, so this is cheap (4 µs; dict(message) and model_construct take 15).
    return NormalizedMessage.model_validate({**message.__dict__, "raw": raw.item()})
