"""The version check of every staff change to a conversation: a stale version is a 409 with what changed.

``GET /api/conversations/{key}`` gives the conversation's ``version`` (opaque to clients: the
store's counter as a string). A reply, hiding, deletion, assignment or close that carries it is
carried out only if the conversation is still at that version (``innboks.db.live.claim``);
otherwise the answer is 409 with the changes since, and nothing is sent.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from innboks.db.live import Change, StaleVersion, claim, record
from innboks.web.errors import HttpError


class Conflict(HttpError):
    """409: the conversation changed since the version the user saw; nothing was done."""

    def __init__(self, stale: StaleVersion, current: int) -> None:
        changes = [{**change, "summary": describe(change)} for change in stale.changed]
        super().__init__(409, "the conversation changed since you opened it: nothing was sent",
                         body={"version": str(current), "changes": changes})


def claim_or_record(connection: sa.Connection, change: Change, version: int | None) -> int | None:
    """Record a staff change; with the ``version`` the user saw, only if nothing changed since (else 409)."""
    if version is None:
        return record(connection, change)
    try:
        return claim(connection, change, version)
    except StaleVersion as stale:
        current = max((c["version"] or 0 for c in stale.changed), default=version)
        raise Conflict(stale, current) from None


WHAT = {"reply": "et svar", "hide": "å skjule en melding", "unhide": "å vise en melding igjen",
        "delete": "å slette en melding"}
DONE = {"reply": "Svaret ble sendt", "hide": "Meldingen ble skjult", "unhide": "Meldingen vises igjen",
        "delete": "Meldingen ble slettet"}


def describe(change: dict[str, Any]) -> str:
    """What a change was, in a sentence staff read in a 409 or a notice ("Kari ba om å sende et svar")."""
    who, kind = change.get("actor") or "Noen", change.get("kind")
    if kind == "message":
        if change.get("event") in ("hidden", "deleted"):
            return "En melding ble skjult" if change.get("event") == "hidden" else "En melding ble slettet"
        if change.get("from_account"):
            return f"{who} svarte" if who not in ("account", "system") else "Vår konto svarte"
        return "Innbyggeren skrev en ny melding" if change.get("event") == "created" else "Innbyggeren endret meldingen"
    if kind == "action":
        action, outcome = change.get("action") or "", change.get("outcome")
        if outcome == "requested":
            return f"{who} ba om {WHAT.get(action, 'en handling')}"
        if outcome == "approved":
            return f"{who} godkjente {WHAT.get(action, 'en handling')}"
        if outcome == "done":
            return DONE.get(action, "En handling ble utført")
        if outcome == "failed":
            return "En handling feilet eller ble avvist"
        return "En handling endret status"
    if kind == "assignment":
        assignee = change.get("assignee")
        return f"{who} tildelte samtalen til {assignee}" if assignee else f"{who} fjernet tildelingen"
    if kind == "note":
        return f"{who} skrev et internt notat"
    if kind == "close":
        return f"{who} lukket henvendelsen uten svar"
    if kind == "snooze":
        return f"{who} satte henvendelsen på vent"
    return "Samtalen ble endret"


def parse_version(body: dict[str, Any]) -> int | None:
    """The ``version`` a request body carries (as given by GET /api/conversations/{key}), or None."""
    value = body.get("version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise HttpError(422, "version must be the conversation's version as given by GET /api/conversations/{key}")
    try:
        number = int(value)
    except ValueError:
        raise HttpError(422, "version must be the conversation's version as given by GET /api/conversations/{key}") \
            from None
    if number < 0:
        raise HttpError(422, "version must be the conversation's version as given by GET /api/conversations/{key}")
    return number
