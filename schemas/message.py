"""What the connectors fetch (``RawEvent`` on ``innboks.raw``) and what it becomes (``InboxMessage``).

A raw item is mapped once, at the edge: the connector side (its sinks and the webhook receiver) maps
each item with the platform's pure mapping and puts the outcome into the ``RawEvent`` it produces
(``message``, or why it is ``ignored`` or ``rejected``). Normalize validates what arrives and passes
the message on as a ``NormalizedMessage``, which carries the platform's item (``raw``) for the store.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from schemas.base import Contract, UtcDatetime
from schemas.enums import Event, Kind, Platform

NonEmpty = Field(min_length=1, max_length=512)


def conversation_key(platform: Platform | str, account_id: str, conversation_id: str) -> str:
    """The Kafka message key of a conversation: ``platform:account:conversation``.

    Every event of one thread carries this key, so the thread stays in order on one partition and
    the SLA table is co-partitioned with its input.
    """
    return f"{Platform(platform).value}:{account_id}:{conversation_id}"


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


#: The version of ``RawEvent``: 2 since the connector side maps each item (``message``, ``ignored``,
#: ``rejected``); a version 1 event carries none of them and is dead-lettered by normalize.
RAW_EVENT_VERSION = 2


class RawItem(Contract):
    """One item exactly as a platform API or webhook returned it, with where it came from.

    ``payload`` is the platform's own JSON, untouched. ``context`` carries what the connector knew
    but the payload lacks (for example the post a comment belongs to).
    """

    platform: Platform
    account_id: str = NonEmpty
    resource: str = Field(min_length=1, max_length=64, description="Platform resource type, e.g. 'comment'.")
    payload: dict[str, JsonValue]
    context: dict[str, JsonValue] = Field(default_factory=dict)
    fetched_at: UtcDatetime
    source: str = Field(default="poll", description="'poll' or 'webhook'.")


class MappingRejection(BaseModel):
    """Why the platform's mapping could not make a message of an item (normalize dead-letters it)."""

    model_config = ConfigDict(strict=True, frozen=True)

    code: str = Field(min_length=1, max_length=64, description="Bounded class, e.g. 'missing_field'.")
    reason: str = Field(max_length=1000, description="What is wrong, naming fields, never their values.")


class RawEvent(RawItem):
    """A platform item on ``innboks.raw``, with what the connector's mapping made of it.

    Exactly one of ``message`` (the item as an ``InboxMessage``), ``ignored`` (why it is not a
    message: a like, a read receipt) and ``rejected`` (why it cannot be mapped) is set. Events of
    ``schema_version`` 1, produced before the mapping moved to the connectors, have none of them.
    """

    schema_version: int = Field(default=RAW_EVENT_VERSION, ge=1)
    message: InboxMessage | None = None
    ignored: str | None = Field(default=None, max_length=1000, description="Why the item is not a message.")
    rejected: MappingRejection | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        if sum(outcome is not None for outcome in (self.message, self.ignored, self.rejected)) > 1:
            raise ValueError("at most one of message, ignored and rejected")
        return self

    @property
    def mapped(self) -> bool:
        return self.message is not None or self.ignored is not None or self.rejected is not None

    @property
    def key(self) -> str:
        """The record key on ``innboks.raw``: the message's conversation key, so a thread stays in order
        on one partition, else ``platform:account:resource``."""
        if self.message is not None:
            return self.message.key
        return f"{self.platform.value}:{self.account_id}:{self.resource}"

    def item(self) -> RawItem:
        """The platform's item without its mapping (what the store keeps beside the revision)."""
        return RawItem.model_construct(**{name: getattr(self, name) for name in RawItem.model_fields
                                          if name != "schema_version"})


class NormalizedMessage(InboxMessage):
    """A message on ``innboks.messages``: an ``InboxMessage``, with the platform item it came from.

    ``raw`` is set by normalize (the connector's item, so the store keeps it with the revision) and
    absent on messages the executor writes (our replies as posted). Consumers that read the topic
    as ``InboxMessage`` ignore it, so it is not copied into ``innboks.triaged`` or the cases.
    """

    raw: RawItem | None = None

    def inbox_message(self) -> InboxMessage:
        """The message without the platform item."""
        return InboxMessage.model_construct(**{name: getattr(self, name) for name in InboxMessage.model_fields})
