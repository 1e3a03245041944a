"""What the connectors fetch (``RawEvent`` on ``innboks.raw``) and what it becomes (``InboxMessage``)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, JsonValue, model_validator

from schemas.base import Contract, UtcDatetime
from schemas.enums import Event, Kind, Platform

NonEmpty = Field(min_length=1, max_length=512)


def conversation_key(platform: Platform | str, account_id: str, conversation_id: str) -> str:
    """The Kafka message key of a conversation: ``platform:account:conversation``.

    Every event of one thread carries this key, so the thread stays in order on one partition and
    the SLA table is co-partitioned with its input.
    """
    return f"{Platform(platform).value}:{account_id}:{conversation_id}"


class RawEvent(Contract):
    """One item exactly as a platform API or webhook returned it, with where it came from.

    ``payload`` is the platform's own JSON, untouched, so that a mapping bug can be fixed and the
    topic replayed. ``context`` carries what the connector knew but the payload lacks (for example
    the post a comment belongs to).
    """

    platform: Platform
    account_id: str = NonEmpty
    resource: str = Field(min_length=1, max_length=64, description="Platform resource type, e.g. 'comment'.")
    payload: dict[str, JsonValue]
    context: dict[str, JsonValue] = Field(default_factory=dict)
    fetched_at: UtcDatetime
    source: str = Field(default="poll", description="'poll' or 'webhook'.")


class InboxMessage(Contract):
    """One message written to (or by) an official account, in one shape for every platform."""

    id: str = Field(min_length=3, max_length=600, description='"{platform}:{native id}"')
    platform: Platform
    account_id: str = Field(min_length=1, max_length=512, description="Our official account's platform id.")
    kind: Kind
    event: Event = Event.CREATED
    conversation_id: str = Field(min_length=1, max_length=512, description="Thread id on the platform.")
    parent_id: str | None = Field(default=None, description="Native id of the item this one answers.")
    author_id: str | None = None
    author_name: str | None = None
    from_account: bool = Field(default=False, description="Written by our own official account.")
    text: str | None = Field(default=None, description="Message text; None when the platform gives none.")
    created_at: UtcDatetime
    permalink: str | None = None
    fetched_at: UtcDatetime

    @model_validator(mode="after")
    def _id_names_platform(self) -> Self:
        prefix = f"{self.platform.value}:"
        if not self.id.startswith(prefix) or len(self.id) == len(prefix):
            raise ValueError(f"id must look like '{prefix}<native id>'")
        return self

    @property
    def native_id(self) -> str:
        return self.id.split(":", 1)[1]

    @property
    def key(self) -> str:
        return conversation_key(self.platform, self.account_id, self.conversation_id)

    @property
    def inbound(self) -> bool:
        """A citizen's message (not our own account's)."""
        return not self.from_account

    def summary_for_log(self) -> dict[str, Any]:
        """Fields safe to log: ids and enums only, never text or names."""
        return {"id": self.id, "platform": self.platform.value, "kind": self.kind.value, "event": self.event.value}
