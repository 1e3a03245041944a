"""Business-hours calendars: when the municipality is open to answer.

Deadlines are computed by walking the open intervals of local days (Europe/Oslo by default) and
measuring them in UTC, which keeps the arithmetic right across daylight-saving changes: the
night of a DST change is outside business hours, but a 24/7 calendar still counts the 23- or
25-hour day correctly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from innboks.config.sla import Interval

OSLO = ZoneInfo("Europe/Oslo")



@lru_cache(maxsize=64)
def norwegian_public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NO", years=year, language="no").keys())


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 = Monday), public holidays, extra closed days, special days.

    ``special_hours`` overrides a date's hours (e.g. a shortened Christmas Eve: ``((08:00, 12:00),)``;
    an empty tuple closes the day). ``always_open`` makes a 24/7 calendar (crisis).
    """

    name: str = "business"
    timezone: ZoneInfo = OSLO
    weekly_hours: dict[int, tuple[Interval, ...]] = field(
        default_factory=lambda: {day: ((time(8, 0), time(15, 30)),) for day in range(5)}
    )
    public_holidays: bool = True
    closed_dates: frozenset[date] = frozenset()
    special_hours: dict[date, tuple[Interval, ...]] = field(default_factory=dict)
    always_open: bool = False

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The open intervals of a local date (empty when closed)."""
        if day in self.special_hours:
            return self.special_hours[day]
        if day in self.closed_dates:
            return ()
        if self.public_holidays and day in norwegian_public_holidays(day.year):
            return ()
        return self.weekly_hours.get(day.weekday(), ())

    def open_intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC from ``start`` onwards (the first one clipped to ``start``)."""
        start = start.astimezone(UTC)
        if self.always_open:
            yield start, datetime.max.replace(tzinfo=UTC)
            return
        day = start.astimezone(self.timezone).date()
        closed_streak = 0
        while closed_streak < 3660:  # ten years of closed days means a broken configuration
            intervals = self.hours_on(day)
            closed_streak = 0 if intervals else closed_streak + 1
            for opens, closes in intervals:
                begin = datetime.combine(day, opens, self.timezone).astimezone(UTC)
                end = datetime.combine(day, closes, self.timezone).astimezone(UTC)
                if end <= start:
                    continue
                yield max(begin, start), end
            day += timedelta(days=1)
        raise ValueError(f"calendar {self.name!r} has no open hours in ten years")

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant when ``seconds`` of open time have passed after ``start`` (UTC)."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        remaining = timedelta(seconds=seconds)
        for begin, end in self.open_intervals(start):
            if end - begin >= remaining:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable: open_intervals is endless or raises")

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Open time between two instants, in seconds (0 if ``end`` is not after ``start``)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0.0
        total = timedelta()
        for begin, finish in self.open_intervals(start):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total.total_seconds()


#: Norwegian municipal opening hours: 08:00–15:30 Monday–Friday, public holidays closed.
BUSINESS_HOURS = Calendar()
#: Around the clock, every day.
ALWAYS_OPEN = Calendar(name="always", always_open=True)
