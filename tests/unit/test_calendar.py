"""Deadlines on the business-hours calendar, around the awkward days of the Norwegian year."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from innboks.domain.calendar import BUSINESS_HOURS, OSLO, Calendar
from innboks.domain.policies import CRISIS_POLICY, STANDARD_POLICY, UnknownPolicy, get_policy


def due(received: str, policy=STANDARD_POLICY) -> str:
    return policy.due_at(datetime.fromisoformat(received)).astimezone(OSLO).isoformat()


@pytest.mark.parametrize("received, expected", [
    # ordinary weekday: one business day later, same clock time
    ("2026-11-17T10:00:00+01:00", "2026-11-18T10:00:00+01:00"),
    # before opening: the clock starts at 08:00
    ("2026-11-17T06:30:00+01:00", "2026-11-17T15:30:00+01:00"),
    # after closing on a Friday: the whole of Monday
    ("2026-11-20T16:00:00+01:00", "2026-11-23T15:30:00+01:00"),
    # during the weekend
    ("2026-11-21T12:00:00+01:00", "2026-11-23T15:30:00+01:00"),
    # Friday afternoon carries over the weekend
    ("2026-11-20T14:00:00+01:00", "2026-11-23T14:00:00+01:00"),
    # Easter 2026: Maundy Thursday 2 Apr .. Easter Monday 6 Apr closed
    ("2026-04-01T14:00:00+02:00", "2026-04-07T14:00:00+02:00"),
    # Ascension Day 14 May 2026
    ("2026-05-13T09:00:00+02:00", "2026-05-15T09:00:00+02:00"),
    # Whit Monday 25 May 2026
    ("2026-05-22T12:00:00+02:00", "2026-05-26T12:00:00+02:00"),
    # 17 May 2027 is a Monday (and Whit Monday)
    ("2027-05-14T12:00:00+02:00", "2027-05-18T12:00:00+02:00"),
    # Christmas 2026: 25 and 26 Dec closed (24 Dec is open unless configured)
    ("2026-12-24T10:00:00+01:00", "2026-12-28T10:00:00+01:00"),
    # 1 May (Labour Day) 2026 is a Friday
    ("2026-04-30T12:00:00+02:00", "2026-05-04T12:00:00+02:00"),
    # DST starts 29 March 2026 (Sunday): Friday noon +01:00 -> Monday noon +02:00
    ("2026-03-27T12:00:00+01:00", "2026-03-30T12:00:00+02:00"),
    # DST ends 25 October 2026 (Sunday): Friday noon +02:00 -> Monday noon +01:00
    ("2026-10-23T12:00:00+02:00", "2026-10-26T12:00:00+01:00"),
    # a UTC timestamp is interpreted on Oslo's clock (09:00Z = 10:00 Oslo)
    ("2026-11-17T09:00:00+00:00", "2026-11-18T10:00:00+01:00"),
])
def test_standard_deadline(received: str, expected: str) -> None:
    assert due(received) == expected


@pytest.mark.parametrize("received, expected", [
    ("2026-11-21T23:30:00+01:00", "2026-11-22T00:30:00+01:00"),
    # spring forward: 01:30 +01:00 plus one hour is 03:30 +02:00
    ("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00"),
    # fall back: 02:30 +02:00 plus one hour is 02:30 +01:00
    ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"),
])
def test_crisis_policy_runs_around_the_clock(received: str, expected: str) -> None:
    assert due(received, CRISIS_POLICY) == expected


def test_business_seconds_between_skips_nights_and_weekends() -> None:
    cal = STANDARD_POLICY.calendar
    friday = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
    monday = datetime.fromisoformat("2026-11-23T09:00:00+01:00")
    assert cal.business_seconds_between(friday, monday) == 30 * 60 + 60 * 60
    assert cal.business_seconds_between(monday, friday) == 0


def test_configured_closures_and_shortened_days() -> None:
    cal = Calendar(
        closed_dates=frozenset({date(2026, 12, 28)}),
        special_hours={date(2026, 12, 24): ((time(8, 0), time(12, 0)),)},
    )
    received = datetime.fromisoformat("2026-12-24T10:00:00+01:00")
    # 2 h on Christmas Eve, 25/26/27 closed (holidays, Sunday), 28 closed by configuration,
    # remaining 5.5 h on 29 Dec from 08:00 -> 13:30
    assert cal.add_business_seconds(received, 7.5 * 3600).astimezone(OSLO).isoformat() == "2026-12-29T13:30:00+01:00"


def test_calendar_without_open_hours_fails_clearly() -> None:
    with pytest.raises(ValueError, match="no open hours"):
        Calendar(weekly_hours={}).add_business_seconds(datetime.fromisoformat("2026-01-01T00:00:00+00:00"), 1)


def test_unknown_policy() -> None:
    with pytest.raises(UnknownPolicy, match="known: crisis, standard"):
        get_policy("gold")


def _walked(cal: Calendar, start: datetime, end: datetime) -> float:
    """The reference: walk the open intervals one by one."""
    total = 0.0
    for begin, finish in cal.open_intervals(start):
        if begin >= end:
            break
        total += (min(finish, end) - begin).total_seconds()
    return max(total, 0.0)


def test_business_seconds_between_long_spans_match_the_interval_walk() -> None:
    import random

    special = Calendar(closed_dates=frozenset({date(2026, 7, 13)}),
                       special_hours={date(2026, 12, 24): ((time(8, 0), time(12, 0)),)})
    rng = random.Random(7)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    for cal in (BUSINESS_HOURS, special):
        for _ in range(300):
            start = origin + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            end = start + timedelta(minutes=rng.randrange(0, 120 * 24 * 60))
            assert cal.business_seconds_between(start, end) == _walked(cal, start, end), (start, end)
        for _ in range(40):  # over year ends: months and years overdue
            start = origin + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            end = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
            assert cal.business_seconds_between(start, end) == _walked(cal, start, end), (start, end)
    # Across the spring DST change and Easter: whole days summed from the cache, still exact.
    assert BUSINESS_HOURS.business_seconds_between(datetime(2026, 3, 20, 12, tzinfo=UTC),
                                                   datetime(2026, 4, 20, 12, tzinfo=UTC)) == _walked(
        BUSINESS_HOURS, datetime(2026, 3, 20, 12, tzinfo=UTC), datetime(2026, 4, 20, 12, tzinfo=UTC))


def _uncached_deadline(cal: Calendar, start: datetime, seconds: float) -> datetime:
    """The reference: local days' hours converted on every call, as before the per-day cache."""
    remaining = timedelta(seconds=seconds)
    start = start.astimezone(UTC)
    day = start.astimezone(cal.timezone).date()
    while True:
        for opens, closes in cal.hours_on(day):
            begin = max(datetime.combine(day, opens, cal.timezone).astimezone(UTC), start)
            end = datetime.combine(day, closes, cal.timezone).astimezone(UTC)
            if end <= begin:
                continue
            if end - begin >= remaining:
                return begin + remaining
            remaining -= end - begin
        day += timedelta(days=1)


def test_deadlines_from_the_per_day_cache_match_the_uncached_walk() -> None:
    """Issue 30 keeps each local day's open hours in UTC: the same deadlines, across both DST changes,
    holidays, closed and shortened days, for instants in UTC and in other offsets."""
    import random

    special = Calendar(closed_dates=frozenset({date(2026, 7, 13)}),
                       special_hours={date(2026, 12, 24): ((time(8, 0), time(12, 0)),),
                                      date(2026, 3, 29): ((time(1, 0), time(4, 0)),)})  # the spring change
    rng = random.Random(30)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    for cal in (BUSINESS_HOURS, special, Calendar()):
        for _ in range(400):
            start = origin + timedelta(seconds=rng.randrange(0, 400 * 24 * 3600))
            if rng.random() < 0.3:
                start = start.astimezone(OSLO)
            seconds = rng.choice((3600, 7.5 * 3600 / 2, 7.5 * 3600, 3 * 7.5 * 3600, rng.randrange(1, 10**6)))
            assert cal.add_business_seconds(start, seconds) == _uncached_deadline(cal, start, seconds), (start, seconds)
