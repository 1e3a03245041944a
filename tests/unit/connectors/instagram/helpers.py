"""What the Instagram mapping and client tests share: the ids and times of the recorded responses
(tests/fixtures/instagram) and how they are loaded."""

from __future__ import annotations

from typing import Any

from tests.fakeapi import load

IG_USER = "17841400000000001"
USERNAME = "altakommune"
MEDIA_A, MEDIA_B, MEDIA_C, MEDIA_D = "17990123456789012", "17990123456789013", "17990123456789014", "17990123456789015"
C1, C2, C3, C4, C5 = (f"1804000000000000{i}" for i in range(1, 6))
R1, R2, R3, R4 = "18040000000000011", "18040000000000012", "18040000000000013", "18040000000000014"
CITIZEN_IGSID = "6543210987654321"
CONV1 = load("instagram/conversations.json")["data"][0]["id"]


def fixture(name: str) -> Any:
    return load(f"instagram/{name}.json")
