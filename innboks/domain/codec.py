"""The bridge between Kafka bytes and the pydantic models of ``schemas/``.

Topics carry raw bytes; agents decode with these helpers instead of a Faust codec, because a
decoding error inside Faust's codec layer crashes the agent, while here it becomes a dead letter.
Reasons name the offending fields but never echo their values (they may be personal data).
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from innboks.errors import describe_validation_error

M = TypeVar("M", bound=BaseModel)

MAX_REASON = 600


class InvalidPayload(ValueError):
    """A value that is not valid JSON or not a valid instance of the expected model."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def decode(model: type[M], payload: bytes | None) -> M:
    if not payload:
        raise InvalidPayload("empty_payload", "the message has no value")
    try:
        return model.model_validate_json(payload)
    except ValidationError as exc:
        invalid = [error for error in exc.errors(include_input=False) if error["type"] == "json_invalid"]
        if invalid and "recursion limit" in str(invalid[0].get("msg", "")):
            raise InvalidPayload("too_deep", f"JSON nested deeper than the parser allows for {model.__name__}") \
                from None
        if invalid:
            raise InvalidPayload("invalid_json", f"not valid JSON for {model.__name__}") from None
        raise InvalidPayload("schema_violation", f"{model.__name__}: {describe_validation_error(exc)}") from None


def encode(model: BaseModel) -> bytes:
    return model.model_dump_json().encode()

