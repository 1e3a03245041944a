"""What the Facebook mapping and client tests share: the time they run at."""

from datetime import UTC, datetime

NOW = datetime(2026, 11, 17, 12, tzinfo=UTC)
