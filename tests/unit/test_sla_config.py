"""SLA configuration in the account registry: calendars, closures, special hours, policies per account and kind."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from innboks.cli import main
from innboks.config.accounts import RegistryError, load_registry
from innboks.config.sla import SlaConfig, parse_duration
from innboks.domain.policies import built_policies
from schemas import Category, Kind, Platform

REGISTRY = """\
version: 1
sla:
  no_clock_categories: [other]
  calendars:
    business:
      closed: ["2026-12-24", "2026-12-31"]
      special_hours:
        - {dates: "2026-12-23", hours: ["08:00-12:00"]}
        - {dates: "2027-07-01..2027-07-31", hours: ["08:00-15:00"]}
    helpdesk:
      hours: {mon: ["08:00-20:00"], sat: ["10:00-14:00"]}
      public_holidays: false
  policies:
    direct-messages: {target: 2h, calendar: helpdesk, warning_fraction: 0.5}
accounts:
  - platform: facebook
    account_id: "104857362918274"
    name: Alta kommune
    owning_unit: Kommunikasjonsenheten
    sla_policy_by_kind: {direct_message: direct-messages}
"""


def write(tmp_path: Path, text: str = REGISTRY) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_policies_per_account_and_kind(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path))
    assert registry.sla_policy_for(Platform.FACEBOOK, "104857362918274", Kind.DIRECT_MESSAGE) == "direct-messages"
    assert registry.sla_policy_for(Platform.FACEBOOK, "104857362918274", Kind.COMMENT) == "standard"
    assert registry.sla_policy_for(Platform.X, "unknown", Kind.COMMENT) == "standard"
    assert not registry.sla.opens_clock(Category.OTHER) and registry.sla.opens_clock(Category.FEEDBACK)


def test_closed_days_and_a_shortened_day_move_the_deadline(tmp_path: Path) -> None:
    standard = built_policies(load_registry(write(tmp_path)).sla)["standard"]
    # Wed 23 Dec 2026 09:00 Oslo: 3 h left that day (shortened), 24th closed, 25th/26th holidays,
    # 27th Sunday; Monday 28th 08:00 + 4.5 h = 12:30 Oslo.
    due = standard.due_at(datetime(2026, 12, 23, 8, tzinfo=UTC))
    assert due == datetime(2026, 12, 28, 11, 30, tzinfo=UTC)


def test_summer_hours_over_a_range_keep_weekends_closed(tmp_path: Path) -> None:
    calendar = built_policies(load_registry(write(tmp_path)).sla)["standard"].calendar
    assert calendar.hours_on(date(2027, 7, 2))[0][1].hour == 15  # Friday: shortened
    assert calendar.hours_on(date(2027, 7, 3)) == ()  # Saturday: still closed


def test_custom_calendar_with_weekend_hours_and_no_holidays(tmp_path: Path) -> None:
    policy = built_policies(load_registry(write(tmp_path)).sla)["direct-messages"]
    # Saturday 26 Dec 2026 13:00 Oslo: 1 h that day (to 14:00), closed Sunday, Monday 28th 08:00 + 1 h.
    assert policy.due_at(datetime(2026, 12, 26, 12, tzinfo=UTC)) == datetime(2026, 12, 28, 8, tzinfo=UTC)
    assert policy.warning_at(datetime(2026, 12, 26, 12, tzinfo=UTC)) == datetime(2026, 12, 26, 13, tzinfo=UTC)


@pytest.mark.parametrize(("snippet", "expected"), [
    ("sla:\n  policies:\n    fast: {target: soon}\n", "accounts.yaml:4: sla.policies.fast.target"),
    ("sla:\n  policies:\n    fast: {target: 1h, calendar: night}\n", "unknown calendar 'night'"),
    ("sla:\n  calendars:\n    business:\n      hours: {mon: ['15:30-08:00']}\n", "close after they open"),
    ("sla:\n  calendars:\n    business:\n      hours: {monday: ['08:00-15:30']}\n", "unknown: monday"),
    ("sla:\n  calendars:\n    business:\n      closed: ['2026-13-01']\n", "dates are YYYY-MM-DD"),
    ("sla:\n  calendars:\n    business:\n      timezone: Europe/Alta\n", "unknown time zone"),
    ("sla:\n  crisis_policy: panic\n", "crisis_policy 'panic' is not a policy"),
    ("accounts:\n  - {platform: x, account_id: '1', name: A, owning_unit: K, sla_policy: gold}\n",
     "unknown SLA policy 'gold'"),
])
def test_configuration_errors_name_the_place(tmp_path: Path, snippet: str, expected: str) -> None:
    with pytest.raises(RegistryError, match=expected.replace(".", r"\.").replace("(", r"\(")):
        load_registry(write(tmp_path, "version: 1\n" + snippet))


@pytest.mark.parametrize(("text", "seconds"), [("7.5h", 27000), ("90m", 5400), ("45s", 45), (3600, 3600)])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_defaults_without_a_section() -> None:
    policies = built_policies(SlaConfig())
    assert policies["standard"].target_seconds == 7.5 * 3600 and policies["crisis"].calendar.always_open


def test_deadline_command_uses_the_configured_policies(tmp_path: Path, monkeypatch, capsys) -> None:
    from innboks.config.settings import get_settings

    monkeypatch.setenv("INNBOKS_ACCOUNTS_FILE", str(write(tmp_path)))
    get_settings.cache_clear()
    try:
        assert main(["sla", "deadline", "--received", "2026-12-23T09:00:00+01:00"]) == 0
        assert capsys.readouterr().out.strip() == "2026-12-28T12:30:00+01:00"
        assert main(["sla", "deadline", "--received", "2026-12-26T13:00:00+01:00", "--policy", "direct-messages"]) == 0
        assert capsys.readouterr().out.strip() == "2026-12-28T09:00:00+01:00"
    finally:
        get_settings.cache_clear()
