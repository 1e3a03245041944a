"""A killed worker is replaced by a new one with an empty data directory: nothing is lost.

The inquiries opened by the first worker live only in its table changelog; the replacement must
restore them and answer every one when the replies arrive. This also guards against the Faust
recovery race fixed in streams/transport.py (records skipped after a takeover).
"""

import os
import signal
import time
from pathlib import Path

import pytest

from innboks.config import topics
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from tests.conftest import start_named_worker
from tests.helpers import PAGE_ID, TopicReader, facebook_comment_raw, produce

pytestmark = pytest.mark.integration

INQUIRIES = 300
COMMIT_INTERVAL = 2.8  # Faust's broker_commit_interval
PARTITIONS = 6


def start_worker(bootstrap: str, workdir: Path, name: str):
    return start_named_worker(bootstrap, workdir, name, PARTITIONS)


def sla_states(reader: TopicReader) -> dict[str, set[str]]:
    states: dict[str, set[str]] = {}
    for event in reader.json_values(topics.SLA):
        states.setdefault(event["state"], set()).add(event["inquiry_id"])
    return states


def wait_states(reader: TopicReader, state: str, count: int, timeout: float) -> dict[str, set[str]]:
    deadline = time.monotonic() + timeout
    while True:
        states = sla_states(reader)
        if len(states.get(state, ())) >= count or time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def test_replacement_worker_restores_every_open_inquiry(tmp_path: Path) -> None:
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        reader = TopicReader(bootstrap)
        first = start_worker(bootstrap, tmp_path, "first")
        try:
            produce(bootstrap, topics.RAW, [
                (None, facebook_comment_raw(f"7_{i}", "Når åpner svømmehallen etter oppussingen?",
                                            created="2026-11-16T08:00:00+0000").to_json_bytes())
                for i in range(INQUIRIES)
            ])
            opened = wait_states(reader, "opened", INQUIRIES, 60).get("opened", set())
            assert len(opened) == INQUIRIES
            time.sleep(COMMIT_INTERVAL + 1)  # the worker has committed its input, as one killed in daily use
        finally:
            os.killpg(first.process.pid, signal.SIGKILL)  # no goodbye: no commit, no LeaveGroup
            first.process.wait()

        second = start_worker(bootstrap, tmp_path, "second")
        try:
            produce(bootstrap, topics.RAW, [
                (None, facebook_comment_raw(f"8_{i}", "Hei! Den åpner 1. desember.", author=PAGE_ID,
                                            parent=f"7_{i}", created="2026-11-16T09:00:00+0000").to_json_bytes())
                for i in range(INQUIRIES)
            ])
            answered = wait_states(reader, "answered", INQUIRIES, 120).get("answered", set())
        finally:
            second.stop()
        missing = sorted({f"facebook:7_{i}" for i in range(INQUIRIES)} - answered)
        assert missing == [], f"{len(missing)} inquiries not answered after the takeover; log {tmp_path}"
