"""What the LinkedIn mapping and client tests share: the ids and times of the recorded responses
(tests/fixtures/linkedin) and how they are loaded."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from tests.fakeapi import load

ORG_ID = "10453127"
ORG = f"urn:li:organization:{ORG_ID}"
NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
P1 = "urn:li:share:7263450912345678848"
A1 = "urn:li:activity:7263450913005568000"
C1 = f"urn:li:comment:({A1},7263470000000000001)"
C2 = f"urn:li:comment:({A1},7263475000000000002)"


def fixture(name: str) -> dict[str, Any]:
    return copy.deepcopy(load(f"linkedin/{name}"))
