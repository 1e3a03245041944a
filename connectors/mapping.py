"""Which mapping serves each platform: raw platform items to ``InboxMessage``, pure (no HTTP).

The connector side maps each item here once, at the edge (``mapped``: the sinks and the webhook
receiver), and the outcome travels in the ``RawEvent`` on ``innboks.raw``: the message, which also
gives the record its key, or why the item is ignored or rejected. Nothing downstream maps again.
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
from innboks.errors import describe_validation_error
from schemas import InboxMessage, MappingRejection, Platform, RawEvent

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


def mapped(raw: RawEvent) -> RawEvent:
    """The raw event with what its mapping made of it: ``message``, or why it is ``ignored`` or ``rejected``.

    An event that carries its mapping already is returned as it is: an item is mapped once.
    """
    if raw.mapped:
        return raw
    try:
        return raw.model_copy(update={"message": normalize(raw)})
    except IgnoredItem as ignored:
        return raw.model_copy(update={"ignored": ignored.reason[:1000]})
    except MappingError as exc:
        rejection = MappingRejection(code=exc.code, reason=exc.reason[:1000])
    except ValidationError as exc:
        rejection = MappingRejection(code="schema_violation",
                                     reason=f"InboxMessage: {describe_validation_error(exc)}")
    return raw.model_copy(update={"rejected": rejection})
