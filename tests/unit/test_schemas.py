import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from schemas import Category, InboxMessage, Language, PiiFinding, PiiType, Triage, conversation_key
from schemas.case import case_id_for
from schemas.generate import render, stale_files
from tests.helpers import message

VALID = {
    "schema_version": 1, "id": "facebook:1_2", "platform": "facebook", "account_id": "104857362918274",
    "kind": "comment", "event": "created", "conversation_id": "1_2", "parent_id": "1", "author_id": "4242",
    "author_name": "Kari", "from_account": False, "text": "Hei", "created_at": "2026-11-16T09:00:00+01:00",
    "permalink": None, "fetched_at": "2026-11-16T09:00:05Z",
}


def parse(**changes: object) -> InboxMessage:
    return InboxMessage.model_validate_json(json.dumps({**VALID, **changes}))


def test_valid_message_round_trips_and_normalises_to_utc() -> None:
    msg = parse()
    assert msg.created_at == datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    assert msg.created_at.utcoffset() == timedelta(0)
    assert InboxMessage.from_json_bytes(msg.to_json_bytes()) == msg
    assert msg.key == "facebook:104857362918274:1_2"


@pytest.mark.parametrize("field, value", [
    ("created_at", "2026-11-16T09:00:00"),  # naive
    ("platform", "myspace"),
    ("kind", "like"),
    ("event", "liked"),
    ("id", "instagram:1_2"),  # id must name its platform
    ("id", "facebook:"),
    ("from_account", "yes"),  # strict: no coercion of strings to booleans
    ("conversation_id", ""),
])
def test_invalid_messages_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        parse(**{field: value})


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    assert parse(new_field_from_a_newer_producer=1).id == "facebook:1_2"


def test_python_construction_requires_aware_datetimes() -> None:
    with pytest.raises(ValidationError):
        message("x", created="2026-11-16T09:00:00")


def test_offsets_other_than_utc_are_converted() -> None:
    msg = message("x", created="2026-07-01T10:00:00+02:00")
    assert msg.created_at == datetime(2026, 7, 1, 8, tzinfo=UTC)
    assert msg.created_at.utcoffset() == timedelta(0)


def test_triage_escalate_must_match_reasons() -> None:
    with pytest.raises(ValidationError):
        Triage(category=Category.OTHER, language=Language.BOKMAL, escalate=True)


def test_pii_span_must_be_non_empty() -> None:
    with pytest.raises(ValidationError):
        PiiFinding(type=PiiType.EMAIL, start=5, end=5)


def test_case_id_is_deterministic_and_distinct() -> None:
    assert case_id_for("facebook:1") == case_id_for("facebook:1")
    assert case_id_for("facebook:1") != case_id_for("facebook:2")


def test_conversation_key_rejects_unknown_platform() -> None:
    with pytest.raises(ValueError):
        conversation_key("myspace", "a", "b")


def test_committed_json_schemas_are_up_to_date() -> None:
    assert stale_files() == [], "run `make schemas` and commit schemas/jsonschema/"


def test_json_schema_names_the_contract_fields() -> None:
    schema = json.loads(render("InboxMessage"))
    for field in ("schema_version", "id", "platform", "account_id", "kind", "event", "conversation_id",
                  "parent_id", "author_id", "author_name", "from_account", "text", "created_at", "permalink",
                  "fetched_at"):
        assert field in schema["properties"], field
    sla = json.loads(render("SlaEvent"))
    for field in ("inquiry_id", "account_id", "platform", "policy", "received_at", "due_at", "state",
                  "answered_at", "response_seconds"):
        assert field in sla["properties"], field
