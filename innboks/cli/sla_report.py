"""``innboks sla report``: response times per account, from the ``innboks.sla`` events.

One row per account: inquiries received in the period, how many were answered and how many in
time, the median and 90th percentile first response (business time on the policy's calendar, and
wall-clock time in the CSV), breaches, and what is still open or was closed without an answer.
Events are deduplicated on ``event_id`` (the topic is at-least-once). Percentiles are
nearest-rank: the value below which that share of the answers lies, always an observed value.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from innboks.config.accounts import Registry
from innboks.config.files import UnreadableFile, read_text
from innboks.domain.calendar import OSLO
from innboks.errors import CliError
from schemas import SlaEvent, SlaState


@dataclass
class Inquiry:
    opened: SlaEvent
    answered: SlaEvent | None = None
    closed: SlaEvent | None = None
    warned: bool = False
    breached: bool = False

    @property
    def in_time(self) -> bool:
        answer = self.answered
        if answer is None or answer.answered_at is None:
            return False
        return answer.in_time if answer.in_time is not None else answer.answered_at <= answer.due_at


@dataclass
class AccountRow:
    platform: str
    account_id: str
    name: str = ""
    owning_unit: str = ""
    inquiries: int = 0
    answered: int = 0
    in_time: int = 0
    breaches: int = 0
    warnings: int = 0
    closed: int = 0
    open: int = 0
    business: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    @property
    def in_time_ratio(self) -> float | None:
        return self.in_time / self.answered if self.answered else None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def inquiries_in(events: Iterable[SlaEvent], since: datetime, until: datetime | None) -> list[Inquiry]:
    """The inquiries received in [since, until), each with what happened to it."""
    seen: set[str] = set()
    by_id: dict[str, Inquiry] = {}
    later: list[SlaEvent] = []
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        if event.state is SlaState.OPENED:
            by_id[event.inquiry_id] = Inquiry(event)
        else:
            later.append(event)
    for event in later:
        inquiry = by_id.get(event.inquiry_id)
        if inquiry is None:
            continue  # opened before the topic's retention: outside any report that can be made
        if event.state is SlaState.ANSWERED:
            inquiry.answered = event
        elif event.state is SlaState.CLOSED:
            inquiry.closed = event
        elif event.state is SlaState.WARNING:
            inquiry.warned = True
        elif event.state is SlaState.BREACHED:
            inquiry.breached = True
    return [inquiry for inquiry in by_id.values()
            if inquiry.opened.received_at >= since and (until is None or inquiry.opened.received_at < until)]


def rows_by_account(inquiries: Iterable[Inquiry], registry: Registry | None = None) -> list[AccountRow]:
    rows: dict[tuple[str, str], AccountRow] = {}
    for inquiry in inquiries:
        opened = inquiry.opened
        row = rows.get((opened.platform.value, opened.account_id))
        if row is None:
            row = rows[(opened.platform.value, opened.account_id)] = AccountRow(opened.platform.value,
                                                                                opened.account_id)
            account = registry.find(opened.platform, opened.account_id) if registry else None
            if account is not None:
                row.name, row.owning_unit = account.name, account.owning_unit
        row.inquiries += 1
        row.warnings += inquiry.warned
        row.breaches += inquiry.breached
        if inquiry.answered is not None:
            row.answered += 1
            row.in_time += inquiry.in_time
            if inquiry.answered.business_seconds is not None:
                row.business.append(inquiry.answered.business_seconds)
            if inquiry.answered.response_seconds is not None:
                row.wall.append(inquiry.answered.response_seconds)
        elif inquiry.closed is not None:
            row.closed += 1
        else:
            row.open += 1
    return sorted(rows.values(), key=lambda r: (r.platform, r.name or r.account_id))


def hours_minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def render(rows: list[AccountRow], since: datetime, until: datetime | None, console: Console) -> None:
    period = f"since {since.astimezone(OSLO):%Y-%m-%d %H:%M}" + (
        f" until {until.astimezone(OSLO):%Y-%m-%d %H:%M}" if until else "")
    table = Table(title=f"Response times {period} (Europe/Oslo)",
                  caption="Median and P90: first response in business time (h:mm) on the policy's calendar")
    for header in ("Account", "Platform", "Inquiries", "Answered", "In time", "In time %", "Median", "P90",
                   "Breaches", "Open", "Closed"):
        table.add_column(header, justify="left" if header in ("Account", "Platform") else "right")
    total = AccountRow("all", "all")
    for row in rows:
        _add(table, row, row.name or row.account_id)
        for name in ("inquiries", "answered", "in_time", "breaches", "warnings", "closed", "open"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.business += row.business
    if len(rows) > 1:
        table.add_section()
        _add(table, total, "Total")
    console.print(table)
    if not rows:
        console.print("No inquiries in this period.")


def _add(table: Table, row: AccountRow, label: str) -> None:
    ratio = row.in_time_ratio
    table.add_row(label, row.platform, str(row.inquiries), str(row.answered), str(row.in_time),
                  "–" if ratio is None else f"{ratio:.0%}", hours_minutes(percentile(row.business, 0.5)),
                  hours_minutes(percentile(row.business, 0.9)),
                  f"[red]{row.breaches}[/red]" if row.breaches else "0", str(row.open), str(row.closed))


CSV_COLUMNS = ("platform", "account_id", "account_name", "owning_unit", "inquiries", "answered",
               "answered_in_time", "answered_in_time_ratio", "median_business_seconds", "p90_business_seconds",
               "median_wall_seconds", "p90_wall_seconds", "breaches", "warnings", "open", "closed")


def write_csv(rows: list[AccountRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.0f}"

    for row in rows:
        ratio = row.in_time_ratio
        writer.writerow([
            row.platform, row.account_id, row.name, row.owning_unit, row.inquiries, row.answered, row.in_time,
            "" if ratio is None else f"{ratio:.4f}",
            number(percentile(row.business, 0.5)), number(percentile(row.business, 0.9)),
            number(percentile(row.wall, 0.5)), number(percentile(row.wall, 0.9)),
            row.breaches, row.warnings, row.open, row.closed,
        ])


def parse_since(value: str) -> datetime:
    """A date (midnight in Oslo) or an ISO 8601 timestamp with offset."""
    try:
        return datetime.combine(date.fromisoformat(value), time(0), OSLO)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD) or ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp needs a UTC offset (e.g. +01:00 or Z): {value!r}")
    return parsed


class EventSource:
    """SLA events from a JSON-lines file or from the topic; invalid records are counted, not fatal."""

    def __init__(self) -> None:
        self.invalid = 0

    def parse(self, values: Iterable[bytes | str]) -> Iterator[SlaEvent]:
        for value in values:
            if not value or not value.strip():
                continue
            try:
                yield SlaEvent.model_validate_json(value)
            except ValidationError:
                self.invalid += 1

    def from_file(self, path: Path) -> Iterator[SlaEvent]:
        try:
            lines = read_text(path, "the SLA events").splitlines()
        except UnreadableFile as exc:
            raise CliError(str(exc)) from None
        return self.parse(lines)

    def from_topic(self, bootstrap: str) -> Iterator[SlaEvent]:
        return self.parse(read_topic_values(bootstrap))


#: Seconds without a record before the reader gives up waiting for the end of the topic.
IDLE_SECONDS = 10.0


def read_topic_values(bootstrap: str) -> list[bytes]:
    """Every value on ``innboks.sla``, from the beginning to the current end (no consumer group)."""
    from innboks.config.topics import SLA
    from innboks.kafka.clients import KafkaClientError, UnknownTopicError, read_to_end

    try:
        records = read_to_end(bootstrap, [SLA], client_id="innboks-sla-report", missing_ok=False,
                              idle_timeout=IDLE_SECONDS)
    except UnknownTopicError:
        raise CliError(f"topic {SLA} does not exist on {bootstrap} (run `innboks topics create`)") from None
    except KafkaClientError as exc:
        raise CliError(f"cannot read {SLA}: {exc}") from None
    return [record.value for record in records if record.value]


def run_sla_report(since: datetime, until: datetime | None, as_csv: bool, events_file: Path | None,
                   out: TextIO, console: Console | None = None) -> int:
    from innboks.config.accounts import RegistryError, registry_or_none
    from innboks.config.settings import get_settings
    from innboks.kafka.runtime import require_bootstrap

    if until is not None and until <= since:
        raise CliError("--until must be after --since")
    settings = get_settings()
    try:
        registry = registry_or_none(settings.accounts_file)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    source = EventSource()
    events = source.from_file(events_file) if events_file else source.from_topic(require_bootstrap(settings))
    rows = rows_by_account(inquiries_in(events, since, until), registry)
    console = console or Console(file=out)
    if as_csv:
        write_csv(rows, out)
    else:
        render(rows, since, until, console)
    if source.invalid:
        Console(stderr=True).print(f"innboks sla report: skipped {source.invalid} invalid record(s)")
    return 0
