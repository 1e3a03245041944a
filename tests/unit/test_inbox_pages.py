"""The inbox's pages in bokmål: the list with its badges and self-refreshing rows, a conversation, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.store.projection import apply
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category, ControlEvent, EscalationReason, Event, ModerationReason
from streams.normalize.process import normalize_raw
from tests.helpers import facebook_comment_raw
from tests.inbox_data import add_inquiry, registry

PASSWORD = "hemmelig-passord"


@pytest.fixture()
def client(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as connection:
        add_inquiry(connection, "1_500", "Byggesøknaden min har ikke fått svar, fnr 01010112345", -3,
                    Category.CASE_HANDLING, escalate=[EscalationReason.THREAT],
                    moderation=[ModerationReason.PERSONAL_ATTACK], pii=True)
        add_inquiry(connection, "1_501", "Når åpner svømmehallen?", 6, Category.GENERAL_QUESTION)
        edited = normalize_raw(facebook_comment_raw("1_501", "Når åpner svømmehallen igjen?").to_json_bytes())
        edited = edited.model_copy(update={"event": Event.EDITED, "fetched_at": edited.fetched_at + timedelta(1)})
        apply(connection, topics.MESSAGES, edited.to_json_bytes())
    add_user(engine, "kari", "operator", PASSWORD)
    add_user(engine, "lars", "reader", PASSWORD)
    test_client = TestClient(create_app(engine, registry(), AuthConfig(secret_key="k")))
    test_client.auth = ("kari", PASSWORD)
    test_client.engine = engine
    return test_client


def test_the_inbox_lists_with_badges_time_left_and_filters(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and '<html lang="nb">' in page.text
    text = page.text
    assert text.index("Byggesøknaden") < text.index("svømmehallen")  # most urgent first
    for expected in ("over fristen", "igjen", "Saksbehandling", "Eskalert: Trussel", "Personangrep",
                     "Personopplysninger", "Alta kommune", "Mest haster først", 'data-refresh="20"'):
        assert expected in text, expected
    rows = client.get("/?fragment=rows&category=general_question")
    assert rows.text.startswith('<tbody id="rows"') and "svømmehallen igjen" in rows.text \
        and "Byggesøknaden" not in rows.text


def test_a_conversation_shows_revisions_triage_suggestion_and_actions(client) -> None:
    key = client.get("/api/inquiries?category=general_question").json()[0]["conversation_key"]
    page = client.get(f"/samtale/{key}")
    assert page.status_code == 200
    for expected in ("svømmehallen igjen", "2 versjoner", "opprinnelig", "redigert", "Forslag til svar",
                     "Takk for meldingen!", "data-copy=", "Regler som slo til: test.rule", "Rett triage",
                     'id="assign"', "Åpne på Facebook", "Facebook tar høyst 8 000 tegn."):
        assert expected in page.text, expected
    reader = client.get(f"/samtale/{key}", auth=("lars", PASSWORD))
    assert "Rett triage" not in reader.text and 'id="assign"' not in reader.text


def test_the_crisis_banner_shows_while_crisis_mode_is_on(client) -> None:
    from datetime import UTC, datetime

    with client.engine.begin() as connection:
        event = ControlEvent(active=True, reason="Flom i Altaelva", set_by="anne", at=datetime.now(UTC))
        apply(connection, topics.CONTROL, event.to_json_bytes(), b"crisis")
    assert "Krisemodus er på." in client.get("/").text and "Flom i Altaelva" in client.get("/").text
    # On every page (#24, item 8: it was missing on /svarmaler), the conversation and an error page too.
    key = client.get("/api/inquiries").json()[0]["conversation_key"]
    for path in ("/svarmaler", f"/samtale/{key}", "/samtale/facebook:0:nothing"):
        page = client.get(path)
        assert "Krisemodus er på." in page.text and "Flom i Altaelva" in page.text, path


def test_error_pages_and_static_files(client) -> None:
    missing = client.get("/samtale/facebook:0:nothing")
    assert missing.status_code == 404 and "Fant ikke siden" in missing.text
    assert client.get("/?state=late").status_code == 422
    assert client.get("/static/inbox.js").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_saved_replies_page_lists_templates_and_offers_editing_to_admins(client) -> None:
    from innboks.inbox.saved_replies import seed_defaults
    from innboks.web.users import add_user

    seed_defaults(client.engine)
    page = client.get("/svarmaler")
    assert page.status_code == 200 and "Vi ser på saka" in page.text and "{account_name}" in page.text
    assert 'id="saved-reply-form"' not in page.text  # an operator reads them
    add_user(client.engine, "anne", "admin", PASSWORD)
    assert 'id="saved-reply-form"' in client.get("/svarmaler", auth=("anne", PASSWORD)).text
