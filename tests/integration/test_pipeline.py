"""The whole pipeline on the embedded broker: raw in, cases, SLA events, dead letters and metrics out."""

import re
import uuid

import pytest

from connectors import mapping
from innboks.config import topics
from schemas import RawEvent
from tests.helpers import PAGE_ID, facebook_comment_raw, produce

pytestmark = pytest.mark.integration


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().int % 10**12}"


def send_raw(broker, *events: RawEvent) -> None:
    produce(broker.bootstrap_servers, topics.RAW, [(b"k", event.to_json_bytes()) for event in events])


def test_case_handling_request_is_forwarded_once(broker, reader, worker) -> None:
    comment_id = unique("1_")
    raw = facebook_comment_raw(comment_id, "Hei! Jeg søkte om startlån i august, saksnr 24/5512. Når får jeg svar?")
    send_raw(broker, raw, raw)  # delivered twice, as after a connector crash
    cases = reader.wait_for(topics.CASES, lambda c: c["inquiry"]["id"] == f"facebook:{comment_id}")
    case = cases[0]
    assert case["triage"]["category"] == "case_handling"
    assert case["suggested_reply"] and "postmottak@alta.kommune.no" in case["suggested_reply"]
    assert case["schema_version"] == 1
    # the duplicate is processed too, but the case is not forwarded again
    reader.wait_for(topics.TRIAGED, lambda t: t["message"]["id"] == f"facebook:{comment_id}", count=2)
    assert len([c for c in reader.json_values(topics.CASES) if c["inquiry"]["id"] == f"facebook:{comment_id}"]) == 1


def test_inquiry_is_answered_by_our_reply_in_the_thread(broker, reader, worker) -> None:
    comment_id, reply_id = unique("2_"), unique("2_")
    question = facebook_comment_raw(comment_id, "Når er biblioteket åpent i romjula?",
                                    created="2026-11-17T09:00:00+0000")
    answer = facebook_comment_raw(reply_id, "Hei! Åpningstidene står på alta.kommune.no.", author=PAGE_ID,
                                  parent=comment_id, created="2026-11-17T10:30:00+0000")
    send_raw(broker, question, answer)
    events = reader.wait_for(topics.SLA, lambda e: e["inquiry_id"] == f"facebook:{comment_id}", count=2)
    states = {e["state"]: e for e in events}
    assert set(states) == {"opened", "answered"}
    assert states["opened"]["due_at"].startswith("2026-11-18T09:00:00")  # one business day later
    assert states["answered"]["response_seconds"] == 5400
    assert states["answered"]["answered_by"] == f"facebook:{reply_id}"


def test_bad_payloads_go_to_dead_letters_and_the_stream_continues(broker, reader, worker) -> None:
    marker = unique("bad-")
    good_id = unique("3_")
    fetched = facebook_comment_raw(unique("3_"), "Hei", mapped=False)
    broken = mapping.mapped(fetched.model_copy(update={"payload": {**fetched.payload, "created_time": "i går"}}))
    produce(broker.bootstrap_servers, topics.RAW, [
        (marker.encode(), b"{this is not json"),
        (marker.encode(), broken.to_json_bytes()),
        # Near 1 MB: over normalize's limit, and wrapped whole into a dead letter it would exceed the
        # producer's limit.
        (marker.encode(), b'{"text": "' + b"\\u0000" * 170_000),
        (b"k", facebook_comment_raw(good_id, "Takk for svar!").to_json_bytes()),
    ])
    letters = reader.wait_for(topics.DEADLETTER, lambda d: d["key"] == marker, count=3)
    assert sorted(d["reason_code"] for d in letters) == ["invalid_json", "schema_violation", "too_large"]
    [cut] = [d for d in letters if d["payload_truncated"]]
    assert cut["payload_size"] == 10 + 6 * 170_000 and len(cut["payload_sha256"]) == 64
    assert any("created_time" in d["reason"] for d in letters)
    assert any(d["payload"] == "{this is not json" for d in letters)
    reader.wait_for(topics.MESSAGES, lambda m: m["id"] == f"facebook:{good_id}")


def test_metrics_are_served_over_http(broker, reader, worker) -> None:
    comment_id = unique("4_")
    send_raw(broker, facebook_comment_raw(comment_id, "Jeg vil klage på vedtaket om eiendomsskatt"))
    reader.wait_for(topics.CASES, lambda c: c["inquiry"]["id"] == f"facebook:{comment_id}")
    text = worker.metrics()

    def value(pattern: str) -> float:
        match = re.search(pattern + r" ([0-9.e+]+)", text)
        assert match, f"{pattern} not in /metrics"
        return float(match.group(1))

    assert value(r'innboks_messages_total\{event="created",kind="comment",platform="facebook"\}') >= 1
    assert value(r'innboks_cases_forwarded_total\{platform="facebook"\}') >= 1
    assert value(r'innboks_triaged_total\{category="case_handling",platform="facebook"\}') >= 1
    assert "innboks_first_response_seconds_bucket" in text
    assert "innboks_inquiries_open" in text
    # no message text or names in metrics
    assert "eiendomsskatt" not in text and "Kari" not in text
