"""Commands against real processes: topics, poll, worker with its own broker, broker."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from innboks.config import topics
from innboks.demo.dataset import build_dataset
from innboks.demo.graph_api import GraphSimulator
from innboks.kafka.broker import EmbeddedBroker, free_port, kafka_answers
from tests.conftest import wait_http_ok
from tests.helpers import TopicReader
from tests.unit.test_broker import alive, wait_gone

pytestmark = pytest.mark.integration


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "INNBOKS_"))}
    return {**base, **extra}


def innboks(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "innboks", *args], capture_output=True, text=True, timeout=120,
                          **kwargs)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def test_topics_create_is_idempotent() -> None:
    with EmbeddedBroker() as broker:
        first = innboks("topics", "create", env=env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers))
        assert first.returncode == 0, first.stderr
        assert first.stdout.count("created") == len(topics.CATALOGUE)
        second = innboks("topics", "create", env=env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers))
        assert second.returncode == 0 and second.stdout.count("exists") == len(topics.CATALOGUE)
        drift = innboks("topics", "create", env=env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers,
                                                     INNBOKS_TOPIC_PARTITIONS="2"))
        assert drift.returncode == 1 and "drift" in drift.stdout


def test_topics_create_reports_an_unreachable_broker_in_one_line() -> None:
    result = innboks("topics", "create", env=env(KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}"))
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "could not create topics" in result.stderr


@pytest.fixture()
def simulator():
    sim = GraphSimulator(build_dataset(), inject_fault=True).start()
    yield sim
    sim.stop()


def test_poll_once_to_stdout_needs_no_broker(simulator: GraphSimulator) -> None:
    result = innboks("poll", "facebook", "--account", simulator.dataset.page_id, "--base-url", simulator.base_url,
                     "--token", "t", "--since", "2020-01-01T00:00:00Z", "--once", "--stdout", env=env())
    assert result.returncode == 0, result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(messages) == len(simulator.dataset.items)
    assert all(m["platform"] == "facebook" and m["account_id"] == simulator.dataset.page_id for m in messages)
    assert "created_time" in result.stderr  # the injected malformed item is reported, not printed
    assert "t" not in {m.get("text") for m in messages}


def test_poll_since_limits_the_first_poll(simulator: GraphSimulator) -> None:
    newest = max(i.created for i in simulator.dataset.items)
    result = innboks("poll", "facebook", "--account", simulator.dataset.page_id, "--base-url", simulator.base_url,
                     "--token", "t", "--since", newest.isoformat(), "--once", "--stdout", env=env())
    assert result.returncode == 0
    assert 0 < len(result.stdout.splitlines()) < len(simulator.dataset.items)


def test_poll_once_produces_to_kafka(broker, reader: TopicReader, simulator: GraphSimulator) -> None:
    before = len(reader.read(topics.RAW))
    result = innboks("poll", "facebook", "--account", simulator.dataset.page_id, "--base-url", simulator.base_url,
                     "--token", "t", "--since", "2020-01-01T00:00:00Z", "--once",
                     env=env(KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers))
    assert result.returncode == 0, result.stderr
    assert len(reader.read(topics.RAW)) - before == len(simulator.dataset.items) + 1


def test_poll_reports_api_errors_in_one_line(simulator: GraphSimulator) -> None:
    result = innboks("poll", "facebook", "--account", "999", "--base-url", simulator.base_url, "--token", "t",
                     "--once", "--stdout", env=env())
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "innboks poll: error: facebook 999: Graph error 100/33 from /v24.0/999/feed"]


def test_worker_without_kafka_runs_its_own_embedded_broker(tmp_path: Path) -> None:
    port = free_port()
    worker = subprocess.Popen(
        [sys.executable, "-m", "innboks", "worker"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=env(INNBOKS_METRICS_PORT=str(port), INNBOKS_METRICS_HOST="127.0.0.1", INNBOKS_DATA_DIR=str(tmp_path)),
    )
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/metrics", 60)
        brokers = [pid for pid in children(worker.pid) if "tansu" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(brokers) == 1 and alive(brokers[0])
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
        assert wait_gone(brokers[0])
        assert "embedded broker (Tansu, memory storage) on 127.0.0.1:" in worker.stderr.read()
    finally:
        worker.kill()


def test_broker_command_runs_until_terminated() -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "innboks", "broker", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
    try:
        first_line = process.stdout.readline()
        assert "listening" in first_line
        assert f"export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{port}" in process.stdout.readline()
        assert kafka_answers("127.0.0.1", port)
        busy = innboks("broker", "--port", str(port), env=env())
        assert busy.returncode == 1 and "already in use" in busy.stderr
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        time.sleep(0.2)
        assert not kafka_answers("127.0.0.1", port)
    finally:
        process.kill()
