"""SLA policies: a named response-time target measured on a calendar."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from innboks.config.sla import CRISIS, DEFAULT_CALENDARS, STANDARD, WEEKDAYS, CalendarConfig, Interval, SlaConfig
from innboks.domain.calendar import ALWAYS_OPEN, BUSINESS_HOURS, Calendar

__all__ = ["CRISIS", "STANDARD", "Policy", "UnknownPolicy", "build_calendar", "built_policies", "get_policy"]


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


def build_calendar(config: CalendarConfig, name: str) -> Calendar:
    regular = Calendar(
        name=name,
        timezone=ZoneInfo(config.timezone),
        weekly_hours={WEEKDAYS.index(day): hours for day, hours in config.hours.items()},
        public_holidays=config.public_holidays,
        closed_dates=frozenset(day for dates in config.closed for day in dates),
        always_open=config.always_open,
    )
    special: dict[date, tuple[Interval, ...]] = {}
    for entry in config.special_hours:
        special.update({day: entry.hours for day in entry.dates
                        if not entry.open_days_only or regular.hours_on(day)})
    return dataclasses.replace(regular, special_hours=special)


_BUILT: dict[int, tuple[SlaConfig, dict[str, Policy]]] = {}


def built_policies(sla: SlaConfig) -> dict[str, Policy]:
    """Policy objects by name, each with its calendar built once per configuration."""
    cached = _BUILT.get(id(sla))
    if cached is not None and cached[0] is sla:
        return cached[1]
    calendars = {name: ALWAYS_OPEN if name == "always" else build_calendar(config, name)
                 for name, config in {**DEFAULT_CALENDARS, **sla.calendars}.items()}
    policies = {name: Policy(name, config.target, calendars[config.calendar], config.warning_fraction)
                for name, config in sla.all_policy_configs.items()}
    _BUILT[id(sla)] = (sla, policies)
    return policies


def crisis_policy_of(sla: SlaConfig) -> Policy:
    """The policy every open inquiry moves to while crisis mode is on."""
    return built_policies(sla)[sla.crisis_policy]
