"""Polling accounts: states, events on transitions, metrics, and one account never stopping another."""

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from connectors.base import Connector, MemoryCursorStore
from connectors.errors import AuthError, FatalRequestError, RateLimited
from connectors.http import ApiClient
from connectors.metrics import ConnectorMetrics
from connectors.runner import AccountPoller, PollState, Runner
from connectors.state import ConnectorEvents
from schemas import ConnectorEventKind, Platform, RawEvent
from tests.helpers import ListSink


class ScriptedConnector(Connector):
    """Each poll raises the next scripted error or yields the next scripted number of items."""

    platform = Platform.MASTODON
    api_base = "https://example.invalid"

    def __init__(self, script: list, account: str = "1") -> None:
        super().__init__(account, ApiClient(), sink=ListSink(), cursors=MemoryCursorStore())
        self.script = list(script)
        self.counter = 0

    def fetch(self) -> Iterator[RawEvent]:
        step = self.script.pop(0) if self.script else 0
        if isinstance(step, Exception):
            raise step
        for _ in range(step):
            self.counter += 1
            yield self.raw("status", {"id": str(self.counter), "content": "x"})



class RecordingEvents(ConnectorEvents):
    def __init__(self) -> None:
        super().__init__(None)
        self.emitted = []

    def emit(self, event) -> None:
        self.emitted.append(event)


def poller(script: list, credentials: list[str] | None = None, now: list[float] | None = None):
    clock = now or [1000.0]
    events = RecordingEvents()
    metrics = ConnectorMetrics(CollectorRegistry())
    creds = credentials if credentials is not None else ["token-1"]
    p = AccountPoller(ScriptedConnector(script), interval=60, events=events, metrics=metrics,
                      credential_fingerprint=lambda: creds[0], clock=lambda: clock[0])
    return p, events, metrics, clock, creds


def value(metrics: ConnectorMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, {"platform": "mastodon", "account": "1", **labels})


def test_success_records_metrics_and_schedules_the_next_poll() -> None:
    p, events, metrics, clock, _ = poller([3])
    outcome = p.poll_once()
    assert outcome.state is PollState.OK and outcome.sent == 3
    assert p.next_at == clock[0] + 60
    assert value(metrics, "innboks_connector_items_total") == 3
    assert value(metrics, "innboks_connector_token_valid") == 1
    assert value(metrics, "innboks_connector_last_success_timestamp_seconds") == 1000.0
    assert events.emitted == []


def test_rejected_token_stops_polling_until_the_credentials_change() -> None:
    p, events, metrics, clock, creds = poller([AuthError("HTTP 401: token rejected for /api/v1/notifications"), 1])
    assert p.poll_once().state is PollState.TOKEN_INVALID
    assert [e.kind for e in events.emitted] == [ConnectorEventKind.TOKEN_INVALID]
    assert value(metrics, "innboks_connector_token_valid") == 0
    clock[0] += 600
    assert not p.due(clock[0])  # same token: not retried on the normal schedule
    creds[0] = "token-2"         # the operator replaced the token
    assert p.due(clock[0])
    assert p.poll_once().state is PollState.OK
    assert [e.kind for e in events.emitted] == [ConnectorEventKind.TOKEN_INVALID, ConnectorEventKind.RECOVERED]


def test_rate_limit_waits_for_the_announced_reset_and_emits_once() -> None:
    p, events, _, clock, _ = poller([RateLimited("429", 900), RateLimited("429", 900), 0])
    p.poll_once()
    assert p.next_at == clock[0] + 900
    p.poll_once()
    assert [e.kind for e in events.emitted] == [ConnectorEventKind.RATE_LIMITED]
    assert events.emitted[0].retry_after_seconds == 900


def test_other_errors_back_off_exponentially_with_a_cap() -> None:
    p, events, metrics, clock, _ = poller([FatalRequestError("HTTP 404 from /x")] * 10)
    waits = []
    for _ in range(10):
        p.poll_once()
        waits.append(p.next_at - clock[0])
    assert waits[:4] == [60, 120, 240, 480] and max(waits) == 900
    assert value(metrics, "innboks_connector_errors_total", error_class="fatal") == 10
    assert [e.kind for e in events.emitted] == [ConnectorEventKind.FAILING]


def test_one_failing_account_does_not_stop_the_others() -> None:
    good, _, _, _, _ = poller([2])
    bad, _, _, _, _ = poller([FatalRequestError("HTTP 500 storm over")])
    outcomes = Runner([bad, good]).run(once=True)
    assert sorted(o.state for o in outcomes) == [PollState.FAILING, PollState.OK]
    assert len(good.connector.sink.events) == 2


def test_an_unexpected_bug_in_a_connector_is_contained(caplog) -> None:
    class Broken(ScriptedConnector):
        def fetch(self):
            raise KeyError("a bug")

    healthy = AccountPoller(ScriptedConnector([1]), interval=60, metrics=ConnectorMetrics(CollectorRegistry()))
    broken = AccountPoller(Broken([]), interval=60, metrics=ConnectorMetrics(CollectorRegistry()))
    runner = Runner([broken, healthy], tick=0.01)
    import threading

    thread = threading.Thread(target=runner.run)
    thread.start()
    deadline = datetime.now(UTC).timestamp() + 5
    while not healthy.connector.sink.events and datetime.now(UTC).timestamp() < deadline:
        thread.join(0.05)
    runner.stop()
    thread.join(5)
    assert healthy.connector.sink.events and not thread.is_alive()
    assert "unexpected KeyError" in caplog.text and "a bug" not in caplog.text


def test_the_runner_picks_up_drops_and_rebuilds_accounts_while_it_runs() -> None:
    """An account connected in Kontoer starts polling within a resync, a paused one stops, and a
    reconnected one gets a new poller (new credentials) that continues from the same cursors."""
    from connectors.runner import Wanted

    cursors = MemoryCursorStore()
    built: list[tuple[str, str]] = []
    wanted: dict[str, str] = {"mastodon:1": "v1"}

    metrics = ConnectorMetrics(CollectorRegistry())

    def build(account: str, version: str) -> AccountPoller:
        built.append((account, version))
        connector = ScriptedConnector([1, 1, 1, 1, 1, 1, 1, 1], account)
        connector.cursors = cursors
        return AccountPoller(connector, interval=0.05, metrics=metrics, token_expires_at=2e9)

    def current() -> list[Wanted]:
        return [Wanted(key, version, lambda key=key, version=version: build(key.split(":")[1], version))
                for key, version in list(wanted.items())]

    runner = Runner(wanted=current, tick=0.01, resync_seconds=0.05)
    import threading
    import time

    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        def settle(condition) -> None:
            deadline = time.monotonic() + 5
            while not condition() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert condition()

        settle(lambda: [p.key for p in runner.pollers] == ["mastodon:1"])
        wanted["mastodon:2"] = "v1"  # connected in Kontoer
        settle(lambda: sorted(p.key for p in runner.pollers) == ["mastodon:1", "mastodon:2"])
        first = next(p for p in runner.pollers if p.key == "mastodon:2")
        settle(lambda: first.connector.counter >= 1)
        wanted["mastodon:2"] = "v2"  # reconnected: new credentials
        settle(lambda: any(p.key == "mastodon:2" and p is not first for p in runner.pollers))
        del wanted["mastodon:1"]  # paused or disconnected
        settle(lambda: [p.key for p in runner.pollers] == ["mastodon:2"])
    finally:
        runner.stop()
        thread.join(timeout=5)
    assert built[:3] == [("1", "v1"), ("2", "v1"), ("2", "v2")]
    assert cursors.load(Platform.MASTODON, "2")  # the rebuilt poller's cursor store is the account's
    expiry = "innboks_connector_token_expiry_timestamp_seconds"
    assert metrics.registry.get_sample_value(expiry, {"platform": "mastodon", "account": "2"}) == 2e9
    assert metrics.registry.get_sample_value(expiry, {"platform": "mastodon", "account": "1"}) is None  # gone


def test_an_account_whose_poller_cannot_be_built_is_skipped_until_it_changes() -> None:
    from connectors.runner import Wanted

    attempts = []

    def failing() -> AccountPoller:
        attempts.append(1)
        raise ValueError("no credentials for mastodon")

    versions = {"mastodon:9": "v1"}
    runner = Runner(wanted=lambda: [Wanted(k, v, failing) for k, v in versions.items()])
    runner.sync()
    runner.sync()
    assert len(attempts) == 1 and runner.refused["mastodon:9"][1] == "no credentials for mastodon"
    versions["mastodon:9"] = "v2"
    runner.sync()
    assert len(attempts) == 2 and runner.pollers == []
