"""Crisis mode end to end: the switch on innboks.control reaches the worker and changes triage and SLA."""

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from innboks.config import topics
from tests.helpers import facebook_comment_raw, produce
from tests.integration.test_commands import env, innboks

pytestmark = pytest.mark.integration


def wait_gauge(worker, value: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(rf"^innboks_crisis_mode {value}\.0$", worker.metrics(), re.M):
            return
        time.sleep(0.2)
    raise AssertionError(f"innboks_crisis_mode did not become {value}")


def test_crisis_on_escalates_and_gives_new_inquiries_the_crisis_policy_then_off_restores(broker, reader,
                                                                                          worker) -> None:
    kafka = env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers)
    # Open since two hours: not yet due under `standard` (7.5 business hours are at least 7.5 hours).
    # A crisis leaves it alone (it came before): it would be overdue at once under the crisis policy.
    waiting_id = f"5_{uuid.uuid4().int % 10**12}"
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    produce(broker.bootstrap_servers, topics.RAW, [(b"k", facebook_comment_raw(
        waiting_id, "Når blir veien åpnet igjen?", created=two_hours_ago).to_json_bytes())])
    before = reader.wait_for(topics.SLA, lambda e: e["inquiry_id"] == f"facebook:{waiting_id}")[0]
    assert (before["state"], before["policy"]) == ("opened", "standard")
    switched = innboks("crisis", "on", "--reason", "flom i Alta sentrum, kriseledelsen er satt", env=kafka)
    assert switched.returncode == 0, switched.stderr
    try:
        wait_gauge(worker, 1)
        status = innboks("crisis", "status", env=kafka)
        assert "crisis mode ON" in status.stdout and "flom i Alta sentrum" in status.stdout
        comment_id = f"5_{uuid.uuid4().int % 10**12}"
        produce(broker.bootstrap_servers, topics.RAW, [(b"k", facebook_comment_raw(
            comment_id, "Når åpner biblioteket igjen?", created="2026-11-21T10:00:00+0000").to_json_bytes())])
        escalated = reader.wait_for(topics.ESCALATIONS, lambda e: e["message"]["id"] == f"facebook:{comment_id}")
        assert "crisis" in escalated[0]["triage"]["escalation_reasons"]
        opened = reader.wait_for(topics.SLA, lambda e: e["inquiry_id"] == f"facebook:{comment_id}")[0]
        assert (opened["policy"], opened["normal_policy"]) == ("crisis", "standard")
        assert opened["due_at"].startswith("2026-11-21T11:00:00")  # one hour, on a Saturday
        # Its breach shows the timer has run during the crisis: the earlier inquiry was not moved.
        reader.wait_for(topics.SLA, lambda e: e["inquiry_id"] == f"facebook:{comment_id}" and e["state"] == "breached")
        earlier = [e for e in reader.json_values(topics.SLA) if e["inquiry_id"] == f"facebook:{waiting_id}"]
        assert [(e["state"], e["policy"]) for e in earlier] == [("opened", "standard")]
    finally:
        innboks("crisis", "off", "--reason", "vannet har trukket seg tilbake", env=kafka)
        wait_gauge(worker, 0)
    calm_id = f"5_{uuid.uuid4().int % 10**12}"
    produce(broker.bootstrap_servers, topics.RAW, [(b"k", facebook_comment_raw(
        calm_id, "Når åpner biblioteket igjen?", created="2026-11-21T10:00:00+0000").to_json_bytes())])
    opened = reader.wait_for(topics.SLA, lambda e: e["inquiry_id"] == f"facebook:{calm_id}")[0]
    assert opened["policy"] == "standard" and opened["normal_policy"] is None


def test_crisis_needs_a_reason() -> None:
    result = innboks("crisis", "on", env=env(KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1"))
    assert result.returncode == 1 and result.stderr.strip().endswith("--reason is required: say why crisis mode "
                                                                    "is switched")
