"""The fault suite: long-running processes killed with SIGKILL again and again while they work.

Each test runs one kind of process on its own embedded broker, kills it at random moments (seeded),
starts it again, and then counts per topic or table what was lost and what was duplicated. What a
process promises (docs/guarantees.md) is what is asserted: nothing lost anywhere; no duplicate where
the promise is exactly-once (the store, the executor's platform calls), duplicates counted where it
is at-least-once with a dedupe id (innboks.raw from the webhook and the connectors), and for the
Fiks archive sender: nothing lost, nothing sent again once a receipt proved arrival, receipts once.

The worker (tests/integration/test_sla_restart.py, test_worker_replacement.py) and the archive
consumer (test_archive.py) have their own kill tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from innboks.config import topics
from innboks.db.engine import open_store
from innboks.db.schema import message_revisions, messages
from innboks.kafka.admin import create_topics
from innboks.kafka.broker import EmbeddedBroker, free_port
from innboks.processes import ManagedProcess
from schemas import (
    ActionEvent,
    ActionKind,
    ActionOutcome,
    Category,
    InboxMessage,
    Kind,
    Language,
    NormalizedMessage,
    Platform,
    RawItem,
    Triage,
    TriagedMessage,
)
from tests.conftest import wait_http_ok
from tests.helpers import PAGE_ID, GraphComments, TopicReader, facebook_registry, produce

pytestmark = pytest.mark.integration

KILLS = 3
RESULTS: dict[str, str] = {}


@pytest.fixture()
def broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as running:
        create_topics(running.bootstrap_servers, 3, 1)
        yield running


def process(args: list[str], bootstrap: str, log: Path, **env: str) -> ManagedProcess:
    return ManagedProcess([sys.executable, "-m", "innboks", *args],
                          {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "PYTHONUNBUFFERED": "1", **env}, log)


def kill(running: ManagedProcess) -> None:
    assert running.process is not None
    os.killpg(running.process.pid, signal.SIGKILL)
    running.process.wait(10)


def kill_repeatedly(args: list[str], bootstrap: str, logs: Path, pause: Callable[[], float],
                    during: Callable[[int], None] | None = None, **env: str) -> int:
    """Start ``innboks ARGS`` KILLS times, each SIGKILLed after ``pause()`` seconds (``during(round)``
    runs right after each start); returns the number of kills."""
    for round_number in range(KILLS):
        running = process(args, bootstrap, logs.with_name(f"{logs.name}-{round_number}.log"), **env).start()
        if during is not None:
            during(round_number)
        time.sleep(pause())
        kill(running)
    return KILLS


def report(name: str, **counts: int) -> None:
    RESULTS[name] = ", ".join(f"{key} {value}" for key, value in counts.items())
    print(f"fault suite: {name}: {RESULTS[name]}")


def raw_lost_and_duplicated(bootstrap: str, expected: set[str]) -> tuple[int, int]:
    """Of the platform items ``expected`` on ``innboks.raw``: how many are missing, how many are there twice or more."""
    on_topic = Counter(str(event["payload"].get("id")) for event in TopicReader(bootstrap).json_values(topics.RAW))
    return len(expected - set(on_topic)), sum(count - 1 for key, count in on_topic.items() if key in expected)


def test_the_store_projection_loses_and_repeats_nothing_across_kills(broker: EmbeddedBroker, tmp_path: Path) -> None:
    rng = random.Random(17)
    total = 3000
    store = f"sqlite:///{tmp_path / 'store.db'}"
    start = datetime(2026, 11, 16, 8, tzinfo=UTC)
    records, triages = [], []
    for n in range(total):
        message = InboxMessage(id=f"facebook:f{n}", platform=Platform.FACEBOOK, account_id=PAGE_ID,
                               kind=Kind.COMMENT, conversation_id=f"c{n % 500}", author_name="Kari", text=f"Hei {n}",
                               created_at=start + timedelta(seconds=n), fetched_at=start + timedelta(seconds=n))
        item = RawItem(platform=Platform.FACEBOOK, account_id=PAGE_ID, resource="comment", payload={"id": f"f{n}"},
                       fetched_at=message.fetched_at)
        normalized = NormalizedMessage.model_validate({**message.__dict__, "raw": item})
        records.append((message.key.encode(), normalized.to_json_bytes()))
        triage = Triage(category=Category.GENERAL_QUESTION, language=Language.BOKMAL)
        triages.append((message.key.encode(),
                        TriagedMessage(message=message, triage=triage, triaged_at=message.fetched_at).to_json_bytes()))
    produce(broker.bootstrap_servers, topics.MESSAGES, records[: total // 2])
    produce(broker.bootstrap_servers, topics.TRIAGED, triages[: total // 2])

    def more_while_it_runs(round_number: int) -> None:
        if round_number == 1:  # the triage first this time: the store reads the topics in any order
            produce(broker.bootstrap_servers, topics.TRIAGED, triages[total // 2:])
            produce(broker.bootstrap_servers, topics.MESSAGES, records[total // 2:])

    kills = kill_repeatedly(["store", "project", "--store", store], broker.bootstrap_servers, tmp_path / "project",
                            lambda: rng.uniform(1.5, 4.0), more_while_it_runs)
    final = process(["store", "project", "--until-end", "--store", store], broker.bootstrap_servers,
                    tmp_path / "project-final.log").start()
    assert final.process is not None and final.process.wait(120) == 0
    engine = open_store(store)
    with engine.connect() as connection:
        ids = Counter(connection.execute(sa.select(message_revisions.c.message_id)).scalars())
        rows = connection.execute(sa.select(sa.func.count()).select_from(messages)).scalar()
        without_raw = connection.execute(sa.select(sa.func.count()).select_from(message_revisions)
                                         .where(message_revisions.c.raw_payload.is_(None))).scalar()
        untriaged = connection.execute(sa.select(sa.func.count()).select_from(messages)
                                       .where(messages.c.category.is_(None))).scalar()
    lost = total - len(ids)
    duplicated = sum(count - 1 for count in ids.values())
    report("store projection", kills=kills, records=2 * total, lost=lost, duplicated=duplicated,
           without_raw=without_raw, untriaged=untriaged)
    assert (lost, duplicated, rows, without_raw, untriaged) == (0, 0, total, 0, 0)


class Graph(GraphComments):
    """Answers replies after a random short delay, so that kills land before, during and after calls."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def answering(self, reply: dict) -> None:
        time.sleep(self.rng.uniform(0.0, 0.3))


def test_the_executor_posts_every_reply_exactly_once_across_kills(broker: EmbeddedBroker, tmp_path: Path) -> None:
    rng = random.Random(23)
    total = 60
    with Graph(rng) as graph:
        registry = facebook_registry(tmp_path / "accounts.yaml", graph.url, "INNBOKS_FAULT_TOKEN")
        now = datetime.now(UTC)
        requests = []
        for n in range(total):
            target = InboxMessage(id=f"facebook:1_{n}", platform=Platform.FACEBOOK, account_id=PAGE_ID,
                                  kind=Kind.COMMENT, conversation_id=f"1_{n}", text="Når brøytes veien?",
                                  created_at=now, fetched_at=now)
            event = ActionEvent(action_id=f"fault-{n:04d}", outcome=ActionOutcome.REQUESTED, kind=ActionKind.REPLY,
                                target=target, text=f"Hei! I morgen ({n}).", requested_by="kari", at=now)
            requests.append((event.key.encode(), event.to_json_bytes()))
        produce(broker.bootstrap_servers, topics.ACTIONS, requests)
        env = {"INNBOKS_ACCOUNTS_FILE": str(registry), "INNBOKS_FAULT_TOKEN": "t", "INNBOKS_ACTIONS_METRICS_PORT": "0"}
        kills = kill_repeatedly(["actions", "run"], broker.bootstrap_servers, tmp_path / "executor",
                                lambda: rng.uniform(2.5, 4.5), **env)
        final = process(["actions", "run", "--once"], broker.bootstrap_servers, tmp_path / "executor-final.log",
                        **env).start()
        assert final.process is not None and final.process.wait(120) == 0
        outcomes = Counter()
        for event in TopicReader(broker.bootstrap_servers).json_values(topics.ACTIONS):
            if event["outcome"] in ("done", "failed"):
                outcomes[(event["action_id"], event["outcome"])] += 1
        posts = Counter(reply["node"] for reply in graph.posted)
    done = {action for action, outcome in outcomes if outcome == "done"}
    lost = total - len(done)
    duplicated_posts = sum(count - 1 for count in posts.values())
    duplicated_outcomes = sum(count - 1 for count in outcomes.values())
    report("action executor", kills=kills, actions=total, lost=lost, posted_twice=duplicated_posts,
           outcome_twice=duplicated_outcomes)
    assert lost == 0 and duplicated_posts == 0 and len(posts) == total
    assert not any(outcome == "failed" for _, outcome in outcomes)


def test_the_webhook_loses_no_acknowledged_delivery_across_kills(broker: EmbeddedBroker, tmp_path: Path) -> None:
    rng = random.Random(29)
    total = 600
    port = free_port()
    env = {"INNBOKS_META_APP_SECRET": "s3cret", "INNBOKS_META_VERIFY_TOKEN": "v"}
    pending = [f"9_{n}" for n in range(total)]
    acknowledged: set[str] = set()
    kills = attempts = 0
    for round_number in range(KILLS + 1):
        webhook = process(["webhook", "--host", "127.0.0.1", "--port", str(port)], broker.bootstrap_servers,
                          tmp_path / f"webhook-{round_number}.log", **env).start()
        wait_http_ok(f"http://127.0.0.1:{port}/healthz", 30, webhook)
        killer = threading.Timer(rng.uniform(0.3, 1.0), kill, args=(webhook,)) if round_number < KILLS else None
        if killer is not None:
            killer.start()
        retry = []
        for comment_id in pending:  # Meta delivers again what was not answered 200
            attempts += 1
            if deliver(port, comment_id):
                acknowledged.add(comment_id)
            else:
                retry.append(comment_id)
        if killer is not None:
            killer.join()
            kills += 1
        else:
            webhook.stop()
        pending = retry
        if not pending and killer is None:
            break
    on_topic = Counter(event["payload"]["comment_id"]
                       for event in TopicReader(broker.bootstrap_servers).json_values(topics.RAW))
    lost = len(acknowledged - set(on_topic))
    duplicated = sum(count - 1 for count in on_topic.values())
    report("webhook", kills=kills, deliveries=total, attempts=attempts, lost=lost, duplicated=duplicated)
    assert pending == [] and acknowledged == {f"9_{n}" for n in range(total)} and lost == 0


def deliver(port: int, comment_id: str) -> bool:
    body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": 1763370001, "changes": [
        {"field": "feed", "value": {"from": {"id": "4242", "name": "Kari"}, "post_id": f"{PAGE_ID}_9",
                                    "comment_id": comment_id, "parent_id": f"{PAGE_ID}_9", "item": "comment",
                                    "verb": "add", "created_time": 1763370000, "message": "Hei"}}]}]}).encode()
    signature = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/meta", data=body,
                                     headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def test_the_connector_runner_loses_nothing_across_kills(broker: EmbeddedBroker, tmp_path: Path) -> None:
    from innboks.demo.dataset import build_dataset
    from innboks.demo.graph_api import GraphSimulator

    rng = random.Random(31)
    dataset = build_dataset()
    simulator = GraphSimulator(dataset, release_seconds=6.0).start()
    try:
        registry = facebook_registry(tmp_path / "accounts.yaml", simulator.base_url, "INNBOKS_FAULT_TOKEN",
                                     dataset.page_id, extra="    poll_interval_seconds: 10\n")
        env = {"INNBOKS_ACCOUNTS_FILE": str(registry), "INNBOKS_FAULT_TOKEN": "t",
               "INNBOKS_CONNECTOR_METRICS_PORT": "0"}
        kills = kill_repeatedly(["connectors", "run"], broker.bootstrap_servers, tmp_path / "runner",
                                lambda: rng.uniform(2.0, 4.0), **env)
        time.sleep(max(0.0, 6.5 - (time.monotonic() - simulator.started)))  # everything released
        final = process(["connectors", "run", "--once"], broker.bootstrap_servers, tmp_path / "runner-final.log",
                        **env).start()
        assert final.process is not None and final.process.wait(120) == 0
        # A first poll reaches back the default backfill (7 days); older items are not asked for.
        window = datetime.now(UTC) - timedelta(days=7) + timedelta(hours=1)
        expected = {str(item.payload["id"]) for item in simulator.released() if item.created >= window}
    finally:
        simulator.stop()
    lost, duplicated = raw_lost_and_duplicated(broker.bootstrap_servers, expected)
    report("connector runner", kills=kills, items=len(expected), lost=lost, duplicated=duplicated)
    assert lost == 0


def test_hostile_input_is_all_accounted_for_and_no_stage_restarts(broker: EmbeddedBroker, tmp_path: Path) -> None:
    """2,000 broken records among 500 good comments: each bad one dead-lettered with its reason, each good
    one through, within 60 s, no stage restarted, and no message text in the worker's log."""
    from tests.conftest import start_named_worker
    from tests.helpers import facebook_comment_raw, hostile_records

    rng = random.Random(41)
    bad = hostile_records(rng, 2000)
    good = [facebook_comment_raw(f"5_{n}", f"Hemmelig innhold {n}: når brøytes veien?") for n in range(500)]
    worker = start_named_worker(broker.bootstrap_servers, tmp_path, "fuzz", 3)
    try:
        mixed: list[tuple[bytes | None, bytes | None]] = [(key, value) for key, value, _ in bad]
        for n, raw in enumerate(good):
            mixed.insert(n * 5 + rng.randrange(5), (f"k{n}".encode(), raw.to_json_bytes()))
        started = time.monotonic()
        produce(broker.bootstrap_servers, topics.RAW, mixed)
        reader = TopicReader(broker.bootstrap_servers)
        letters = reader.wait_for(topics.DEADLETTER, lambda d: str(d.get("key", "")).startswith("bad-"),
                                  count=len(bad), timeout=60)
        through = reader.wait_for(topics.MESSAGES, lambda m: m["id"].startswith("facebook:5_"), count=len(good),
                                  timeout=max(1.0, 60 - (time.monotonic() - started)))
        elapsed = time.monotonic() - started
        metrics = urllib.request.urlopen(worker.metrics_url, timeout=5).read().decode()
    finally:
        worker.stop()
    reasons = {d["key"]: d["reason_code"] for d in letters}
    wrong = {key.decode(): (reasons.get(key.decode()), code) for key, _, code in bad
             if reasons.get(key.decode()) != code}
    restarts = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                   if line.startswith("innboks_stage_restarts_total{"))
    log = worker.log_path.read_text(encoding="utf-8", errors="replace")
    report("hostile input", bad=len(bad), dead_lettered=len(reasons), good=len(good),
           through=len({m["id"] for m in through}), restarts=int(restarts), seconds=int(elapsed))
    assert wrong == {} and len(reasons) == len(bad)
    assert len({m["id"] for m in through}) == len(good)
    assert restarts == 0 and "Hemmelig innhold" not in log and "xxxxxxxx" not in log


def test_a_refused_token_pauses_that_account_only_and_reconnecting_resumes_it(broker: EmbeddedBroker,
                                                                               tmp_path: Path) -> None:
    """Two Pages connected in Kontoer, polled by ``innboks connectors run`` (killed and restarted on the way):
    the library's admin removes the app (revoked), later the main Page's token runs out (expired). Each
    pauses only its own Page, the store says so, and connecting them again (as Kontoer does) resumes
    them from their cursors: nothing lost."""
    from innboks.db.accounts import NewConnection, health_by_key, save_connection
    from innboks.db.sealed import Keyring
    from innboks.demo.dataset import SECOND_PAGE, build_dataset
    from innboks.demo.graph_api import GraphSimulator

    rng = random.Random(37)
    dataset, library = build_dataset(), build_dataset(name=SECOND_PAGE)
    simulator = GraphSimulator(dataset, extra_pages=(library,)).start()
    key = "nøkkel-for-feilsuiten-" + "q" * 24
    (tmp_path / "key").write_text(key)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_store(store)
    keyring = Keyring([key])
    people = {dataset.page_id: "person-1", library.page_id: "person-2"}

    def connect(page_id: str) -> None:  # what Kontoer stores, with a Page token Meta's stand-in issued
        token = simulator.auth.issue(people[page_id], "innboks-app", page_id=page_id)
        save_connection(engine, keyring, NewConnection(
            platform=Platform.FACEBOOK, account_id=page_id, name=page_id, owning_unit="Kommunikasjon",
            credential_kind="bearer", secrets={"access_token": token}, options={"base_url": simulator.base_url},
            assessment={"purpose": "a", "audience": "b", "privacy": "c", "resources": "d"}), "anne")

    def health(page_id: str) -> dict:
        return health_by_key(engine).get(f"facebook:{page_id}", {})

    def wait(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise AssertionError(f"{what} within {timeout:.0f} s; health: {health_by_key(engine)}")

    try:
        for page_id in people:
            connect(page_id)
        registry = tmp_path / "accounts.yaml"
        registry.write_text("accounts:\n" + "".join(
            f"  - {{platform: facebook, account_id: '{page_id}', name: P{page_id[-3:]}, owning_unit: K,"
            " poll_interval_seconds: 10, credentials: {type: stored}}\n" for page_id in people))
        env = {"INNBOKS_ACCOUNTS_FILE": str(registry), "INNBOKS_STORE_URL": store,
               "INNBOKS_SECRET_KEY": f"file:{tmp_path / 'key'}", "INNBOKS_CONNECTOR_METRICS_PORT": "0"}
        kills = 0
        runner = process(["connectors", "run"], broker.bootstrap_servers, tmp_path / "tokens-0.log", **env).start()
        wait(lambda: all(health(p).get("last_success_at") for p in people), "both Pages polled")

        simulator.auth.revoke_subject("person-2")  # the library's admin removed the app
        wait(lambda: health(library.page_id).get("state") == "token_invalid", "the library's Page paused")
        ok_since = health(dataset.page_id)["last_success_at"]
        wait(lambda: health(dataset.page_id)["last_success_at"] > ok_since, "the main Page still polled")
        time.sleep(rng.uniform(0.5, 2.0))
        kill(runner)
        kills += 1
        runner = process(["connectors", "run"], broker.bootstrap_servers, tmp_path / "tokens-1.log", **env).start()
        restarted = health(library.page_id)["last_poll_at"]
        wait(lambda: health(library.page_id)["last_poll_at"] > restarted, "the library's Page tried again")
        assert health(library.page_id)["state"] == "token_invalid"

        simulator.auth.expire_subject("person-1")  # the main Page's token ran out
        wait(lambda: health(dataset.page_id).get("state") == "token_invalid", "the main Page paused")
        assert health(library.page_id)["state"] == "token_invalid"

        reconnected = datetime.now(UTC)
        for page_id in people:  # an administrator presses "Koble til på nytt" for each
            connect(page_id)
        wait(lambda: all(health(p).get("state") == "ok" and health(p)["last_success_at"] > reconnected
                         for p in people), "both Pages polled again after reconnecting")
        time.sleep(rng.uniform(0.5, 2.0))
        kill(runner)
        kills += 1
        final = process(["connectors", "run", "--once"], broker.bootstrap_servers, tmp_path / "tokens-final.log",
                        **env).start()
        assert final.process is not None and final.process.wait(120) == 0
        window = datetime.now(UTC) - timedelta(days=7) + timedelta(hours=1)
        expected = {str(item.payload["id"]) for item in simulator.visible() if item.created >= window}
    finally:
        simulator.stop()
    lost, duplicated = raw_lost_and_duplicated(broker.bootstrap_servers, expected)
    report("tokens revoked and expired", kills=kills, pages=len(people), items=len(expected), lost=lost,
           duplicated=duplicated)
    assert lost == 0 and {i for i in expected if i.startswith(("2100000000001_", "2100000000002_"))}


def test_the_fiks_sender_loses_no_case_and_sends_again_only_without_proof_of_arrival(broker: EmbeddedBroker,
                                                                                      tmp_path: Path) -> None:
    """``innboks archive --fiks`` SIGKILLed while it sends and while receipts come in (#26)."""
    from innboks.demo.fiks.world import FiksWorld
    from tests.fiks import case_records, fiks_cases, final_status, receipts

    rng = random.Random(int(os.environ.get("INNBOKS_FAULT_SEED", "26")))
    cases = fiks_cases(60, changes_every=4)
    records = case_records(cases)
    produce(broker.bootstrap_servers, topics.CASES, records[: len(records) // 2])
    with FiksWorld(tmp_path / "fiks", kvittering_delay=0.2, send_delay=0.4) as world:
        env = {**world.innboks_env(), "INNBOKS_FIKS_METRICS_PORT": "0", "INNBOKS_FIKS_RECEIPT_TIMEOUT_SECONDS": "5",
               "INNBOKS_FIKS_RETRY_BASE_SECONDS": "1", "INNBOKS_EMBEDDED_BROKER": "true"}

        def more_while_it_runs(round_number: int) -> None:
            if round_number == 1:
                produce(broker.bootstrap_servers, topics.CASES, records[len(records) // 2:])

        kills = kill_repeatedly(["archive", "--fiks"], broker.bootstrap_servers, tmp_path / "fiks-sender",
                                lambda: rng.uniform(9.0, 15.0), more_while_it_runs, **env)
        final = process(["archive", "--fiks", "--once"], broker.bootstrap_servers, tmp_path / "fiks-final.log",
                        **env).start()
        assert final.process is not None and final.process.wait(300) == 0, \
            (tmp_path / "fiks-final.log").read_text()[-2000:]
        events = receipts(TopicReader(broker.bootstrap_servers))
        record = world.archive.record
        replies = [reply for reply in record.replies]
    latest = final_status(events)
    expected = {(case.case_id, case.revision) for case in cases}
    lost = len(expected - {key for key, event in latest.items() if event.status.value == "archived"})
    # A revision was sent again only when no mottatt or kvittering had been handled before that decision.
    proofs: dict[tuple[str, int], datetime] = {}
    for event in events:
        if event.status.value in ("received", "archived"):
            key = (event.case_id, event.revision)
            proofs[key] = min(proofs.get(key, event.at), event.at)
    resent = [e for e in events if e.status.value == "sent" and e.attempt > 1]
    resent_after_proof = [e for e in resent if (e.case_id, e.revision) in proofs
                          and proofs[(e.case_id, e.revision)] < e.at]
    # Receipts handled once: every answer the archive sent is on the topic exactly once.
    receipt_ids = Counter(e.receipt_melding_id for e in events if e.receipt_melding_id)
    duplicated = sum(count - 1 for count in receipt_ids.values())
    deliveries = Counter(d.klient_melding_id for d in record.deliveries)
    report("fiks sender", kills=kills, revisions=len(expected), lost=lost, resent=len(resent),
           resent_after_proof=len(resent_after_proof), archive_deliveries=sum(deliveries.values()),
           saksmapper=len(record.saksmapper), journalposter=len(record.journalposter),
           receipts=len(receipt_ids), receipts_duplicated=duplicated, archive_replies=len(replies))
    assert lost == 0
    assert resent_after_proof == [], [
        (e.case_id, e.revision, e.attempt, e.at, [(x.status.value, x.attempt, x.at) for x in events
                                                  if (x.case_id, x.revision) == (e.case_id, e.revision)])
        for e in resent_after_proof]
    assert len(record.saksmapper) == len({c.case_id for c in cases}) and len(record.journalposter) == len(expected)
    assert duplicated == 0 and len(receipt_ids) == len(replies)
