"""Response headers by name, in whatever case the server (or a recorded response) wrote them."""

from __future__ import annotations

from typing import Any


def lowered(headers: Any) -> dict[str, str]:
    """The headers as a plain dict with lower-case names (a mapping, a CaseInsensitiveDict or None)."""
    return {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}


def header(headers: Any, name: str) -> str | None:
    """The value of one header (``name`` in lower case), or None."""
    return lowered(headers).get(name)
