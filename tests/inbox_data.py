"""Building a store with inquiries for the inbox tests (through the real projection)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from connectors import mapping
from innboks.config import topics
from innboks.config.accounts import Account, Registry
from innboks.db.schema import inquiries
from innboks.store.projection import apply
from schemas import (
    Category,
    EscalationReason,
    Language,
    ModerationReason,
    PiiFinding,
    PiiType,
    Platform,
    SlaEvent,
    SlaState,
    Triage,
    TriagedMessage,
)
from streams.normalize.process import normalize_raw
from tests.helpers import PAGE_ID, facebook_comment_raw

OTHER_PAGE = "999000111"


def registry() -> Registry:
    return Registry(accounts=[
        Account(platform=Platform.FACEBOOK, account_id=PAGE_ID, name="Alta kommune", owning_unit="Kommunikasjon"),
        Account(platform=Platform.FACEBOOK, account_id=OTHER_PAGE, name="Alta bibliotek", owning_unit="Kultur"),
    ])


def add_inquiry(connection: sa.Connection, native: str, text: str, due_in_hours: float, category: Category,
                *, account: str = PAGE_ID, escalate: list[EscalationReason] | None = None,
                moderation: list[ModerationReason] | None = None, now: datetime | None = None,
                pii: bool = False) -> str:
    """A citizen's comment, its triage and an opened SLA clock; returns the message id."""
    now = now or datetime.now(UTC)
    raw = facebook_comment_raw(native, text, mapped=False, account=account)
    raw.payload["permalink_url"] = f"https://www.facebook.com/{account}/posts/{native}"
    msg = normalize_raw(mapping.mapped(raw).to_json_bytes()).inbox_message()
    triage = Triage(category=category, language=Language.BOKMAL, suggested_reply="Takk for meldingen!",
                    escalate=bool(escalate), escalation_reasons=escalate or [], moderation=moderation or [],
                    rules=["test.rule"], pii=[PiiFinding(type=PiiType.FODSELSNUMMER, start=0, end=11)] if pii else [])
    apply(connection, topics.TRIAGED, TriagedMessage(message=msg, triage=triage, triaged_at=now).to_json_bytes())
    event = SlaEvent(event_id=f"{msg.id}:opened", inquiry_id=msg.id, conversation_key=msg.key,
                     account_id=msg.account_id, platform=msg.platform, policy="standard",
                     received_at=now - timedelta(hours=1), due_at=now + timedelta(hours=due_in_hours),
                     state=SlaState.OPENED, emitted_at=now)
    apply(connection, topics.SLA, event.to_json_bytes())
    return msg.id


def answer(connection: sa.Connection, inquiry_id: str) -> None:
    """Our reply arrived: the SLA clock says answered."""
    row = connection.execute(sa.select(inquiries.c.conversation_key, inquiries.c.account_id)
                             .where(inquiries.c.inquiry_id == inquiry_id)).one()
    now = datetime.now(UTC)
    event = SlaEvent(event_id=f"{inquiry_id}:answered", inquiry_id=inquiry_id, conversation_key=row.conversation_key,
                     account_id=row.account_id, platform=Platform.FACEBOOK, policy="standard",
                     received_at=now - timedelta(hours=1), due_at=now + timedelta(hours=5),
                     state=SlaState.ANSWERED, answered_at=now, response_seconds=3600.0, emitted_at=now)
    apply(connection, topics.SLA, event.to_json_bytes())


class ProjectingPublisher:
    """A publisher whose records reach the store at once, as the projection brings them back later."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.sent: list[tuple[str, bytes | None, bytes]] = []

    def send(self, topic: str, value: bytes, *, key: bytes | None) -> None:
        self.sent.append((topic, key, value))
        if topic in topics.PROJECTED_TOPICS:
            with self.engine.begin() as connection:
                apply(connection, topic, value, key)
