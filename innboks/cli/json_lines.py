"""JSON lines ``{"id", "text", …}`` on stdin, as `innboks triage` and `innboks reply check` read them."""

from __future__ import annotations

import json
from typing import Any


def read_item(line: str, number: int) -> tuple[dict[str, Any], Any, str] | dict[str, Any]:
    """The line's object, its ``id`` and its ``text``; or, for a malformed line, the error object that is
    written in its place (``{"id", "line", "error"}``)."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": number, "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
    except RecursionError:
        return {"id": None, "line": number, "error": "not valid JSON: nested deeper than the parser follows"}
    if not isinstance(item, dict):
        return {"id": None, "line": number, "error": "expected a JSON object with id and text"}
    item_id = item.get("id")
    if item_id is None or isinstance(item_id, (dict, list)):
        return {"id": None, "line": number, "error": "missing or invalid field: id"}
    text = item.get("text")
    if not isinstance(text, str):
        return {"id": item_id, "line": number, "error": "missing or non-string field: text"}
    return item, item_id, text
