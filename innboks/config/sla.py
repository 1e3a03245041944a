"""SLA configuration: calendars, policies and which messages open a clock (pure data).

Building the calendars and policies from it is ``innboks.domain.policies.built_policies``.

Lives in the ``sla:`` section of the account registry (``accounts.yaml``), next to the accounts that
choose a policy (``sla_policy``, and per message kind ``sla_policy_by_kind``). Everything has a
default, so a registry without the section gets 08:00–15:30 Monday–Friday with Norwegian public
holidays, ``standard`` (7.5 business hours) and ``crisis`` (one hour around the clock)::

    sla:
      no_clock_categories: [other]
      calendars:
        business:
          closed: ["2026-12-24", "2026-12-31"]
          special_hours:
            - {dates: "2027-06-28..2027-08-06", hours: ["08:00-15:00"]}   # summer hours
      policies:
        direct-messages: {target: 4h, calendar: business, warning_fraction: 0.5}
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from schemas import Category

#: Opening hours of a day: (opens, closes).
Interval = tuple[time, time]
#: The built-in policies: one business day, and one hour around the clock in crisis mode.
STANDARD = "standard"
CRISIS = "crisis"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hms]?)\s*$")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "": 1.0}
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_duration(value: object) -> float:
    """Seconds from ``7.5h``, ``90m``, ``45s`` or a plain number of seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string such as 7.5h, 90m, 45s")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError("a duration is a number of seconds or a string such as 7.5h, 90m, 45s")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be greater than 0")
    return seconds


def parse_interval(value: object) -> Interval:
    match = _INTERVAL.match(str(value))
    if not match:
        raise ValueError(f"opening hours are written HH:MM-HH:MM, got {value!r}")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    try:
        opens, closes = time(h1, m1), time(h2, m2)
    except ValueError:
        raise ValueError(f"not a time of day in {value!r}") from None
    if closes <= opens:
        raise ValueError(f"opening hours must close after they open: {value!r}")
    return opens, closes


def parse_dates(value: object) -> list[date]:
    """One ISO date, or an inclusive range ``2027-06-28..2027-08-06``."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    first, _, last = text.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
    except ValueError:
        raise ValueError(f"dates are YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, got {text!r}") from None
    if end < start:
        raise ValueError(f"date range ends before it starts: {text!r}")
    if (end - start).days > 366:
        raise ValueError(f"date range longer than a year: {text!r}")
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


Hours = Annotated[tuple[Interval, ...], BeforeValidator(lambda v: tuple(parse_interval(i) for i in v))]
Dates = Annotated[list[date], BeforeValidator(parse_dates)]
Seconds = Annotated[float, BeforeValidator(parse_duration)]


class SpecialHours(BaseModel):
    """Different hours on some dates (a shortened Christmas Eve, summer hours); ``[]`` closes them.

    By default they change working days only, so summer hours over a range leave weekends and
    public holidays closed; ``open_days_only: false`` also opens the closed days of the range.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dates: Dates
    hours: Hours
    open_days_only: bool = True


def _office_hours() -> dict[str, tuple[Interval, ...]]:
    return {day: ((time(8, 0), time(15, 30)),) for day in WEEKDAYS[:5]}


class CalendarConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "Europe/Oslo"
    #: Opening hours per weekday; a weekday not listed is closed. Default: 08:00–15:30 Monday–Friday.
    hours: dict[str, Hours] = Field(default_factory=lambda: _office_hours())
    public_holidays: bool = Field(default=True, description="Norwegian public holidays are closed.")
    closed: list[Dates] = Field(default_factory=list, description="Extra closed days or ranges.")
    special_hours: list[SpecialHours] = Field(default_factory=list)
    always_open: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("hours")
    @classmethod
    def _weekdays(cls, value: dict[str, tuple[Interval, ...]]) -> dict[str, tuple[Interval, ...]]:
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"weekdays are {', '.join(WEEKDAYS)}; unknown: {', '.join(unknown)}")
        return value


class PolicyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    target: Seconds = Field(description="Time to a first response on the calendar: 7.5h, 90m, 45s or seconds.")
    calendar: str = "business"
    warning_fraction: float = Field(default=0.8, gt=0, lt=1)


#: Built-in calendars; ``business`` can be redefined, ``always`` is fixed.
DEFAULT_CALENDARS: dict[str, CalendarConfig] = {"business": CalendarConfig(),
                                                "always": CalendarConfig(always_open=True)}
DEFAULT_POLICY_CONFIGS: dict[str, PolicyConfig] = {
    STANDARD: PolicyConfig(target=7.5 * 3600, calendar="business"),
    CRISIS: PolicyConfig(target=3600, calendar="always"),
}


class SlaConfig(BaseModel):
    """The ``sla:`` section of the account registry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    calendars: dict[str, CalendarConfig] = Field(default_factory=dict)
    policies: dict[str, PolicyConfig] = Field(default_factory=dict)
    #: The policy every open and new inquiry switches to while crisis mode is on.
    crisis_policy: str = CRISIS
    #: Triage categories that need no answer: their messages open no clock (a follow-up to an
    #: inquiry already open still belongs to it). Default: every inbound message opens one.
    no_clock_categories: frozenset[Category] = frozenset()

    @model_validator(mode="after")
    def _references(self) -> SlaConfig:
        if "always" in self.calendars:
            raise ValueError("calendar 'always' is built in and cannot be redefined")
        calendars = {**DEFAULT_CALENDARS, **self.calendars}
        for name, policy in self.all_policy_configs.items():
            if policy.calendar not in calendars:
                raise ValueError(f"policy {name!r} uses unknown calendar {policy.calendar!r}")
        if self.crisis_policy not in self.all_policy_configs:
            raise ValueError(f"crisis_policy {self.crisis_policy!r} is not a policy")
        return self

    @property
    def all_policy_configs(self) -> dict[str, PolicyConfig]:
        return {**DEFAULT_POLICY_CONFIGS, **self.policies}

    def opens_clock(self, category: Category | None) -> bool:
        return category not in self.no_clock_categories
