"""JSON helpers for reading platform responses: what platforms omit or send with the wrong type reads as missing.

What a mapping cannot do without (an id, a time) is read with ``required``/``required_time``, which
raise a ``MappingError`` naming the field, never its value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from connectors.errors import MappingError
from innboks.domain.permalinks import safe_permalink
from schemas import Platform


def items(body: Any, key: str | None) -> list[dict[str, Any]]:
    """The objects of a page: ``body[key]``, or the body itself when it is a list (``key=None``)."""
    value = body if key is None else (body.get(key) if isinstance(body, dict) else None)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (platforms omit what they may not show)."""
    return value if isinstance(value, dict) else {}


def dig(value: Any, path: tuple[str, ...]) -> Any:
    """The value at a path of object keys (``("paging", "next")``), or None where the path breaks off."""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def nonempty(value: Any) -> str | None:
    """A non-empty string, or None."""
    return value if isinstance(value, str) and value else None


def string(value: Any) -> str | None:
    """A string (possibly empty), or None."""
    return value if isinstance(value, str) else None


def required(value: Any, where: str) -> str:
    """A non-empty string, else ``MappingError`` (``schema_violation``) saying ``where`` it is missing."""
    text = nonempty(value)
    if text is None:
        raise MappingError("schema_violation", f"{where}: missing or not a string")
    return text


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 timestamp with an offset (``Z`` accepted), or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def required_time(value: Any, where: str, form: str = "an RFC 3339 timestamp",
                  parse: Callable[[Any], datetime | None] = parse_time) -> datetime:
    """A timestamp a mapping needs, read with ``parse``, else ``MappingError`` naming ``where`` and the ``form``."""
    parsed = parse(value)
    if parsed is None:
        raise MappingError("schema_violation", f"{where}: missing or not {form}")
    return parsed


def before(value: Any, since: datetime, parse: Callable[[Any], datetime | None] = parse_time) -> bool:
    """True if a timestamp (text read with ``parse``, or a datetime) is strictly older than ``since``.

    A missing or unparseable one counts as not older: the item is kept and its mapping decides.
    """
    moment = value if isinstance(value, datetime) else parse(value)
    return moment is not None and moment < since


def later(current: str | None, candidate: Any) -> str | None:
    """The later of two ISO timestamps (the candidate may be a datetime), as text; unparseable values are
    ignored."""
    new = candidate if isinstance(candidate, datetime) else parse_time(candidate)
    if new is None:
        return current
    old = parse_time(current)
    return new.isoformat() if old is None or new > old else current


def checked_permalink(platform: Platform, value: Any) -> str | None:
    """A link to the message on its platform: only ``https`` on the platform's own hosts, else None
    (``innboks/domain/permalinks.py``); the message itself is kept either way."""
    return safe_permalink(platform, nonempty(value))
