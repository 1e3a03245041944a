"""Raw bytes to NormalizedMessage, and the reasons given for what cannot be normalised."""

import json
from datetime import UTC, datetime

import pytest

from connectors import mapping
from innboks.domain.codec import InvalidPayload
from innboks.domain.deadletter import dead_letter
from schemas import InboxMessage, NormalizedMessage, Platform, RawEvent
from streams.normalize.process import NotAMessage, normalize_raw
from tests.helpers import PAGE_ID, facebook_comment_raw


def test_valid_raw_event_is_normalised_with_the_platform_item_beside_it() -> None:
    raw = facebook_comment_raw("1_100", "Hei")
    msg = normalize_raw(raw.to_json_bytes())
    assert msg.id == "facebook:1_100" and msg.text == "Hei"
    assert msg.raw is not None and msg.raw.payload == raw.payload and msg.raw.context == raw.context
    assert msg.raw.model_dump(mode="json") == {name: value for name, value in raw.model_dump(mode="json").items()
                                               if name not in ("message", "ignored", "rejected", "schema_version")
                                               } | {"schema_version": 1}
    # On the topic: the message and its item; read as an InboxMessage (triage), only the message.
    on_topic = msg.to_json_bytes()
    assert NormalizedMessage.model_validate_json(on_topic) == msg
    assert InboxMessage.model_validate_json(on_topic) == raw.message


def test_normalize_takes_the_connectors_mapping_as_it_is_and_maps_nothing() -> None:
    raw = facebook_comment_raw("1_100", "Hei")
    assert raw.message is not None
    carried = raw.model_copy(update={"message": raw.message.model_copy(update={"text": "as the connector mapped it"})})
    assert normalize_raw(carried.to_json_bytes()).text == "as the connector mapped it"


def test_a_raw_event_without_its_mapping_is_refused_as_unmapped() -> None:
    """Version 1 events (before the connectors mapped each item) are dead-lettered, not mapped here."""
    old = json.loads(facebook_comment_raw("1_100", "Hei", mapped=False).to_json_bytes())
    old["schema_version"] = 1
    for name in ("message", "ignored", "rejected"):
        del old[name]
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(json.dumps(old).encode())
    assert info.value.code == "unmapped" and "schema_version 1" in info.value.reason


def test_an_ignored_item_is_not_a_message() -> None:
    like = mapping.mapped(RawEvent(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource="webhook:feed",
                                   payload={"item": "reaction", "verb": "add"}, source="webhook",
                                   fetched_at=datetime(2026, 11, 16, tzinfo=UTC)))
    with pytest.raises(NotAMessage) as info:
        normalize_raw(like.to_json_bytes())
    assert (info.value.platform, info.value.resource) == ("facebook", "webhook:feed")


def test_a_mapped_message_of_another_account_is_refused() -> None:
    raw = facebook_comment_raw("1_100", "Hei")
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(raw.model_copy(update={"account_id": "someone-else"}).to_json_bytes())
    assert info.value.code == "schema_violation" and "another platform or account" in info.value.reason


def test_two_outcomes_at_once_are_a_schema_violation() -> None:
    data = json.loads(facebook_comment_raw("1_100", "Hei").to_json_bytes())
    data["ignored"] = "a like"
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(json.dumps(data).encode())
    assert info.value.code == "schema_violation"


@pytest.mark.parametrize("payload, code", [
    (b"\x00\x01 not json", "invalid_json"),
    (b'{"platform": "facebook"}', "schema_violation"),
    (b'{"platform": "myspace", "account_id": "1", "resource": "comment", "payload": {}, '
     b'"fetched_at": "2026-11-16T09:00:00Z"}', "schema_violation"),
    (None, "empty_payload"),
])
def test_invalid_payloads_get_a_reason_code(payload: bytes | None, code: str) -> None:
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(payload)
    assert info.value.code == code


def test_mapping_errors_carry_their_code() -> None:
    raw = facebook_comment_raw("1_100", "Hei", mapped=False)
    rejected = mapping.mapped(raw.model_copy(update={"payload": {**raw.payload, "created_time": "yesterday"}}))
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(rejected.to_json_bytes())
    assert info.value.code == "schema_violation"
    assert info.value.reason.startswith("facebook comment: ") and "created_time" in info.value.reason


def test_reasons_never_echo_the_content() -> None:
    secret = "Kari Nordmann 15057812378"
    raw = facebook_comment_raw("1_100", secret, mapped=False)
    rejected = json.loads(mapping.mapped(raw.model_copy(update={"payload": {**raw.payload, "created_time": secret}}))
                          .to_json_bytes())
    data = json.loads(facebook_comment_raw("1_100", secret).to_json_bytes())
    data["fetched_at"] = secret  # an invalid value that is personal data
    data["message"]["created_at"] = secret
    for payload in (json.dumps(rejected).encode(), json.dumps(data).encode(),
                    json.dumps({**data, "platform": secret}).encode()):
        with pytest.raises(InvalidPayload) as info:
            normalize_raw(payload)
        assert "15057812378" not in info.value.reason and "Kari" not in info.value.reason


def test_dead_letter_keeps_the_original_bytes() -> None:
    letter = dead_letter(stage="normalize", reason_code="invalid_json", reason="x", source_topic="innboks.raw",
                         payload=b"\xff\xfe", key=b"k", partition=2, offset=7,
                         now=__import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC))
    assert letter.payload_encoding == "base64" and letter.payload == "//4="
    assert (letter.source_partition, letter.source_offset, letter.key) == (2, 7, "k")


def test_dead_letter_of_an_oversized_record_is_cut_with_size_and_digest() -> None:
    import hashlib
    from datetime import UTC, datetime

    raw = ("æ" * 600_000).encode()  # 1.2 MB, two bytes per character
    letter = dead_letter(stage="normalize", reason_code="too_large", reason="x", source_topic="innboks.raw",
                         payload=raw, key=b"k" * 5000, partition=0, offset=1, now=datetime(2026, 1, 1, tzinfo=UTC),
                         max_payload_bytes=65_537)
    assert letter.payload_truncated and letter.payload_size == len(raw)
    assert letter.payload_sha256 == hashlib.sha256(raw).hexdigest()
    # The cut fell inside a character: the text up to it is kept, still as UTF-8.
    assert letter.payload_encoding == "utf-8" and letter.payload == "æ" * 32_768
    assert len(letter.key or "") == 1024
    assert len(letter.to_json_bytes()) < 100_000


@pytest.mark.parametrize("payload, code", [
    (b"", "empty_payload"),
    (b"[" * 5000 + b"]" * 5000, "too_deep"),
    (b'{"x": "' + b"a" * (600 * 1024) + b'"}', "too_large"),
    (b"\xff\xfe not utf-8", "invalid_json"),
])
def test_what_normalize_refuses_has_a_clear_reason(payload, code) -> None:
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(payload)
    assert info.value.code == code


def test_a_text_longer_than_the_platform_allows_is_refused() -> None:
    assert normalize_raw(facebook_comment_raw("1_1", "a" * 63_206).to_json_bytes()).text
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(facebook_comment_raw("1_1", "a" * 63_207).to_json_bytes())
    assert info.value.code == "text_too_long" and "63207" in info.value.reason
