"""The SLA processor on the embedded broker: warnings and breaches from the timer, and a worker killed
with open inquiries is replaced without losing any and without emitting a breach twice.

The account's policy has a target of a few seconds on an always-open calendar, so the clocks run
out while the test watches: group A falls due while the first worker runs, group B only after it
has been killed (SIGKILL: no commit, no goodbye) and a replacement with an empty data directory
has restored the clock table from its changelog.
"""

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from innboks.config import topics
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker
from tests.conftest import start_named_worker
from tests.helpers import PAGE_ID, TopicReader, facebook_comment_raw, produce

pytestmark = pytest.mark.integration

PARTITIONS = 3
PER_GROUP = 60
TARGET = 8.0  # seconds; warning at half of it
COMMIT_INTERVAL = 2.8  # Faust's broker_commit_interval

ACCOUNTS = f"""\
version: 1
sla:
  policies:
    quick: {{target: {TARGET}s, calendar: always, warning_fraction: 0.5}}
accounts:
  - {{platform: facebook, account_id: "{PAGE_ID}", name: Alta kommune, owning_unit: Kommunikasjonsenheten,
     sla_policy: quick}}
"""


def start_worker(bootstrap: str, workdir: Path, name: str):
    return start_named_worker(bootstrap, workdir, name, PARTITIONS,
                              {"INNBOKS_ACCOUNTS_FILE": str(workdir / "accounts.yaml")})


def comments(group: str, created: datetime) -> list[tuple[None, bytes]]:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S+0000")
    return [(None, facebook_comment_raw(f"{group}_{i}", "Når kommer brøytebilen i Markveien?",
                                        created=stamp).to_json_bytes()) for i in range(PER_GROUP)]


def events_by_state(reader: TopicReader) -> dict[str, Counter[str]]:
    states: dict[str, Counter[str]] = {}
    for event in reader.json_values(topics.SLA):
        states.setdefault(event["state"], Counter())[event["inquiry_id"]] += 1
    return states


def wait_until(reader: TopicReader, state: str, ids: set[str], timeout: float) -> dict[str, Counter[str]]:
    deadline = time.monotonic() + timeout
    while True:
        states = events_by_state(reader)
        if ids <= set(states.get(state, {})) or time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def test_breaches_are_emitted_once_across_a_killed_worker(tmp_path: Path) -> None:
    (tmp_path / "accounts.yaml").write_text(ACCOUNTS, encoding="utf-8")
    group_a = {f"facebook:a_{i}" for i in range(PER_GROUP)}
    group_b = {f"facebook:b_{i}" for i in range(PER_GROUP)}
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker:
        bootstrap = broker.bootstrap_servers
        create_topics(bootstrap, PARTITIONS, 1)
        reader = TopicReader(bootstrap)
        first = start_worker(bootstrap, tmp_path, "first")
        try:
            now = datetime.now(UTC)
            produce(bootstrap, topics.RAW, comments("a", now - timedelta(seconds=2)) +
                    comments("b", now + timedelta(seconds=30)))
            states = wait_until(reader, "breached", group_a, 60)
            assert group_a <= set(states.get("breached", {})), f"group A not breached in time; log {tmp_path}"
            assert group_b <= set(states["opened"]) and not group_b & set(states.get("warning", {}))
            time.sleep(COMMIT_INTERVAL + 1)  # offsets and changelog are written, as in daily use
        finally:
            os.killpg(first.process.pid, signal.SIGKILL)
            first.process.wait()

        second = start_worker(bootstrap, tmp_path, "second")
        try:
            states = wait_until(reader, "breached", group_a | group_b, 90)
            alarms = [e for e in reader.json_values(topics.SLA) if e["state"] in ("warning", "breached")]
        finally:
            second.stop()
        report = subprocess.run(
            [sys.executable, "-m", "innboks", "sla", "report", "--since", (now - timedelta(days=1)).isoformat(),
             "--csv"],
            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                 "INNBOKS_ACCOUNTS_FILE": str(tmp_path / "accounts.yaml")},
            capture_output=True, text=True, timeout=60, check=False,
        )
    assert report.returncode == 0, report.stderr
    row = next(csv.DictReader(io.StringIO(report.stdout)))
    assert (row["account_name"], row["inquiries"], row["breaches"], row["open"]) == (
        "Alta kommune", str(2 * PER_GROUP), str(2 * PER_GROUP), str(2 * PER_GROUP))
    early = [e["event_id"] for e in alarms if e["state"] == "breached"
             and datetime.fromisoformat(e["emitted_at"]) < datetime.fromisoformat(e["due_at"])]
    assert early == [], "breached before the due time"
    assert set(states["breached"]) == group_a | group_b, f"inquiries lost in the takeover; log {tmp_path}"
    assert set(states["warning"]) == group_a | group_b
    twice = {state: [i for i, n in counts.items() if n > 1] for state, counts in states.items()}
    assert twice == {state: [] for state in states}, "an SLA event was emitted twice"
