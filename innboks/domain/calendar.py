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
    #: Per year, the open seconds of its local days before each day (``[0]`` = 0, ``[-1]`` = the whole
    #: year), filled as years are asked for (the configuration never changes).
    _year_sums: dict[int, list[float]] = field(default_factory=dict, init=False, compare=False, repr=False)
    #: Open intervals in UTC per local date, likewise (a deadline walks a few days: issue 30 measured
    #: the conversions to and from the local time zone as the larger part of it).
    _day_intervals: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False)

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The open intervals of a local date (empty when closed)."""
        if day in self.special_hours:
            return self.special_hours[day]
        if day in self.closed_dates:
            return ()
        if self.public_holidays and day in norwegian_public_holidays(day.year):
            return ()
        return self.weekly_hours.get(day.weekday(), ())

    def utc_hours_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The open intervals of a local date, as UTC instants (empty when closed)."""
        found = self._day_intervals.get(day)
        if found is None:
            found = self._day_intervals[day] = tuple(
                (datetime.combine(day, opens, self.timezone).astimezone(UTC),
                 datetime.combine(day, closes, self.timezone).astimezone(UTC))
                for opens, closes in self.hours_on(day))
        return found

    def open_intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC from ``start`` onwards (the first one clipped to ``start``)."""
        start = start.astimezone(UTC)
        if self.always_open:
            yield start, datetime.max.replace(tzinfo=UTC)
            return
        day = start.astimezone(self.timezone).date()
        closed_streak = 0
        while closed_streak < 3660:  # ten years of closed days means a broken configuration
            intervals = self.utc_hours_on(day)
            closed_streak = 0 if intervals else closed_streak + 1
            for begin, end in intervals:
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
        """Open time between two instants, in seconds (0 if ``end`` is not after ``start``).

        The first and last local days are clipped to the instants; the whole days between are two
        lookups in running sums per year, so an inquiry months overdue costs no more than one due
        today (the inbox computes this for every row of its list).
        """
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        first, last = start.astimezone(self.timezone).date(), end.astimezone(self.timezone).date()
        if first == last:
            return self._open_seconds(first, start, end)
        total = self._open_seconds(first, start, end) + self._open_seconds(last, start, end)
        return total + self._whole_days(first + timedelta(days=1), last)

    def _whole_days(self, first: date, stop: date) -> float:
        """Open seconds of the local days from ``first`` up to (not including) ``stop``."""
        if stop <= first:
            return 0.0
        if first.year == stop.year:
            sums = self._sums(first.year)
            return sums[stop.timetuple().tm_yday - 1] - sums[first.timetuple().tm_yday - 1]
        total = self._sums(first.year)[-1] - self._sums(first.year)[first.timetuple().tm_yday - 1]
        for year in range(first.year + 1, stop.year):
            total += self._sums(year)[-1]
        return total + self._sums(stop.year)[stop.timetuple().tm_yday - 1]

    def _sums(self, year: int) -> list[float]:
        sums = self._year_sums.get(year)
        if sums is None:
            sums, day = [0.0], date(year, 1, 1)
            while day.year == year:
                sums.append(sums[-1] + self._open_seconds(day, None, None))
                day += timedelta(days=1)
            self._year_sums[year] = sums
        return sums

    def _open_seconds(self, day: date, start: datetime | None, end: datetime | None) -> float:
        """Open seconds of one local date, clipped to ``[start, end]`` where given."""
        total = 0.0
        for begin, finish in self.utc_hours_on(day):
            if start is not None:
                begin = max(begin, start)
            if end is not None:
                finish = min(finish, end)
            if finish > begin:
                total += (finish - begin).total_seconds()
        return total


#: Norwegian municipal opening hours: 08:00–15:30 Monday–Friday, public holidays closed.
BUSINESS_HOURS = Calendar()
#: Around the clock, every day.
ALWAYS_OPEN = Calendar(name="always", always_open=True)
