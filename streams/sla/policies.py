"""SLA policies: a named response-time target measured on a calendar."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from streams.sla.calendar import ALWAYS_OPEN, BUSINESS_HOURS, Calendar

STANDARD = "standard"
CRISIS = "crisis"


@dataclass(frozen=True)
class Policy:
    name: str
    target_seconds: float
    calendar: Calendar
    #: Fraction of the target after which a warning is due.
    warning_fraction: float = 0.8

    def due_at(self, received_at: datetime) -> datetime:
        return self.calendar.add_business_seconds(received_at, self.target_seconds)

    def warning_at(self, received_at: datetime) -> datetime:
        return self.calendar.add_business_seconds(received_at, self.target_seconds * self.warning_fraction)

    def business_seconds(self, received_at: datetime, answered_at: datetime) -> float:
        return self.calendar.business_seconds_between(received_at, answered_at)


#: One business day (7.5 working hours) for a first response.
STANDARD_POLICY = Policy(STANDARD, 7.5 * 3600, BUSINESS_HOURS)
#: One hour, around the clock, while crisis mode is on.
CRISIS_POLICY = Policy(CRISIS, 3600, ALWAYS_OPEN)

DEFAULT_POLICIES: dict[str, Policy] = {p.name: p for p in (STANDARD_POLICY, CRISIS_POLICY)}


class UnknownPolicy(KeyError):
    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(name)
        self.known = sorted(known)

    def __str__(self) -> str:
        return f"unknown SLA policy {self.args[0]!r} (known: {', '.join(self.known)})"


def get_policy(name: str, policies: Mapping[str, Policy] = DEFAULT_POLICIES) -> Policy:
    try:
        return policies[name]
    except KeyError:
        raise UnknownPolicy(name, policies) from None
