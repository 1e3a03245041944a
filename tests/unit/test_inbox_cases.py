"""GET /api/cases, the archive object on a conversation, the conversation page and the suggested reply
naming the saksnummer: the store's projection of innboks.archive-receipts as staff see it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.store.projection import apply
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import ArchiveError, ArchiveReceipt, ArchiveStatus, CaseForward, Category, Language, Screening, Triage
from schemas.case import case_id_for
from streams.normalize.process import normalize_raw
from tests.helpers import facebook_comment_raw
from tests.inbox_data import OTHER_PAGE, add_inquiry, registry

PASSWORD = "hemmelig-passord"
CASE_FIELDS = {"case_id", "conversation_key", "inquiry_id", "forwarded_at", "screened", "archive"}
ARCHIVE_FIELDS = {"status", "saksnummer", "journalpostnummer", "detail", "updated_at"}


def forward(connection, native: str, text: str, minutes: int, account: str | None = None,
            screened: bool = False) -> CaseForward:
    raw = facebook_comment_raw(native, text, account=account) if account else facebook_comment_raw(native, text)
    message = normalize_raw(raw.to_json_bytes())
    apply(connection, topics.MESSAGES, message.to_json_bytes())
    case = CaseForward(case_id=case_id_for(message.id), inquiry=message,
                       triage=Triage(category=Category.CASE_HANDLING, language=Language.BOKMAL),
                       screening=Screening(screened=screened), suggested_reply="Takk for meldingen!",
                       forwarded_at=datetime(2026, 11, 16, 9, tzinfo=UTC) + timedelta(minutes=minutes))
    apply(connection, topics.CASES, case.to_json_bytes())
    return case


def receipt(connection, case: CaseForward, status: str, attempt: int = 1, **fields) -> None:
    event = ArchiveReceipt(event_id=str(uuid.uuid4()), case_id=case.case_id, revision=0,
                           conversation_key=case.inquiry.key, inquiry_id=case.inquiry.id,
                           status=ArchiveStatus(status), attempt=attempt, at=datetime.now(UTC), **fields)
    apply(connection, topics.ARCHIVE_RECEIPTS, event.to_json_bytes())


@pytest.fixture()
def client(store_url):
    engine = open_store(store_url)
    with engine.begin() as connection:
        inquiry = add_inquiry(connection, "1_301", "Byggesøknaden min har ikke fått svar", 5, Category.CASE_HANDLING)
        archived = forward(connection, "1_301", "Byggesøknaden min har ikke fått svar", 0)
        receipt(connection, archived, "sent", melding_id="m1")
        receipt(connection, archived, "received")
        receipt(connection, archived, "archived", saksaar=2026, sakssekvensnummer=123, journalpostnummer=4)
        refused = forward(connection, "1_310", "Klage på vedtak", 5)
        receipt(connection, refused, "failed", error=ArchiveError(kind="ugyldigforespoersel", feil_id="f-1",
                                                                   message="ukjent arkivdel"))
        forward(connection, "1_320", "Søknad om plass i barnehagen", 10, account=OTHER_PAGE)
    for name, role, units in (("kari", "operator", ()), ("berit", "operator", ("Kultur",))):
        add_user(engine, name, role, PASSWORD, units)
    test_client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="test-key"), None))
    test_client.auth = ("kari", PASSWORD)
    test_client.inquiry = inquiry
    yield test_client
    engine.dispose()


def test_cases_newest_first_with_their_place_in_the_archive(client) -> None:
    response = client.get("/api/cases")
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "3"
    rows = response.json()
    assert [row["inquiry_id"] for row in rows] == ["facebook:1_320", "facebook:1_310", "facebook:1_301"]
    assert all(CASE_FIELDS <= row.keys() and ARCHIVE_FIELDS == row["archive"].keys() for row in rows)
    pending, refused, archived = (row["archive"] for row in rows)
    assert archived["status"] == "archived" and archived["saksnummer"] == "2026/123"
    assert archived["journalpostnummer"] == 4 and archived["detail"] == "Arkivert som sak 2026/123, journalpost 4"
    assert refused["status"] == "failed" and "ugyldigforespoersel: ukjent arkivdel" in refused["detail"]
    assert pending == {"status": "pending", "saksnummer": None, "journalpostnummer": None,
                       "detail": "Ikke sendt til arkivet ennå", "updated_at": None}
    assert client.get("/api/cases?limit=0").status_code == 422


def test_a_unit_limited_user_sees_only_its_accounts_cases(client) -> None:
    client.auth = ("berit", PASSWORD)
    assert [row["inquiry_id"] for row in client.get("/api/cases").json()] == ["facebook:1_320"]


def test_the_conversation_the_page_and_the_suggested_reply_name_the_saksnummer(client) -> None:
    key = client.get("/api/cases").json()[2]["conversation_key"]
    thread = client.get(f"/api/conversations/{key}").json()
    assert thread["archive"]["saksnummer"] == "2026/123" and thread["cases"][0]["archive"]["journalpostnummer"] == 4
    inquiry = next(i for i in client.get("/api/inquiries").json() if i["inquiry_id"] == client.inquiry)
    assert inquiry["suggested_reply"].startswith("Takk for meldingen!")
    assert "saksnummer 2026/123" in inquiry["suggested_reply"] and inquiry["saksnummer"] == "2026/123"
    page = client.get(f"/samtale/{key}")
    assert page.status_code == 200 and "Arkivert som sak 2026/123, journalpost 4" in page.text
    refused_key = client.get("/api/cases").json()[1]["conversation_key"]
    assert "Arkivet avviste saken (ugyldigforespoersel: ukjent arkivdel)" in client.get(f"/samtale/{refused_key}").text
