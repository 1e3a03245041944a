"""Freshness: a signed webhook delivery → visible on the open list page, through ``/api/events``.

Everything runs as in production, each in its own process on the embedded broker: ``innboks webhook``
(Meta's signed deliveries into ``innboks.raw``), ``innboks worker`` (normalize, triage, the SLA clock's
``opened``), ``innboks store project`` (the topics into a SQLite store, with the change feed) and
``innboks inbox`` (the web app). A client reads ``/api/events`` as a browser's EventSource does and,
like ``list.js``, fetches the list's rows 0.3 s after an ``inquiry`` event (one fetch at a time); an
inquiry is *visible* when a fetched list holds its row. Measured from the start of each delivery's
POST:

1. steady: 10 deliveries a second (``BENCH_FRESHNESS_SECONDS``, default 30 s), p50 and p99;
2. a burst of 1,000 deliveries (``BENCH_FRESHNESS_BURST``) posted by 8 senders at once: p50, p99
   and the last one's.

Target: p99 ≤ 2 s at 10 msg/s. The list page is loaded with ``limit=1000``; the burst's inquiries are
due with the steady ones and come first by id, so every one of them is on it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from innboks.db.engine import open_store
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.processes import ManagedProcess, worker_process
from innboks.web.users import add_user
from tests.conftest import wait_http_ok
from tests.helpers import PAGE_ID

RATE = 10.0
SECONDS = float(os.environ.get("BENCH_FRESHNESS_SECONDS", "30"))
BURST = int(os.environ.get("BENCH_FRESHNESS_BURST", "1000"))
SENDERS = 8
SECRET = "bench-secret"
PASSWORD = "bench-passord-123"
AUTH = "Basic " + b64encode(f"bench:{PASSWORD}".encode()).decode()
#: list.js waits this long after an event before it fetches the rows.
DEBOUNCE = 0.3
ROW = re.compile(r'data-inquiry="([^"]+)"')


def delivery(comment_id: str, created: int) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": created, "changes": [
        {"field": "feed", "value": {"from": {"id": f"77{comment_id[-6:]}", "name": "Kari Nordmann"},
                                    "post_id": f"{PAGE_ID}_1", "comment_id": comment_id,
                                    "parent_id": f"{PAGE_ID}_1", "item": "comment", "verb": "add",
                                    "created_time": created,
                                    "message": f"Når blir veien ved nummer {comment_id[-4:]} brøytet?"}}]}]}).encode()


class Page(threading.Thread):
    """The open list page: follows /api/events and fetches the rows as list.js does."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.seen: dict[str, float] = {}
        self.events = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._fetcher, daemon=True).start()

    def run(self) -> None:
        last = ""
        while not self._stop.is_set():  # a stream ends after a while; EventSource reconnects at once
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            connection.request("GET", "/api/events", headers={"Authorization": AUTH, "Accept": "text/event-stream",
                                                              **({"Last-Event-ID": last} if last else {})})
            for raw in connection.getresponse():
                if self._stop.is_set():
                    return
                if raw.startswith(b"id: "):
                    last = raw[4:].decode().strip()
                elif raw.startswith(b"event: inquiry"):
                    self.events += 1
                    self._wake.set()
            connection.close()

    def _fetcher(self) -> None:
        while not self._stop.is_set():
            if not self._wake.wait(0.5):
                continue
            time.sleep(DEBOUNCE)
            self._wake.clear()
            request = urllib.request.Request(f"http://127.0.0.1:{self.port}/?fragment=rows&limit=1000",
                                             headers={"Authorization": AUTH})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    html = answer.read().decode()
            except OSError:
                if self._stop.is_set():
                    return  # the inbox stopped before this page did
                raise
            now = time.monotonic()
            with self._lock:
                for inquiry_id in ROW.findall(html):
                    self.seen.setdefault(inquiry_id, now)

    def visible(self, inquiry_id: str) -> float | None:
        with self._lock:
            return self.seen.get(inquiry_id)

    def stop(self) -> None:
        self._stop.set()


def post(port: int, body: bytes) -> None:
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/meta", data=body, method="POST",
                                     headers={"X-Hub-Signature-256": signature})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def wait_visible(page: Page, sent: dict[str, float], timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(page.visible(i) is None for i in sent):
        time.sleep(0.05)
    return {i: page.visible(i) - at for i, at in sent.items() if page.visible(i) is not None}  # type: ignore[operator]


def quantiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-freshness-"))
    store = f"sqlite:///{workdir / 'store.db'}"
    open_store(store).dispose()
    engine = open_store(store)
    add_user(engine, "bench", "operator", PASSWORD, actor="system:bench")
    engine.dispose()
    processes: list[ManagedProcess] = []
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        create_topics(broker.bootstrap_servers, 6, 1)
        env = {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, "INNBOKS_STORE_URL": store,
               "INNBOKS_META_APP_SECRET": SECRET, "INNBOKS_META_VERIFY_TOKEN": "v", "PYTHONUNBUFFERED": "1"}
        webhook_port, inbox_port, metrics_port = free_port(), free_port(), free_port()
        try:
            processes.append(worker_process(broker.bootstrap_servers, workdir / "data", metrics_port,
                                            workdir / "worker.log", {"INNBOKS_TOPIC_PARTITIONS": "6"}).start())
            for name, args in (("webhook", ["webhook", "--host", "127.0.0.1", "--port", str(webhook_port)]),
                               ("projection", ["store", "project"]),
                               ("inbox", ["inbox", "--host", "127.0.0.1", "--port", str(inbox_port)])):
                processes.append(ManagedProcess([sys.executable, "-m", "innboks", *args], {**os.environ, **env},
                                                workdir / f"{name}.log").start())
            wait_http_ok(f"http://127.0.0.1:{metrics_port}/metrics", 60, processes[0])
            wait_http_ok(f"http://127.0.0.1:{webhook_port}/healthz", 30, processes[1])
            wait_http_ok(f"http://127.0.0.1:{inbox_port}/healthz", 30, processes[3])
            page = Page(inbox_port)
            page.start()
            created = int(time.time()) - 60
            # Warm-up: until one delivery is visible end to end (the worker joins its group first).
            warm = {"facebook:9_warmup": time.monotonic()}
            post(webhook_port, delivery("9_warmup", created))
            if not wait_visible(page, warm, 120):
                raise SystemExit(f"freshness: nothing became visible in 120 s; logs in {workdir}")

            steady: dict[str, float] = {}
            started = time.monotonic()
            for i in range(int(SECONDS * RATE)):
                time.sleep(max(0.0, started + i / RATE - time.monotonic()))
                comment_id = f"9_1{i:06d}"
                steady[f"facebook:{comment_id}"] = time.monotonic()
                post(webhook_port, delivery(comment_id, created))
            steady_seen = wait_visible(page, steady, 60)

            burst: dict[str, float] = {}
            # Due at the same time as the steady ones and first by id ("9_0…" < "9_1…"): all on the page.
            bodies = [(f"9_0{i:06d}", delivery(f"9_0{i:06d}", created)) for i in range(BURST)]

            def send(item: tuple[str, bytes]) -> None:
                burst[f"facebook:{item[0]}"] = time.monotonic()
                post(webhook_port, item[1])

            burst_started = time.monotonic()
            with ThreadPoolExecutor(SENDERS) as senders:
                list(senders.map(send, bodies))
            posted = time.monotonic() - burst_started
            burst_seen = wait_visible(page, burst, 300)
            page.stop()
        finally:
            for process in reversed(processes):
                process.stop()
    last = max(burst, key=lambda i: burst[i])
    print(f"{'freshness steady (10/s): visible':<44} {len(steady_seen):>10,} of {len(steady):,}")
    if steady_seen:
        p50, p99 = quantiles(list(steady_seen.values()))
        print(f"{'  delivery → list via SSE p50 / p99':<44} {p50 * 1000:>10.0f} / {p99 * 1000:.0f} ms"
              f"   (target p99 ≤ 2000 ms: {'met' if p99 <= 2.0 else 'NOT MET'})")
    print(f"{f'freshness burst ({BURST:,}, posted in {posted:.1f} s): visible':<44} {len(burst_seen):>10,} of "
          f"{len(burst):,}")
    if burst_seen:
        p50, p99 = quantiles(list(burst_seen.values()))
        print(f"{'  delivery → list via SSE p50 / p99':<44} {p50:>10.2f} / {p99:.2f} s")
        print(f"{'  the last delivery → list':<44} {burst_seen.get(last, float('nan')):>10.2f} s")
