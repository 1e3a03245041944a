"""The conversation store: projection throughput and the inbox's response time over a full store.

``BENCH_STORE_MESSAGES`` (default 100,000) citizen messages and our replies are projected the way
the projection consumer does it (``apply`` per record, one transaction per 1,000 records) into
SQLite and, where Debian's PostgreSQL is installed, into a throwaway PostgreSQL cluster. Then the
inbox is served by uvicorn and asked for its list page and ``/api/inquiries?state=open`` over HTTP.
Every 20th conversation is still open, so the open list holds about 2.5 % of the messages.
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
import uvicorn

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.db.schema import message_revisions
from innboks.kafka.broker import free_port
from innboks.store.projection import apply
from innboks.web.auth import AuthConfig
from innboks.web.users import add_user
from innboks.webapp import create_app
from schemas import Category, InboxMessage, Kind, Language, Platform, SlaEvent, SlaState, Triage, TriagedMessage
from tests.inbox_data import registry

MESSAGES = int(os.environ.get("BENCH_STORE_MESSAGES", "100000"))
REQUESTS = int(os.environ.get("BENCH_STORE_REQUESTS", "200"))
BATCH = 1000
PAGE = "104857362918274"
TEXTS = ["Når blir veien brøytet i Markveien?", "Hvor finner jeg skjema for startlån?",
         "Takk for god hjelp på servicetorget!", "Jeg søkte om byggetillatelse i august, når kommer svaret?"]


def records(total: int) -> Iterator[tuple[str, bytes]]:
    """(topic, value) as the topics carry them: a triaged question, its SLA clock, mostly our answer."""
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    conversations = total // 2
    for n in range(conversations):
        created = start + timedelta(minutes=7 * n)
        question = InboxMessage(id=f"facebook:q{n}", platform=Platform.FACEBOOK, account_id=PAGE, kind=Kind.COMMENT,
                                conversation_id=f"c{n}", author_id=f"u{n % 5000}", author_name=f"Innbygger {n % 5000}",
                                text=TEXTS[n % len(TEXTS)], created_at=created, fetched_at=created,
                                permalink=f"https://www.facebook.com/{PAGE}/posts/c{n}")
        triage = Triage(category=list(Category)[n % 4], language=Language.BOKMAL, rules=["bench"],
                        suggested_reply="Takk for meldingen!")
        yield topics.TRIAGED, TriagedMessage(message=question, triage=triage, triaged_at=created).to_json_bytes()
        clock = {"inquiry_id": question.id, "conversation_key": question.key, "account_id": PAGE,
                 "platform": Platform.FACEBOOK, "policy": "standard", "received_at": created,
                 "due_at": created + timedelta(days=1)}
        yield topics.SLA, SlaEvent(event_id=f"{question.id}:opened", state=SlaState.OPENED, emitted_at=created,
                                   **clock).to_json_bytes()
        if n % 20:
            answered = created + timedelta(hours=2)
            reply = question.model_copy(update={"id": f"facebook:a{n}", "from_account": True, "author_id": PAGE,
                                                "author_name": "Alta kommune", "created_at": answered,
                                                "fetched_at": answered, "text": "Hei! Se alta.kommune.no."})
            yield topics.MESSAGES, reply.to_json_bytes()
            yield topics.SLA, SlaEvent(event_id=f"{question.id}:answered", state=SlaState.ANSWERED,
                                       emitted_at=answered, answered_at=answered, answered_by=reply.id,
                                       response_seconds=7200.0, **clock).to_json_bytes()


def project(url: str) -> tuple[float, int, int]:
    """Seconds, records and rows written for ``MESSAGES`` messages."""
    engine = open_store(url)
    started, count, batch = time.perf_counter(), 0, []
    for record in records(MESSAGES):
        batch.append(record)
        if len(batch) == BATCH:
            _apply(engine, batch)
            count, batch = count + len(batch), []
    _apply(engine, batch)
    count += len(batch)
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        rows = sum(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0
                   for table in ("messages", "message_revisions", "inquiries", "sla_events"))
    engine.dispose()
    return elapsed, count, rows


def _apply(engine: sa.Engine, batch: list[tuple[str, bytes]]) -> None:
    with engine.begin() as connection:
        for topic, value in batch:
            apply(connection, topic, value)


def serve_and_measure(url: str) -> dict[str, tuple[float, float]]:
    engine = open_store(url)
    password = secrets.token_urlsafe(12)
    add_user(engine, "bench", "operator", password)
    port = free_port()
    app = create_app(engine, registry(), AuthConfig(secret_key="bench"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    results = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=("bench", password), timeout=30) as client:
            for name, path in (("list page", "/"), ("API open", "/api/inquiries?state=open"),
                               ("API overdue", "/api/inquiries?state=overdue&limit=100")):
                client.get(path).raise_for_status()  # warm
                times = []
                for _ in range(REQUESTS):
                    started = time.perf_counter()
                    client.get(path).raise_for_status()
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                results[name] = (statistics.median(times), times[int(len(times) * 0.99) - 1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
    return results


def run() -> None:
    stores: list[tuple[str, str, object]] = []
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-store-"))
    stores.append(("SQLite", f"sqlite:///{workdir / 'store.db'}", None))
    try:
        from tests.postgres import PostgresServer

        server = PostgresServer().start()
        stores.append(("PostgreSQL", server.create_database("bench"), server))
    except RuntimeError as exc:
        print(f"store: PostgreSQL not measured ({exc})")
    for name, url, server in stores:
        try:
            elapsed, count, rows = project(url)
            print(f"store [{name}]: projected {count:,} records ({MESSAGES:,} messages) in {elapsed:.1f} s: "
                  f"{count / elapsed:,.0f} records/s, {rows / elapsed:,.0f} rows/s ({rows:,} rows)")
            engine = open_store(url)
            with engine.connect() as connection:
                stored = connection.execute(sa.select(sa.func.count()).select_from(message_revisions)).scalar()
            engine.dispose()
            for what, (p50, p99) in serve_and_measure(url).items():
                print(f"store [{name}]: inbox {what} with {stored:,} stored messages: "
                      f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({REQUESTS} requests over HTTP)")
        finally:
            if server is not None:
                server.stop()  # type: ignore[attr-defined]
