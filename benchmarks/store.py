"""The conversation store: projection throughput, the inbox's list over a full store, and a rebuild.

``store``: ``BENCH_STORE_MESSAGES`` (default 1,000,000) messages, as the topics carry them (below), are
projected the way ``innboks store project`` does it (``Projection.step``: decode a batch, write it in
one transaction with its offsets), fed from memory so that only the projection is timed, into a
throwaway PostgreSQL cluster and, with ``BENCH_STORE_SQLITE_MESSAGES`` (default 200,000), into SQLite;
each batch hands the projection its records topic by topic, as a poll of the broker does (partition by
partition). ``BENCH_STORE_ONE_BY_ONE`` (default 20,000; 0: not measured) messages are projected again
into a new store of each kind record by record, each in a savepoint (the consumer's fallback, and how it
wrote before batches), for the comparison. ``BENCH_STORE_OPEN`` (default 2,000) inquiries are still open
at the end, every 20th of them escalated. Then ``innboks inbox`` (the command, in a process of its own,
as deployed) is asked ``BENCH_STORE_REQUESTS`` times (default 200) for its list page,
``/api/inquiries?state=open`` (up to 500 rows, the default) and the overdue ones: p50 and p99 over HTTP,
and its CPU per request.

``store-rebuild``: ``BENCH_REBUILD_MESSAGES`` (default 1,000,000) messages' records are produced to
the embedded broker, and ``innboks store rebuild`` (the command, a process of its own) replays them
into an empty PostgreSQL store (``BENCH_REBUILD_RUNS`` times, default once, each into a new one):
wall time, records and messages per second, and what 10 million messages would take at that rate.
Ten million messages' records (about 25 GB) do not fit this machine's memory beside the embedded
broker, which keeps topics in memory: hence the extrapolation, which docs/performance.md checks
against a second size.

What the topics carry per conversation (docs/events.md): the citizen's question on
``innboks.messages`` (with its platform item), its triage on ``innboks.triaged`` and the clock on
``innboks.sla`` (``opened``); for an answered one also our reply on ``innboks.messages`` (with its
item), its ``innboks.triaged`` record (no triage: ours) and ``answered``: 3 records per message.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

from benchmarks.pipeline import cpu_seconds
from innboks.config import topics
from innboks.db.engine import open_store
from innboks.db.schema import inquiries, message_revisions
from innboks.kafka.broker import free_port
from innboks.kafka.clients import AsyncProducer, Partition, Record
from innboks.store.consumer import BATCH_RECORDS, Projection
from innboks.web.users import add_user
from schemas import (
    Category,
    EscalationReason,
    InboxMessage,
    Kind,
    Language,
    NormalizedMessage,
    Platform,
    RawItem,
    Resolution,
    SlaEvent,
    SlaState,
    Triage,
    TriagedMessage,
)

MESSAGES = int(os.environ.get("BENCH_STORE_MESSAGES", "1000000"))
SQLITE_MESSAGES = int(os.environ.get("BENCH_STORE_SQLITE_MESSAGES", "200000"))
OPEN = int(os.environ.get("BENCH_STORE_OPEN", "2000"))
REQUESTS = int(os.environ.get("BENCH_STORE_REQUESTS", "200"))
ONE_BY_ONE = int(os.environ.get("BENCH_STORE_ONE_BY_ONE", "20000"))
REBUILD_MESSAGES = int(os.environ.get("BENCH_REBUILD_MESSAGES", "1000000"))
REBUILD_RUNS = int(os.environ.get("BENCH_REBUILD_RUNS", "1"))
#: A server sized like a small production one (the test cluster's defaults are 128 MB of buffers).
SERVER_SETTINGS = "-c shared_buffers=1GB -c effective_cache_size=4GB -c max_wal_size=4GB"
PAGE = "104857362918274"
TEXTS = ["Når blir veien brøytet i Markveien?", "Hvor finner jeg skjema for startlån?",
         "Takk for god hjelp på servicetorget!", "Jeg søkte om byggetillatelse i august, når kommer svaret?"]
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def conversations_for(messages: int) -> int:
    """Conversations of a question and (unless still open) our reply that make about ``messages``."""
    return (messages + OPEN) // 2


def records(messages: int, open_inquiries: int = OPEN) -> Iterator[tuple[str, bytes, bytes]]:
    """(topic, key, value) as the topics carry them, ``messages`` messages (docstring above)."""
    conversations = conversations_for(messages)
    open_every = max(1, conversations // max(1, open_inquiries))
    for n in range(conversations):
        created = START + timedelta(minutes=7 * n)
        question = InboxMessage(id=f"facebook:q{n}", platform=Platform.FACEBOOK, account_id=PAGE, kind=Kind.COMMENT,
                                conversation_id=f"c{n}", author_id=f"u{n % 5000}", author_name=f"Innbygger {n % 5000}",
                                text=TEXTS[n % len(TEXTS)], created_at=created, fetched_at=created,
                                permalink=f"https://www.facebook.com/{PAGE}/posts/c{n}",
                                parent_id=f"{PAGE}_{n // 40}")
        key = question.key.encode()
        yield topics.MESSAGES, key, _with_item(question).to_json_bytes()
        still_open = n % open_every == 0 and n // open_every < open_inquiries
        escalate = still_open and (n // open_every) % 20 == 0
        triage = Triage(category=list(Category)[n % 4], language=Language.BOKMAL, rules=["bench"],
                        suggested_reply="Takk for meldingen!", escalate=escalate,
                        escalation_reasons=[EscalationReason.MEDIA] if escalate else [])
        yield topics.TRIAGED, key, TriagedMessage(message=question, triage=triage, triaged_at=created).to_json_bytes()
        clock = {"inquiry_id": question.id, "conversation_key": question.key, "account_id": PAGE,
                 "platform": Platform.FACEBOOK, "policy": "standard", "received_at": created,
                 "due_at": created + timedelta(days=1)}
        yield topics.SLA, key, SlaEvent(event_id=f"{question.id}:opened", state=SlaState.OPENED, emitted_at=created,
                                        **clock).to_json_bytes()
        if not still_open:
            answered = created + timedelta(hours=2)
            reply = question.model_copy(update={"id": f"facebook:a{n}", "from_account": True, "author_id": PAGE,
                                                "author_name": "Alta kommune", "created_at": answered,
                                                "fetched_at": answered, "text": "Hei! Se alta.kommune.no.",
                                                "parent_id": question.native_id})
            yield topics.MESSAGES, key, _with_item(reply).to_json_bytes()
            yield topics.TRIAGED, key, TriagedMessage(message=reply, triaged_at=answered).to_json_bytes()
            yield topics.SLA, key, SlaEvent(event_id=f"{question.id}:answered", state=SlaState.ANSWERED,
                                            emitted_at=answered, answered_at=answered, answered_by=reply.id,
                                            response_seconds=7200.0, resolution=Resolution.REPLY,
                                            **clock).to_json_bytes()


def _with_item(message: InboxMessage) -> NormalizedMessage:
    """The message as normalize passes it on: with the Graph API comment it was mapped from."""
    payload = {"id": message.native_id, "message": message.text, "created_time": message.created_at.isoformat(),
               "from": {"id": message.author_id, "name": message.author_name},
               "permalink_url": message.permalink, "parent": {"id": message.parent_id}}
    item = RawItem(platform=Platform.FACEBOOK, account_id=PAGE, resource="comment", payload=payload,
                   context={"post_id": message.parent_id}, fetched_at=message.fetched_at)
    return NormalizedMessage.model_validate({**message.__dict__, "raw": item})


# --- the projection -------------------------------------------------------------------------------

class _FeedTail:
    """Hands ``Projection`` the records, generated a batch at a time ahead of time (not timed)."""

    partitions = [Partition("generated", 0)]

    def __init__(self, generated: Iterator[tuple[str, bytes, bytes]]) -> None:
        self.generated = generated
        self.offset = 0
        self.exhausted = False
        self.batches: list[list[Record]] = []
        while self._generate():
            pass

    def _generate(self) -> bool:
        by_topic: dict[str, list[tuple[bytes, bytes]]] = {}
        count = 0
        for topic, key, value in self.generated:
            by_topic.setdefault(topic, []).append((key, value))
            count += 1
            if count == BATCH_RECORDS:
                break
        # As a poll of the broker hands them: partition by partition (here one per topic), each in order.
        batch = [Record(topic, 0, self.offset + n, key, value, 0)
                 for n, (topic, key, value) in enumerate((topic, key, value) for topic, items in by_topic.items()
                                                          for key, value in items)]
        self.offset += len(batch)
        if batch:
            self.batches.append(batch)
        return bool(batch)

    def poll(self, timeout: float) -> list[Record]:
        return self.batches.pop(0) if self.batches else []

    def positions(self) -> dict[Partition, int]:
        return {self.partitions[0]: self.offset - sum(len(b) for b in self.batches)}

    def end_offsets(self) -> dict[Partition, int]:
        return {self.partitions[0]: self.offset}

    def close(self) -> None:
        pass


@dataclass
class Projected:
    seconds: float
    records: int
    cpu: float
    server_cpu: float

    def line(self, name: str, messages: int) -> str:
        server = f", database {self.server_cpu / self.records * 1e3:.3f}" if self.server_cpu else ""
        return (f"store [{name}]: projected {self.records:,} records ({messages:,} messages) in {self.seconds:.1f} s: "
                f"{self.records / self.seconds:,.0f} records/s, {messages / self.seconds:,.0f} messages/s "
                f"(CPU ms per record: projection {self.cpu / self.records * 1e3:.3f}{server}; "
                f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def project(url: str, messages: int, server: object | None = None, one_by_one: bool = False) -> Projected:
    """Project ``messages`` messages' records into the store at ``url`` through ``Projection.step``
    (``one_by_one``: each record in a savepoint, the consumer's fallback)."""
    feed = _FeedTail(records(messages))

    class Fed(Projection):
        def _open_tail(self) -> _FeedTail:
            return feed

        def step(self) -> int:
            if not one_by_one:
                return super().step()
            read = feed.poll(0)
            if read:
                self._step_one_by_one(read, skip=set())
            return len(read)

    engine = open_store(url)
    server_before = server_cpu_seconds(server)
    started, cpu = time.perf_counter(), time.process_time()
    projection = Fed(engine, "unused:9092", dead_letters=lambda key, value: None)
    projection.catch_up(timeout=24 * 3600)
    seconds = time.perf_counter() - started
    used = time.process_time() - cpu
    server_used = server_cpu_seconds(server) - server_before
    projection.close()
    engine.dispose()
    if sum(projection.stats.rejected.values()):
        raise RuntimeError(f"the projection rejected records: {dict(projection.stats.rejected)}")
    return Projected(seconds, feed.offset, used, server_used)


def server_cpu_seconds(server: object | None) -> float:
    """CPU seconds of a PostgreSQL server so far: the postmaster, its live children and those it reaped."""
    if server is None:
        return 0.0
    postmaster = int((Path(server.datadir) / "postmaster.pid").read_text().split()[0])  # type: ignore[attr-defined]
    total = cpu_seconds(postmaster)
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    total += cpu_seconds(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return total


# --- the inbox over the store ---------------------------------------------------------------------

def serve_and_measure(url: str) -> dict[str, tuple[float, float, float]]:
    """The inbox as deployed: ``innboks inbox`` in a process of its own, asked over HTTP by this one.

    p50 and p99 of ``REQUESTS`` requests per path, and the server's CPU ms per request.
    """
    from tests.helpers import facebook_registry

    engine = open_store(url)
    password = secrets.token_urlsafe(12)
    add_user(engine, "bench", "operator", password)
    engine.dispose()
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-inbox-"))
    accounts = facebook_registry(workdir / "accounts.yaml", "http://127.0.0.1:9", "INNBOKS_BENCH_TOKEN", PAGE)
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    env.update(INNBOKS_STORE_URL=url, INNBOKS_ACCOUNTS_FILE=str(accounts), INNBOKS_BENCH_TOKEN="t")
    with (workdir / "inbox.log").open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "innboks", "inbox", "--port", str(port)], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    results = {}
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the inbox did not start: {(workdir / 'inbox.log').read_text()[-500:]}")
            time.sleep(0.2)
        with httpx.Client(base_url=base, auth=("bench", password), timeout=30) as client:
            for name, path in (("list page", "/"), ("API open", "/api/inquiries?state=open"),
                               ("API overdue", "/api/inquiries?state=overdue&limit=100")):
                for _ in range(3):
                    client.get(path).raise_for_status()  # warm
                times = []
                cpu = cpu_seconds(process.pid)
                for _ in range(REQUESTS):
                    started = time.perf_counter()
                    client.get(path).raise_for_status()
                    times.append((time.perf_counter() - started) * 1000)
                cpu = (cpu_seconds(process.pid) - cpu) / REQUESTS * 1000
                times.sort()
                results[name] = (statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)], cpu)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def _stored(url: str) -> tuple[int, int]:
    engine = open_store(url)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(message_revisions)).scalar() or 0
        still_open = connection.execute(sa.select(sa.func.count()).select_from(inquiries)
                                        .where(inquiries.c.state == "opened")).scalar() or 0
    engine.dispose()
    return stored, still_open


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-store-"))
    stores: list[tuple[str, str, int, object]] = []
    try:
        from tests.postgres import PostgresServer

        pg = PostgresServer(SERVER_SETTINGS).start()
        stores.append(("PostgreSQL", pg.create_database("bench"), MESSAGES, pg))
    except RuntimeError as exc:
        print(f"store: PostgreSQL not measured ({exc})")
    stores.append(("SQLite", f"sqlite:///{workdir / 'store.db'}", SQLITE_MESSAGES, None))
    for name, url, messages, server in stores:
        try:
            if ONE_BY_ONE:
                single = (server.create_database("bench_one_by_one")  # type: ignore[attr-defined]
                          if server is not None else f"sqlite:///{workdir / 'one_by_one.db'}")
                print(project(single, ONE_BY_ONE, server, one_by_one=True).line(f"{name}, one by one", ONE_BY_ONE),
                      flush=True)
            print(project(url, messages, server).line(name, messages), flush=True)
            stored, still_open = _stored(url)
            for what, (p50, p99, cpu) in serve_and_measure(url).items():
                print(f"store [{name}]: inbox {what} with {stored:,} stored messages, {still_open:,} open inquiries: "
                      f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({REQUESTS} requests over HTTP to `innboks inbox`; "
                      f"its CPU {cpu:.1f} ms per request; load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            if server is not None:
                server.stop()  # type: ignore[attr-defined]


# --- a rebuild from the topics ----------------------------------------------------------------------

def rebuild() -> None:
    """``innboks store rebuild`` of ``BENCH_REBUILD_MESSAGES`` messages from the embedded broker into PostgreSQL."""
    from innboks.kafka.admin import create_topics
    from innboks.kafka.broker import EmbeddedBroker
    from tests.postgres import PostgresServer

    workdir = Path(tempfile.mkdtemp(prefix="innboks-bench-rebuild-"))
    with EmbeddedBroker(log_path=workdir / "tansu.log") as broker:
        create_topics(broker.bootstrap_servers, 6, 1)
        started = time.perf_counter()
        count = asyncio.run(_produce(broker.bootstrap_servers, records(REBUILD_MESSAGES)))
        print(f"store rebuild: produced {count:,} records ({REBUILD_MESSAGES:,} messages) to the embedded broker "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        server = PostgresServer(SERVER_SETTINGS).start()
        try:
            for run in range(REBUILD_RUNS):  # each into a new database, from the same topics
                _rebuild_once(broker.bootstrap_servers, server, server.create_database(f"rebuild{run}"), count)
        finally:
            server.stop()


async def _produce(bootstrap: str, generated: Iterator[tuple[str, bytes, bytes]]) -> int:
    count = 0
    async with AsyncProducer(bootstrap, client_id="innboks-bench") as producer:
        chunk: list[tuple[str, int | None, bytes | None, bytes]] = []
        for topic, key, value in generated:
            chunk.append((topic, None, key, value))
            if len(chunk) == 20_000:
                await producer.send_records(chunk)
                count, chunk = count + len(chunk), []
        await producer.send_records(chunk)
    return count + len(chunk)


def _rebuild_once(bootstrap: str, server: object, url: str, count: int) -> None:
    open_store(url).dispose()  # migrated before the clock starts
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "INNBOKS_STORE_URL": url}
    load = os.getloadavg()
    server_before = server_cpu_seconds(server)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "innboks", "store", "rebuild"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cpu = 0.0
    while process.poll() is None:
        cpu = max(cpu, cpu_seconds(process.pid))
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"store rebuild failed: {output[-500:]}")
    server_used = server_cpu_seconds(server) - server_before
    stored, _ = _stored(url)
    hours_10m = seconds / REBUILD_MESSAGES * 10_000_000 / 3600
    print(f"store rebuild: {REBUILD_MESSAGES:,} messages ({count:,} records, {stored:,} revisions) rebuilt into "
          f"PostgreSQL in {seconds:.0f} s: {count / seconds:,.0f} records/s, {REBUILD_MESSAGES / seconds:,.0f} "
          f"messages/s (CPU ms per record: rebuild {cpu / count * 1e3:.3f}, database {server_used / count * 1e3:.3f}; "
          f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}); 10,000,000 messages at this rate: {hours_10m:.2f} h",
          flush=True)
