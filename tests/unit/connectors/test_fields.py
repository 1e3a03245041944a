"""The JSON helpers every platform client and mapping reads responses with (``connectors/fields.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.errors import MappingError
from connectors.fields import before, dig, items, later, required, required_time

SINCE = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def test_items_and_dig_read_what_is_there_and_nothing_else() -> None:
    body = {"data": [{"id": "1"}, "noise", {"id": "2"}], "paging": {"next": "https://n"}}
    assert items(body, "data") == [{"id": "1"}, {"id": "2"}]
    assert items([{"id": "3"}], None) == [{"id": "3"}] and items(None, "data") == []
    assert dig(body, ("paging", "next")) == "https://n"
    assert dig(body, ("paging", "next", "deeper")) is None and dig(None, ("a",)) is None


@pytest.mark.parametrize("value, older", [
    ("2026-11-16T11:59:59Z", True),
    ("2026-11-16T11:59:59+0000", True),  # Graph's offset form
    ("2026-11-16T12:00:00+00:00", False),  # not strictly older
    (datetime(2026, 11, 16, 11, tzinfo=UTC), True),
    (None, False),  # missing: kept, the mapping decides
    ("yesterday", False),
    ("2026-11-16T11:00:00", False),  # no offset: not a usable time
])
def test_before_compares_timestamps_and_keeps_what_it_cannot_read(value: object, older: bool) -> None:
    assert before(value, SINCE) is older


def test_before_reads_with_a_platforms_own_parser() -> None:
    def epoch(value: object) -> datetime | None:
        return datetime.fromtimestamp(value, UTC) if isinstance(value, int) else None

    assert before(int(SINCE.timestamp()) - 1, SINCE, epoch)
    assert not before(int(SINCE.timestamp()), SINCE, epoch)


def test_later_keeps_the_newer_time_as_iso_text() -> None:
    assert later(None, "2026-11-16T08:00:00+0000") == "2026-11-16T08:00:00+00:00"
    assert later("2026-11-16T09:00:00+00:00", "2026-11-16T08:00:00Z") == "2026-11-16T09:00:00+00:00"
    assert later("2026-11-16T09:00:00+00:00", SINCE) == SINCE.isoformat()
    assert later("2026-11-16T09:00:00+00:00", "garbage") == "2026-11-16T09:00:00+00:00"


def test_required_fields_name_the_field_and_never_the_value() -> None:
    assert required("abc", "payload.id") == "abc"
    with pytest.raises(MappingError) as info:
        required("", "payload.id")
    assert (info.value.code, info.value.reason) == ("schema_violation", "payload.id: missing or not a string")
    assert required_time("2026-11-16T12:00:00Z", "payload.created_at") == SINCE
    with pytest.raises(MappingError, match=r"^payload.created_at: missing or not an ISO 8601 timestamp$") as info:
        required_time("16.11.2026 Kari", "payload.created_at", "an ISO 8601 timestamp")
    assert "Kari" not in info.value.reason
