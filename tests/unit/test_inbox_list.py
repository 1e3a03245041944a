"""The inbox's list (innboks/inbox/queries.py) on SQLite and PostgreSQL: escalated inquiries before all
others, then by due time, read from the partial index of the open ones in that order."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.domain.policies import STANDARD_POLICY
from innboks.inbox.queries import InquiryFilter, list_inquiries
from innboks.store.projection import apply
from innboks.web.users import User
from schemas import Category, EscalationReason, InboxMessage, Language, PiiFinding, PiiType, Triage, TriagedMessage
from tests.inbox_data import add_inquiry

KARI = User(username="kari", role="operator", units=[])


def listed(engine: sa.Engine, state: str = "open") -> list[dict]:
    return list_inquiries(engine, KARI, {}, {"standard": STANDARD_POLICY}, InquiryFilter(state=state))[0]


def test_escalated_inquiries_come_first_then_the_earliest_due(store_url) -> None:
    engine = open_store(store_url)
    with engine.begin() as connection:
        soon = add_inquiry(connection, "1_1", "Når brøytes veien?", 1, Category.GENERAL_QUESTION)
        late_escalated = add_inquiry(connection, "1_2", "Jeg er journalist i Altaposten", 40, Category.OTHER,
                                     escalate=[EscalationReason.MEDIA])
        overdue = add_inquiry(connection, "1_3", "Hallo?", -3, Category.OTHER, pii=True)
        escalated = add_inquiry(connection, "1_4", "Det brenner i skogen", 20, Category.OTHER,
                                escalate=[EscalationReason.EMERGENCY])
    rows = listed(engine)
    assert [r["message_id"] for r in rows] == [escalated, late_escalated, overdue, soon]
    assert [r["escalate"] for r in rows] == [True, True, False, False]
    assert rows[0]["escalation_reasons"] == ["emergency"] and rows[2]["personal_data"] and not rows[3]["personal_data"]
    assert rows[0]["moderation"] == [] and rows[2]["overdue"] and rows[2]["business_seconds_left"] < 0
    engine.dispose()


def test_a_follow_up_that_is_escalated_moves_its_inquiry_up(store_url) -> None:
    engine = open_store(store_url)
    with engine.begin() as connection:
        first = add_inquiry(connection, "1_1", "Hei", 10, Category.OTHER)
        other = add_inquiry(connection, "1_2", "Hei igjen", 2, Category.OTHER)
    assert [r["message_id"] for r in listed(engine)] == [other, first]
    message = InboxMessage.model_validate_json(_stored_message(engine, first))
    follow = message.model_copy(update={"id": "facebook:1_9", "created_at": datetime.now(UTC)})  # after it opened
    threat = Triage(category=Category.OTHER, language=Language.BOKMAL, escalate=True,
                    escalation_reasons=[EscalationReason.THREAT],
                    pii=[PiiFinding(type=PiiType.PHONE, start=0, end=3)])
    with engine.begin() as connection:
        apply(connection, topics.TRIAGED, TriagedMessage(message=follow, triage=threat, triaged_at=follow.fetched_at)
              .to_json_bytes())
    rows = listed(engine)
    assert [r["message_id"] for r in rows] == [follow.id, other]
    assert rows[0]["escalate"] and rows[0]["escalation_reasons"] == ["threat"] and rows[0]["personal_data"]
    engine.dispose()


def _stored_message(engine: sa.Engine, message_id: str) -> str:
    from innboks.db.schema import message_revisions

    with engine.connect() as connection:
        stored = connection.execute(sa.select(message_revisions.c.message)
                                    .where(message_revisions.c.message_id == message_id)).scalar_one()
    return json.dumps(stored)


def test_the_open_list_is_read_from_its_index(store_url) -> None:
    """The planner's choice, on SQLite after the sampled ANALYZE every opening of the store runs."""
    engine = open_store(store_url)
    with engine.begin() as connection:
        for n in range(60):
            add_inquiry(connection, f"1_{n}", "Hei", n % 7, Category.OTHER)
    engine.dispose()
    engine = open_store(store_url)
    captured: list[tuple[str, object]] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, params, context, many: captured.append((statement, params)))
    listed(engine)
    statement, params = next((s, p) for s, p in captured if s.lstrip().startswith("SELECT"))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = " ".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
        else:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):  # a tiny table: the index must
                connection.exec_driver_sql(f"SET {setting} = off")                   # give the order by itself
            plan = " ".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, params))
    engine.dispose()
    assert "ix_inquiries_open_order" in plan
    before_the_index = plan.split("ix_inquiries_open_order")[0]
    assert "TEMP B-TREE" not in plan and "Sort" not in before_the_index
