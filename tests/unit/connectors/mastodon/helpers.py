"""What the Mastodon mapping and client tests share: the ids and times of the recorded responses
(tests/fixtures/mastodon) and how they are loaded."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.fakeapi import load

ACCOUNT = "109307649335010765"  # @altakommune@snabelen.no
KARI, OLA, INGRID, PER = "109318822041559214", "109512003877120456", "110087452219804733", "111402775129035510"
NOW = datetime(2026, 11, 16, 13, 10, tzinfo=UTC)  # the first poll reaches back to 2026-11-09T13:10Z
NOTIFICATIONS = load("mastodon/notifications.json")
STATUSES = load("mastodon/statuses.json")
CONVERSATIONS = load("mastodon/conversations.json")
OUR_POST, OUR_REPLY_KARI, OUR_REPLY_OLA = STATUSES[2], STATUSES[1], STATUSES[0]
OLA_DM, KARI_MENTION, PER_MENTION = (n["status"] for n in NOTIFICATIONS[:3])
INGRID_DM = CONVERSATIONS[0]["last_status"]
