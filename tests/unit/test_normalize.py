"""Raw bytes to InboxMessage, and the reasons given for what cannot be normalised."""

import json

import pytest

from innboks.domain.codec import InvalidPayload
from innboks.domain.deadletter import dead_letter
from streams.normalize.process import normalize_raw
from tests.helpers import facebook_comment_raw


def test_valid_raw_event_is_normalised() -> None:
    msg = normalize_raw(facebook_comment_raw("1_100", "Hei").to_json_bytes())
    assert msg.id == "facebook:1_100" and msg.text == "Hei"


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
    raw = facebook_comment_raw("1_100", "Hei")
    data = json.loads(raw.to_json_bytes())
    data["payload"]["created_time"] = "yesterday"
    with pytest.raises(InvalidPayload) as info:
        normalize_raw(json.dumps(data).encode())
    assert info.value.code == "schema_violation"
    assert "created_time" in info.value.reason


def test_reasons_never_echo_the_content() -> None:
    secret = "Kari Nordmann 15057812378"
    data = json.loads(facebook_comment_raw("1_100", secret).to_json_bytes())
    data["fetched_at"] = secret  # an invalid value that is personal data
    data["payload"]["created_time"] = secret
    for payload in (json.dumps(data).encode(), json.dumps({**data, "platform": secret}).encode()):
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
