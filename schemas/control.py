"""Operational switches on the compacted ``innboks.control`` topic."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Contract, UtcDatetime

#: Key of the crisis switch on ``innboks.control``.
CRISIS_KEY = "crisis"


class ControlEvent(Contract):
    """Crisis mode on or off (key ``crisis``); the latest value per key is the current state.

    When the chief executive has set up crisis staff, all communication goes via the website and
    the Facebook page: while crisis mode is on, every inbound message is escalated (reason
    ``crisis``), new inquiries get the ``crisis`` SLA policy, and replies from other official
    accounts are flagged.
    """

    kind: Literal["crisis"] = "crisis"
    active: bool
    reason: str = Field(min_length=1, max_length=500, description="Why (shown to operators; no personal data).")
    set_by: str | None = Field(default=None, description="Who switched it (user name or system).")
    at: UtcDatetime
