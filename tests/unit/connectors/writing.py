"""What the writer tests of every platform share: a target message, a writer against the fake API, and
the checks that each writer classifies errors the same way (``failure_of``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.http import ApiClient
from connectors.writer import PlatformWriter
from schemas import InboxMessage, Kind, Platform
from tests.fakeapi import FakeApi

NOW = datetime(2026, 11, 17, 12, tzinfo=UTC)
TEXT = "Hei! Brøytebilen kommer til Kronstad før kl. 10. Mvh Alta kommune"


def target(platform: Platform, account_id: str, native_id: str, *, kind: Kind = Kind.COMMENT,
           conversation: str | None = None, parent: str | None = None, author: str | None = "4242",
           created: datetime = datetime(2026, 11, 17, 9, tzinfo=UTC), from_account: bool = False) -> InboxMessage:
    """A message to act on, as the inbox has it (what ``ActionEvent.target`` carries)."""
    return InboxMessage(
        id=f"{platform.value}:{native_id}", platform=platform, account_id=account_id, kind=kind,
        conversation_id=conversation or native_id, parent_id=parent, author_id=author, from_account=from_account,
        text="Når kommer brøytebilen?", created_at=created, fetched_at=NOW,
    )


def writer_for(cls: type[PlatformWriter], api: FakeApi, account_id: str, token: str = "t0ken",
               clock_at: datetime = NOW, **options: Any) -> PlatformWriter:
    """A writer whose client talks to ``api`` (``--base-url``), never sleeps, and whose clock stands still."""
    client = ApiClient(base_url=api.url, token=token, policy=cls.policy(), sleep=lambda _s: None,
                       clock=clock_at.timestamp)
    return cls(account_id, client, options=options, clock=lambda: clock_at)
