"""Fixtures: the embedded broker and a PostgreSQL server (one each per session), stores, a running worker."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from innboks.db.engine import open_store
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.processes import ManagedProcess, worker_process
from tests.helpers import TopicReader
from tests.postgres import PostgresServer

PARTITIONS = 3


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with EmbeddedBroker(log_path=log) as running:
        create_topics(running.bootstrap_servers, PARTITIONS, 1)
        yield running


@pytest.fixture(scope="session")
def reader(broker: EmbeddedBroker) -> TopicReader:
    return TopicReader(broker.bootstrap_servers)


def wait_http_ok(url: str, timeout: float, process: ManagedProcess | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.running:
            raise AssertionError(f"process exited with {process.returncode}; log: {process.log_path}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def start_named_worker(bootstrap: str, workdir: Path, name: str, partitions: int,
                       extra_env: dict[str, str] | None = None) -> ManagedProcess:
    """A worker with its own data directory and log in ``workdir``, once its metrics answer."""
    port = free_port()
    process = worker_process(bootstrap, workdir / f"data-{name}", port, workdir / f"{name}.log",
                             extra_env={"INNBOKS_TOPIC_PARTITIONS": str(partitions), **(extra_env or {})}).start()
    wait_http_ok(f"http://127.0.0.1:{port}/metrics", 60, process)
    process.metrics_url = f"http://127.0.0.1:{port}/metrics"  # type: ignore[attr-defined]
    return process


class RunningWorker:
    def __init__(self, process: ManagedProcess, metrics_url: str, log_path: Path) -> None:
        self.process = process
        self.metrics_url = metrics_url
        self.log_path = log_path

    def metrics(self) -> str:
        with urllib.request.urlopen(self.metrics_url, timeout=5) as response:
            return response.read().decode()


@pytest.fixture(scope="session")
def worker(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningWorker]:
    workdir = tmp_path_factory.mktemp("worker")
    port = free_port()
    process = worker_process(
        broker.bootstrap_servers, workdir / "data", port, workdir / "worker.log",
        extra_env={"INNBOKS_TOPIC_PARTITIONS": str(PARTITIONS), "INNBOKS_APP_ID": "innboks-test"},
    ).start()
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        wait_http_ok(url, 60, process)
        yield RunningWorker(process, url, workdir / "worker.log")
    finally:
        process.stop()


MIGRATED_TEMPLATE = "innboks_migrated"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server, with a template database already migrated to the newest schema."""
    server = PostgresServer().start()
    try:
        engine = open_store(server.create_database(MIGRATED_TEMPLATE))
        engine.dispose()
        yield server
    finally:
        server.stop()


_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store, once on SQLite (a file) and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database(f"store_{next(_databases)}", template=MIGRATED_TEMPLATE)
