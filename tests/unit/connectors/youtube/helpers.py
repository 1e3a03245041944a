"""What the YouTube mapping and client tests share: the ids and times of the recorded responses
(tests/fixtures/youtube) and how they are loaded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakeapi import load

CHANNEL = "UCa1b2c3d4e5f6g7h8i9j0kL"
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
KARI_THREAD = "UgxKq7Vb3nR9sLm2pQt4AaABAg"
SIGRID_THREAD = "UgzS1gR3kP9dW4xE7nLqAaABAg"
OUR_ANSWER_TO_SIGRID = f"{SIGRID_THREAD}.AQm6Vb9Nm2Qw5Er8Ty1Ui4"


def fixture(name: str) -> Any:
    return load(f"youtube/{name}.json")
