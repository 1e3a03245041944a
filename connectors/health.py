"""Account health in the store, for Kontoer, ``GET /api/accounts`` and the inbox's notices.

The connector runner records each account's poll state (a change at once, else a successful poll at
most once a minute) with the rate limit's headroom; the executor records its outcomes. A token the
platform refuses marks the account ``token_invalid`` until it is connected again, which is how one
revoked token pauses that account only and says so everywhere. Writing health never stops polling:
a store that is away is logged and skipped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from innboks.db.accounts import record_action, record_poll
from schemas import ActionEvent, ActionOutcome

if TYPE_CHECKING:
    from connectors.actions.executor import ActionState
    from connectors.runner import AccountPoller, PollOutcome

log = logging.getLogger(__name__)

#: A successful poll is written at most this often per account (a change of state at once).
MIN_INTERVAL_SECONDS = 60.0


class StoreHealth:
    def __init__(self, engine: Engine, credentials_version: Callable[[str], int | None] | None = None,
                 min_interval: float = MIN_INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.credentials_version = credentials_version or (lambda _key: None)
        self.min_interval = min_interval
        self.clock = clock
        self._last: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def poll(self, poller: AccountPoller, outcome: PollOutcome) -> None:
        connector = poller.connector
        key = f"{connector.platform.value}:{connector.account_id}"
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and last[0] == outcome.state.value and now - last[1] < self.min_interval:
                return
            self._last[key] = (outcome.state.value, now)
        limit = connector.client.rate_limit
        try:
            record_poll(self.engine, connector.platform, connector.account_id, outcome.state.value, outcome.error,
                        outcome.state.value == "ok", limit.remaining_ratio if limit is not None else None,
                        self.credentials_version(key))
        except SQLAlchemyError as exc:
            log.warning("%s: account health not recorded (%s)", key, type(exc).__name__)
            with self._lock:
                self._last.pop(key, None)

    def action(self, event: ActionEvent, _state: ActionState) -> None:
        target = event.target
        try:
            record_action(self.engine, target.platform, target.account_id, event.outcome is ActionOutcome.DONE,
                          event.failure.value if event.failure else None)
        except SQLAlchemyError as exc:
            log.warning("%s:%s: action health not recorded (%s)", target.platform.value, target.account_id,
                        type(exc).__name__)
