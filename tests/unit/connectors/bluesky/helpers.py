"""What the Bluesky mapping and client tests share: the ids and times of the recorded responses
(tests/fixtures/bluesky) and how they are loaded."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from tests.fakeapi import load

US = "did:plc:i7bwvdtb3tvtlkcxl3gorbii"
INGRID = "did:plc:gaaphj6hr63ihpgioougwunq"
NILS = "did:plc:xmwnutv2eyp5rezaqdqcgn7k"
CONVO = "3mfcz7q4hkc2d"
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def notification(page: str, index: int) -> dict[str, Any]:
    return copy.deepcopy(load(f"bluesky/{page}.json")["notifications"][index])
