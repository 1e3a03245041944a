"""Shared base for all contract models: strict types, UTC timestamps, JSON round-trips."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

#: Version of the event contract. Bump when a field changes meaning; adding a field does not.
SCHEMA_VERSION = 1


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


#: A timezone-aware timestamp, normalised to UTC. Naive timestamps are rejected: a social-media
#: timestamp without an offset is ambiguous and would silently shift SLA clocks by an hour.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class Contract(BaseModel):
    """Base of every model that travels on a topic or to another team.

    Strict: no silent coercion of numbers to strings or strings to datetimes in Python; in JSON,
    ISO 8601 timestamps with an offset and enum values are accepted. Unknown fields are ignored so
    that a newer producer can add fields without breaking older consumers.
    """

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode()

    @classmethod
    def from_json_bytes(cls, payload: bytes | str) -> Self:
        return cls.model_validate_json(payload)
