"""The embedded broker starts fast, answers the Kafka protocol, and never outlives its parent."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from innboks.kafka.broker import BrokerError, EmbeddedBroker, free_port, kafka_answers


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is not alive
        return stat.read().split()[2] != "Z"


def wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_start_answer_stop() -> None:
    with EmbeddedBroker() as broker:
        host, port = broker.bootstrap_servers.split(":")
        assert kafka_answers(host, int(port))
        pid = broker.pid
    assert pid is not None and wait_gone(pid)
    assert not kafka_answers(host, int(port))


def test_kafka_answers_is_false_on_a_closed_port() -> None:
    assert not kafka_answers("127.0.0.1", free_port(), timeout=0.3)


def test_busy_fixed_port_fails_clearly() -> None:
    with EmbeddedBroker() as first:
        port = int(first.bootstrap_servers.rsplit(":", 1)[1])
        with pytest.raises(BrokerError, match="already in use"):
            EmbeddedBroker(port=port, startup_timeout=2).start()


def test_stop_is_idempotent() -> None:
    broker = EmbeddedBroker().start()
    broker.stop()
    broker.stop()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_orphan_when_the_parent_dies(sig: signal.Signals) -> None:
    script = textwrap.dedent("""
        import sys, time
        from innboks.kafka.broker import EmbeddedBroker
        broker = EmbeddedBroker().start()
        print(broker.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        broker_pid = int(parent.stdout.readline())
        assert alive(broker_pid)
        parent.send_signal(sig)
        parent.wait(10)
        assert wait_gone(broker_pid), "broker outlived its parent"
    finally:
        parent.kill()
