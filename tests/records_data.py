"""Building a store for the records tests: Facebook webhook changes through the real projection, raw items too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from connectors import mapping
from innboks.config import topics
from innboks.store.projection import apply
from schemas import Category, Language, Platform, RawEvent, Triage, TriagedMessage
from streams.normalize.process import normalize_raw
from tests.helpers import PAGE_ID
from tests.unit.connectors.archive.helpers import case_for

OTHER_PAGE = "999000111"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: A valid fødselsnummer (both check digits), as the archive tests use it.
FNR = "01010012356"


def feed(comment_id: str, verb: str, text: str | None, *, at: datetime, created: datetime | None = None,
         author: str = "Kari Nordmann", author_id: str = "4242", account: str = PAGE_ID,
         parent: str | None = None) -> RawEvent:
    """A ``feed`` webhook change of a comment (add, edited, hide, remove), seen at ``at``, as the webhook
    receiver produces it (with its mapping)."""
    value: dict = {"from": {"id": author_id, "name": author}, "post_id": f"{account}_9",
                   "created_time": int((created or at).timestamp()), "item": "comment", "verb": verb,
                   "comment_id": comment_id, "parent_id": parent or f"{account}_9"}
    if text is not None:
        value["message"] = text
    return mapping.mapped(RawEvent(platform=Platform.FACEBOOK, account_id=account, resource="webhook:feed",
                                   payload=value, fetched_at=at, source="webhook"))


def project_raw(connection: sa.Connection, raw: RawEvent, triage_first: bool = False) -> str:
    """The message a raw item becomes on ``innboks.messages`` (with the item), and for a new message its
    triage on ``innboks.triaged``, before it with ``triage_first``; the message id."""
    message = normalize_raw(raw.to_json_bytes())
    records = [(topics.MESSAGES, message.to_json_bytes())]
    if message.event.value == "created":
        triage = Triage(category=Category.GENERAL_QUESTION, language=Language.BOKMAL)
        records.append((topics.TRIAGED, TriagedMessage(message=message.inbox_message(), triage=triage,
                                                       triaged_at=message.fetched_at).to_json_bytes()))
    for topic, value in reversed(records) if triage_first else records:
        apply(connection, topic, value)
    return message.id


def comment(connection: sa.Connection, comment_id: str, text: str, at: datetime, **options: object) -> str:
    return project_raw(connection, feed(comment_id, "add", text, at=at, **options))  # type: ignore[arg-type]


def screened_case(connection: sa.Connection) -> str:
    """A citizen's inquiry with a fødselsnummer, triaged and forwarded as a screened case; its message id."""
    case = case_for(f"Jeg har søkt om byggetillatelse, saksnr 24/1234, fnr {FNR}. Når får jeg svar på byggesøknaden?")
    assert case.screening.screened
    triaged = TriagedMessage(message=case.inquiry, triage=case.triage, triaged_at=T0)
    apply(connection, topics.TRIAGED, triaged.to_json_bytes())
    apply(connection, topics.CASES, case.to_json_bytes())
    return case.inquiry.id


def days(n: float) -> timedelta:
    return timedelta(days=n)
