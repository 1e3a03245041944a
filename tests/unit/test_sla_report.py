"""``innboks sla report``: per-account response times from SLA events, as a table and as CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from innboks.cli import main
from innboks.cli.sla_report import inquiries_in, parse_since, percentile, render, rows_by_account, write_csv
from schemas import Platform, Resolution, SlaEvent, SlaState

T0 = datetime(2026, 11, 16, 9, tzinfo=UTC)


def event(n: int, state: SlaState, account: str = "104857362918274", platform: Platform = Platform.FACEBOOK,
          received: datetime = T0, **extra: object) -> SlaEvent:
    return SlaEvent(event_id=f"{platform.value}:{n}:{state.value}", inquiry_id=f"{platform.value}:{n}",
                    conversation_key=f"k{n}", account_id=account, platform=platform, policy="standard",
                    received_at=received, due_at=received + timedelta(hours=24), state=state,
                    emitted_at=received, **extra)


def answered(n: int, business_hours: float, in_time: bool = True, **extra: object) -> SlaEvent:
    return event(n, SlaState.ANSWERED, answered_at=T0 + timedelta(hours=business_hours),
                 business_seconds=business_hours * 3600, response_seconds=business_hours * 3600,
                 in_time=in_time, resolution=Resolution.REPLY, **extra)


def history() -> list[SlaEvent]:
    events = [event(n, SlaState.OPENED) for n in range(1, 7)]
    events += [answered(n, hours) for n, hours in ((1, 1.0), (2, 2.0), (3, 3.0))]
    events += [event(4, SlaState.WARNING), event(4, SlaState.BREACHED), answered(4, 9.0, in_time=False)]
    events += [event(5, SlaState.CLOSED, resolution=Resolution.HIDDEN)]
    events += [event(7, SlaState.OPENED, platform=Platform.X, account="99")]
    events += [event(8, SlaState.OPENED, received=T0 - timedelta(days=30))]  # before the period
    return events + events[:4]  # at-least-once: duplicates


def test_rows_count_each_inquiry_once_per_account() -> None:
    rows = rows_by_account(inquiries_in(history(), T0 - timedelta(days=1), None))
    facebook, x = rows
    assert (facebook.inquiries, facebook.answered, facebook.in_time, facebook.breaches, facebook.warnings,
            facebook.open, facebook.closed) == (6, 4, 3, 1, 1, 1, 1)
    assert sorted(facebook.business) == [3600, 7200, 10800, 32400]
    assert (x.platform, x.inquiries, x.open) == ("x", 1, 1)


def test_until_excludes_later_inquiries() -> None:
    assert inquiries_in(history(), T0 - timedelta(days=40), T0) == inquiries_in(
        [event(8, SlaState.OPENED, received=T0 - timedelta(days=30))], T0 - timedelta(days=40), None)


@pytest.mark.parametrize(("values", "share", "expected"), [
    ([1, 2, 3, 4], 0.5, 2), ([1, 2, 3, 4], 0.9, 4), ([5], 0.9, 5), ([], 0.5, None), (list(range(1, 11)), 0.9, 9)])
def test_nearest_rank_percentile(values: list[float], share: float, expected: float | None) -> None:
    assert percentile(values, share) == expected


def test_csv_has_one_row_per_account_with_medians_in_seconds() -> None:
    out = io.StringIO()
    write_csv(rows_by_account(inquiries_in(history(), T0 - timedelta(days=1), None)), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["platform"] for r in rows] == ["facebook", "x"]
    assert rows[0]["answered_in_time_ratio"] == "0.7500"
    assert (rows[0]["median_business_seconds"], rows[0]["p90_business_seconds"]) == ("7200", "32400")
    assert rows[1]["median_business_seconds"] == ""


def test_table_shows_accounts_and_total() -> None:
    console = Console(file=io.StringIO(), width=160)
    render(rows_by_account(inquiries_in(history(), T0 - timedelta(days=1), None)), T0, None, console)
    text = console.file.getvalue()
    assert "104857362918274" in text and "Total" in text and "75%" in text and "2:00" in text


def test_since_is_a_date_in_oslo_or_a_timestamp() -> None:
    assert parse_since("2026-11-01") == datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert parse_since("2026-11-01T12:00:00Z") == datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_command_reads_an_events_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "sla.jsonl"
    path.write_text("\n".join(e.model_dump_json() for e in history()) + "\n{broken\n", encoding="utf-8")
    assert main(["sla", "report", "--since", "2026-11-15", "--events", str(path), "--csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].startswith("facebook,104857362918274,")
    assert "skipped 1 invalid record" in captured.err


@pytest.mark.parametrize(("argv", "message"), [
    (["sla", "report"], "--since"),
    (["sla", "report", "--since", "last week"], "not a date"),
    (["sla", "report", "--since", "2026-11-15", "--until", "2026-11-01", "--events", "x"], "--until must be after"),
    (["sla", "report", "--since", "2026-11-15", "--events", "/nonexistent.jsonl"], "cannot read"),
])
def test_bad_arguments_fail_in_one_line(argv: list[str], message: str, capsys) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse errors
        code = exit_.code
    err = capsys.readouterr().err
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1
