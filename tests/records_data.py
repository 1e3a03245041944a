"""Building a store for the records tests: Facebook webhook changes through the real projection, raw items too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from innboks.config import topics
from innboks.store.projection import apply
from schemas import Platform, RawEvent, TriagedMessage
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
    """A ``feed`` webhook change of a comment (add, edited, hide, remove), seen at ``at``."""
    value: dict = {"from": {"id": author_id, "name": author}, "post_id": f"{account}_9",
                   "created_time": int((created or at).timestamp()), "item": "comment", "verb": verb,
                   "comment_id": comment_id, "parent_id": parent or f"{account}_9"}
    if text is not None:
        value["message"] = text
    return RawEvent(platform=Platform.FACEBOOK, account_id=account, resource="webhook:feed", payload=value,
                    fetched_at=at, source="webhook")


def project_raw(connection: sa.Connection, raw: RawEvent, raw_first: bool = True) -> str:
    """The raw item on ``innboks.raw`` and the message it becomes on ``innboks.messages``; the message id."""
    message = normalize_raw(raw.to_json_bytes())
    records = [(topics.RAW, raw.to_json_bytes()), (topics.MESSAGES, message.to_json_bytes())]
    for topic, value in records if raw_first else reversed(records):
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
