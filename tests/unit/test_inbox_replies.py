"""The reply check in the inbox (SQLite and PostgreSQL): POST /api/replies/check, a reply with personal
data refused, saved replies checked when saved, and the admins' Fakta page (validated, checked, published,
audited)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from innboks.config import topics
from innboks.config.accounts import Account, Registry
from innboks.config.facts import DEFAULT_FACTS_PATH
from innboks.db.engine import open_store
from innboks.db.schema import audit_log
from innboks.store.projection import apply
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import CRISIS_KEY, FACTS_KEY, Category, ControlEvent, FactsEvent, Platform
from tests.helpers import RecordingPublisher
from tests.inbox_data import OTHER_PAGE, PAGE_ID, add_inquiry

PASSWORD = "hemmelig-passord"
ALTA = DEFAULT_FACTS_PATH.read_text(encoding="utf-8")


@pytest.fixture()
def client(store_url):
    engine = open_store(store_url)
    with engine.begin() as connection:
        ids = [add_inquiry(connection, "1_400", "Når blir veien vår brøytet?", 5, Category.GENERAL_QUESTION),
               add_inquiry(connection, "1_401", "Er biblioteket åpent i dag?", 5, Category.GENERAL_QUESTION,
                           account=OTHER_PAGE)]
    for name, role in (("kari", "operator"), ("lars", "reader"), ("anne", "admin")):
        add_user(engine, name, role, PASSWORD)
    registry = Registry(accounts=[
        Account(platform=Platform.FACEBOOK, account_id=PAGE_ID, name="Alta kommune", owning_unit="Kommunikasjon",
                crisis_channel=True),
        Account(platform=Platform.FACEBOOK, account_id=OTHER_PAGE, name="Alta bibliotek", owning_unit="Kultur"),
    ])
    publisher = RecordingPublisher()
    test_client = TestClient(create_app(engine, registry, AuthConfig(secret_key="test-key"), publisher))
    test_client.auth = ("kari", PASSWORD)
    test_client.engine, test_client.ids, test_client.publisher = engine, ids, publisher
    yield test_client
    engine.dispose()


def codes(answer: dict) -> list[str]:
    return [warning["code"] for warning in answer["warnings"]]


def test_a_draft_is_checked_in_the_citizens_written_standard(client) -> None:
    nynorsk = "Hei! Vi brøyter vegen din i løpet av veka, og dei tek bustadfelta etter hovudvegane."
    plain = client.post("/api/replies/check", json={"text": nynorsk})
    assert plain.status_code == 200 and plain.json() == {"blocked": False, "warnings": [], "language": None}
    answer = client.post("/api/replies/check", json={"text": nynorsk, "message_id": client.ids[0]}).json()
    assert answer["language"] == "nb" and codes(answer) == ["language_mismatch"]
    blocked = client.post("/api/replies/check", json={"text": "Vi fant saken på 12038433154.",
                                                      "message_id": client.ids[0]}).json()
    assert blocked["blocked"] is True and codes(blocked) == ["personal_data"]
    assert client.post("/api/replies/check", json={"text": "Hei", "message_id": "facebook:nope"}).status_code == 404
    assert client.post("/api/replies/check", json={"text": 5}).status_code == 422
    client.auth = ("lars", PASSWORD)  # a reader may check (it changes nothing)
    assert client.post("/api/replies/check", json={"text": "Hei"}).status_code == 200


def test_in_crisis_a_reply_from_an_account_that_is_not_a_crisis_channel_is_warned(client) -> None:
    with client.engine.begin() as connection:
        event = ControlEvent(active=True, reason="flom", set_by="anne", at=datetime.now(UTC))
        apply(connection, topics.CONTROL, event.to_json_bytes(), CRISIS_KEY.encode())
    text = "Biblioteket har åpent som vanlig."
    library = client.post("/api/replies/check", json={"text": text, "message_id": client.ids[1]}).json()
    page = client.post("/api/replies/check", json={"text": text, "message_id": client.ids[0]}).json()
    assert codes(library) == ["crisis_channel"] and "facebook.com/altakommune" in library["warnings"][0]["message"]
    assert codes(page) == []


def test_a_reply_with_personal_data_is_refused_and_nothing_is_sent(client) -> None:
    refused = client.post(f"/api/messages/{client.ids[0]}/reply",
                          json={"text": "Hei! Vi ringte deg på 412 34 567, men du svarte ikke."})
    assert refused.status_code == 422
    body = refused.json()
    assert body["blocked"] is True and codes(body)[0] == "personal_data"
    assert body["error"].startswith("Svaret kan ikke sendes") and "412" not in body["error"]
    assert client.publisher.sent == []
    sent = client.post(f"/api/messages/{client.ids[0]}/reply",
                       json={"text": "Hei! Det står jo tydelig på nettsiden. Ring oss på 78 45 50 00."})
    assert sent.status_code == 202  # only personal data stops a reply; the other codes are advice
    assert [topic for topic, _, _ in client.publisher.sent] == [topics.ACTIONS]


def test_a_saved_reply_is_checked_when_it_is_saved(client) -> None:
    client.auth = ("anne", PASSWORD)
    created = client.post("/api/saved-replies", json={
        "title": "Mottatt", "language": "nb",
        "body": "Vi bekrefter herved mottak av din henvendelse. Vennlig hilsen {account_name}"})
    assert created.status_code == 201 and codes(created.json()) == ["plain_language"]
    refused = client.post("/api/saved-replies", json={
        "title": "Ring meg", "language": "nb", "body": "Ring meg på 934 56 789. Hilsen {account_name}"})
    assert refused.status_code == 422 and codes(refused.json()) == ["personal_data"]
    nynorsk = client.put(f"/api/saved-replies/{created.json()['id']}", json={
        "title": "Mottatt", "language": "nn", "body": "Takk for meldingen! Vi svarer så snart vi kan."})
    assert nynorsk.status_code == 200 and codes(nynorsk.json()) == ["language_mismatch"]
    names = [reply["title"] for reply in client.get("/api/saved-replies").json()]
    assert "Ring meg" not in names


def test_the_facts_page_is_for_administrators(client) -> None:
    assert client.get("/api/facts").status_code == 403
    client.auth = ("anne", PASSWORD)
    current = client.get("/api/facts").json()
    assert current["source"] == "file" and current["document"] == ALTA and "vann-og-avlop" in current["topics"]
    page = client.get("/fakta")
    assert page.status_code == 200
    assert 'aria-describedby="facts-help facts-status"' in page.text and 'aria-live="polite"' in page.text


def test_saving_facts_validates_checks_publishes_and_audits(client) -> None:
    client.auth = ("anne", PASSWORD)
    broken = client.put("/api/facts", json={"document": ALTA.replace('phone: "78 45 50 60"', 'phone: "ring oss"')})
    assert broken.status_code == 422
    line = next(i for i, text in enumerate(ALTA.splitlines(), start=1) if 'phone: "78 45 50 60"' in text)
    assert broken.json()["error"].startswith(f"Fakta:{line}: topics.0.on_call.phone:")
    private = ALTA.replace("sender du til postmottak@alta.kommune.no.\n      nn: Saker om vassmålar",
                           "sender du til ola.nordmann@gmail.com.\n      nn: Saker om vassmålar")
    assert private != ALTA
    refused = client.put("/api/facts", json={"document": private})
    assert refused.status_code == 422 and "personopplysninger" in refused.json()["error"]
    assert client.publisher.sent == []
    changed = ALTA.replace('phone: "78 45 50 60"', 'phone: "78 45 50 61"')
    saved = client.put("/api/facts", json={"document": changed})
    assert saved.status_code == 202 and saved.json()["warnings"] == []
    [(topic, key, value)] = client.publisher.sent
    event = FactsEvent.model_validate_json(value)
    assert (topic, key, event.document, event.set_by) == (topics.CONTROL, FACTS_KEY.encode(), changed, "anne")
    with client.engine.connect() as connection:
        entry = connection.execute(sa.select(audit_log).where(audit_log.c.action == "facts_save")).one()
    assert (entry.actor, entry.target) == ("anne", event.digest)
    assert "document" not in json.dumps(entry.details)
    with client.engine.begin() as connection:  # the projection brings it back from the control topic
        apply(connection, topics.CONTROL, value, key)
    current = client.get("/api/facts").json()
    assert current["source"] == "saved" and current["set_by"] == "anne" and current["digest"] == event.digest
    checked = client.post("/api/replies/check", json={"text": "Ring oss på 412 34 567 i kveld."}).json()
    assert checked["blocked"] is True  # a mobile number the registry does not list is still personal data
