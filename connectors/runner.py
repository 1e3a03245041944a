"""Polling accounts on a schedule, one failing account never stopping the others.

Each account has an ``AccountPoller``: it polls, flushes, records metrics, and turns failures
into a state (``ok``, ``rate_limited``, ``failing``, ``token_invalid``) with the time of the
next attempt. A change of state becomes a ``ConnectorEvent``.

- Auth errors (an expired or revoked token) are not retried on the normal schedule. The account
  waits until its credentials change (the referenced variable or file gets a new value) or an
  hour has passed.
- A rate limit waits for the announced reset.
- Other errors back off exponentially (up to 15 minutes).

``Runner`` gives every enabled account of the registry its own thread. Given ``wanted`` (what should run
now: the registry as it is, with the accounts connected in Kontoer), it looks again every few seconds
and starts a poller for an account that was connected, stops one that was removed or paused, and
builds a new one when an account's settings or credentials changed (a reconnection): the new poller
continues from the account's cursors, which are kept by account, not by credentials.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from connectors.base import Connector, DeliveryError, utcnow
from connectors.errors import AuthError, ConnectorError, RateLimited
from connectors.metrics import METRICS, ConnectorMetrics
from connectors.state import ConnectorEvents
from schemas import ConnectorEvent, ConnectorEventKind

log = logging.getLogger(__name__)

AUTH_RECHECK_SECONDS = 3600.0
MAX_BACKOFF_SECONDS = 900.0


#: The error classes of ``innboks_connector_errors_total`` (docs/metrics.md).
ERROR_CLASSES = ("auth", "rate_limited", "retriable", "fatal", "pagination_loop", "delivery")


class PollState(StrEnum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    FAILING = "failing"
    TOKEN_INVALID = "token_invalid"


@dataclass
class PollOutcome:
    state: PollState
    sent: int = 0
    error: str | None = None
    next_in: float = 0.0


class AccountPoller:
    def __init__(
        self,
        connector: Connector,
        interval: float,
        events: ConnectorEvents | None = None,
        metrics: ConnectorMetrics = METRICS,
        credential_fingerprint: Callable[[], str] | None = None,
        clock: Callable[[], float] = time.time,
        token_expires_at: float | None = None,
        health: Callable[[AccountPoller, PollOutcome], None] | None = None,
    ) -> None:
        self.connector = connector
        self.health = health
        self.interval = interval
        self.events = events or ConnectorEvents(None)
        self.metrics = metrics
        self.credential_fingerprint = credential_fingerprint or (lambda: "")
        self.clock = clock
        self.state = PollState.OK
        self.failures = 0
        self.next_at = 0.0
        self._rejected_credentials: str | None = None
        self._labels = (connector.platform.value, connector.account_id)
        self._set_up = False
        # Every series exists from the start (at 0), so dashboards and alerts see "no errors yet"
        # rather than no data.
        for error_class in ERROR_CLASSES:
            metrics.errors.labels(*self._labels, error_class)
        if token_expires_at is not None:
            metrics.token_expiry.labels(*self._labels).set(token_expires_at)

    def due(self, now: float) -> bool:
        if self.state is PollState.TOKEN_INVALID and self.credential_fingerprint() != self._rejected_credentials:
            return True  # new credentials: try at once
        return now >= self.next_at

    def poll_once(self) -> PollOutcome:
        platform, account = self._labels
        started = time.perf_counter()
        requests_before = self.connector.client.requests
        try:
            if not self._set_up:
                self.connector.setup()
                self._set_up = True
            sent = self.connector.poll()
            self.connector.flush()
        except AuthError as exc:
            outcome = self._fail(PollState.TOKEN_INVALID, "auth", str(exc), AUTH_RECHECK_SECONDS)
            self._rejected_credentials = self.credential_fingerprint()
            self.metrics.token_valid.labels(*self._labels).set(0)
        except RateLimited as exc:
            wait = max(self.interval, exc.retry_after or self.interval)
            outcome = self._fail(PollState.RATE_LIMITED, "rate_limited", str(exc), wait)
        except (ConnectorError, DeliveryError) as exc:
            self.failures += 1
            wait = min(MAX_BACKOFF_SECONDS, self.interval * 2 ** min(self.failures - 1, 6))
            error_class = getattr(exc, "error_class", "error")
            outcome = self._fail(PollState.FAILING, error_class, str(exc), wait)
        else:
            outcome = PollOutcome(PollState.OK, sent=sent, next_in=self.interval)
            self.metrics.items.labels(*self._labels).inc(sent)
            self.metrics.last_success.labels(*self._labels).set(self.clock())
            self.metrics.token_valid.labels(*self._labels).set(1)
            self.metrics.polls.labels(platform, account, "ok").inc()
            if self.state is not PollState.OK:
                self._emit(ConnectorEventKind.RECOVERED, None, "polling works again", None)
            self.state, self.failures = PollState.OK, 0
        finally:
            self.metrics.poll_duration.labels(platform).observe(time.perf_counter() - started)
            self.metrics.requests.labels(*self._labels).inc(self.connector.client.requests - requests_before)
            limit = self.connector.client.rate_limit
            if limit is not None and limit.remaining_ratio is not None:
                self.metrics.rate_limit_remaining.labels(*self._labels).set(limit.remaining_ratio)
        self.next_at = self.clock() + outcome.next_in
        if self.health is not None:
            self.health(self, outcome)
        return outcome

    @property
    def key(self) -> str:
        return f"{self._labels[0]}:{self._labels[1]}"

    def _fail(self, state: PollState, error_class: str, detail: str, wait: float) -> PollOutcome:
        platform, account = self._labels
        self.metrics.errors.labels(platform, account, error_class).inc()
        self.metrics.polls.labels(platform, account, state.value).inc()
        log.warning("%s %s: %s (next attempt in %.0f s)", platform, account, detail, wait)
        if state is not self.state:
            kind = {PollState.TOKEN_INVALID: ConnectorEventKind.TOKEN_INVALID,
                    PollState.RATE_LIMITED: ConnectorEventKind.RATE_LIMITED}.get(state, ConnectorEventKind.FAILING)
            self._emit(kind, error_class, detail, wait if state is PollState.RATE_LIMITED else None)
        self.state = state
        return PollOutcome(state, error=detail, next_in=wait)

    def _emit(self, kind: ConnectorEventKind, error_class: str | None, detail: str, retry: float | None) -> None:
        self.events.emit(ConnectorEvent(
            platform=self.connector.platform, account_id=self.connector.account_id, kind=kind,
            error_class=error_class, detail=detail, retry_after_seconds=retry, at=utcnow(),
        ))

    def close(self) -> None:
        self.connector.cleanup()

    def forget_metrics(self) -> None:
        """The account is no longer polled (disconnected, paused): its token series go, so no alert fires
        for a token nobody uses."""
        for gauge in (self.metrics.token_expiry, self.metrics.token_valid):
            try:
                gauge.remove(*self._labels)
            except KeyError:
                pass


def fingerprint_of(values: Callable[[], list[str]]) -> Callable[[], str]:
    """A digest of the current credential values, to notice when an operator replaced them."""

    def digest() -> str:
        try:
            joined = "\0".join(values())
        except Exception:  # noqa: BLE001 - a missing secret is just "no usable credentials"
            return ""
        return hashlib.sha256(joined.encode()).hexdigest()

    return digest


@dataclass(frozen=True)
class Wanted:
    """An account that should be polled now: its key, what identifies its settings and credentials, and how
    to build its poller."""

    key: str
    fingerprint: str
    build: Callable[[], AccountPoller]


class Runner:
    """Polls many accounts, each in its own thread, until stopped."""

    def __init__(self, pollers: Iterable[AccountPoller] = (), tick: float = 1.0,
                 wanted: Callable[[], list[Wanted]] | None = None, resync_seconds: float = 5.0) -> None:
        self.pollers: list[AccountPoller] = list(pollers)
        self.tick = tick
        self.wanted = wanted
        self.resync_seconds = resync_seconds
        self.stopping = threading.Event()
        self._fingerprints: dict[str, str] = {}
        self._threads: dict[str, tuple[threading.Thread, threading.Event]] = {}
        #: key → (fingerprint, why): accounts whose poller could not be built (tried again when they change).
        self.refused: dict[str, tuple[str, str]] = {}
        self._running = False
        self._lock = threading.Lock()

    def sync(self) -> None:
        """Bring the pollers in line with ``wanted``: start new accounts, stop gone ones, rebuild changed ones."""
        if self.wanted is None:
            return
        wanted = {w.key: w for w in self.wanted()}
        with self._lock:
            for poller in list(self.pollers):
                want = wanted.get(poller.key)
                if want is None or want.fingerprint != self._fingerprints.get(poller.key):
                    self._retire(poller)
                    if want is None:
                        poller.forget_metrics()
            running = {poller.key for poller in self.pollers}
            for key, want in wanted.items():
                if key in running or self.refused.get(key, ("",))[0] == want.fingerprint:
                    continue
                try:
                    poller = want.build()
                except Exception as exc:  # noqa: BLE001 - one account without credentials must not stop the others
                    log.warning("skipping %s: %s", key, exc)
                    self.refused[key] = (want.fingerprint, str(exc))
                    continue
                self.refused.pop(key, None)
                self._fingerprints[key] = want.fingerprint
                self.pollers.append(poller)
                log.info("polling %s", key)
                if self._running:
                    self._start(poller)

    def _retire(self, poller: AccountPoller) -> None:
        self.pollers.remove(poller)
        self._fingerprints.pop(poller.key, None)
        thread, stop = self._threads.pop(poller.key, (None, None))
        if stop is not None:
            stop.set()
        if thread is not None:
            thread.join(timeout=30)
        try:
            poller.close()
        except Exception as exc:  # noqa: BLE001
            log.warning("%s: closing failed (%s)", poller.key, type(exc).__name__)
        log.info("stopped polling %s (removed, paused or changed)", poller.key)

    def _start(self, poller: AccountPoller) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=self._loop, args=(poller, stop),
                                  name=f"poll-{poller.connector.platform.value}", daemon=True)
        self._threads[poller.key] = (thread, stop)
        thread.start()

    def run(self, once: bool = False) -> list[PollOutcome]:
        self.sync()
        if once:
            results: list[PollOutcome] = []
            threads = [threading.Thread(target=lambda p=p: results.append(p.poll_once())) for p in self.pollers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return results
        with self._lock:
            self._running = True
            for poller in self.pollers:
                self._start(poller)
        while not self.stopping.wait(self.resync_seconds if self.wanted is not None else 3600.0):
            try:
                self.sync()
            except Exception as exc:  # noqa: BLE001 - the store away for a moment: keep the pollers running
                log.warning("accounts not re-read: %s", type(exc).__name__)
        for thread, stop in list(self._threads.values()):
            stop.set()
            thread.join(timeout=30)
        return []

    def _loop(self, poller: AccountPoller, stop: threading.Event) -> None:
        while not self.stopping.is_set() and not stop.is_set():
            if poller.due(time.time()):
                try:
                    poller.poll_once()
                except Exception as exc:  # noqa: BLE001 - a bug in one connector must not stop the others
                    # The type only: a traceback could carry message content (pydantic echoes input).
                    log.error("%s %s: unexpected %s", *poller._labels, type(exc).__name__)
                    poller.next_at = time.time() + MAX_BACKOFF_SECONDS
            stop.wait(self.tick)

    def stop(self) -> None:
        self.stopping.set()
