"""Slowing down password guessing: failed sign-ins per (user name, client address) and per address.

A few failures in a row are normal (a typo, caps lock); after ``per_user`` failures for one user name
from one address within ``window`` seconds, or ``per_address`` from one address for any names, each
further attempt from that address has to wait, and the wait doubles with every failure beyond the
limit (up to ``max_wait``). A waiting attempt is refused before its password is checked, so guessing
costs the attacker time and the server no argon2 work.

The user name is counted together with the address, as OWASP's Authentication Cheat Sheet advises:
someone guessing kari's password from their address never makes kari herself wait at hers, so no
one can lock staff out (a count per user name alone would let one wrong attempt per window keep a
named user out). A successful sign-in clears that (user name, address)'s failures, not the
address's: one address guessing many user names stays slowed down.

The client address is the connection's, or ``X-Forwarded-For``'s only from a proxy listed in
``FORWARDED_ALLOW_IPS`` (uvicorn; docs/security.md): otherwise rotating the header would escape the
per-address limit. The counts live in each inbox process; a restart forgets them, which costs an
attacker at most one more round of guesses.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

#: Distinct user names and addresses remembered at most; older entries are dropped first.
MAX_KEYS = 10_000


@dataclass
class LoginThrottle:
    per_user: int = 5
    per_address: int = 30
    window: float = 900.0
    first_wait: float = 30.0
    max_wait: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def wait(self, username: str, address: str | None) -> float:
        """Seconds until another attempt for this user name from this address is taken (0: now)."""
        now = self.clock()
        return max(self._wait(key, limit, now) for key, limit in self._keys(username, address))

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock()
        for key, _limit in self._keys(username, address):
            failures = self._recent(key, now)
            if failures is None:
                if len(self._failures) >= MAX_KEYS:
                    del self._failures[next(iter(self._failures))]
                failures = self._failures[key] = deque()
            failures.append(now)

    def succeeded(self, username: str, address: str | None) -> None:
        self._failures.pop(_user_key(username, address), None)

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(_user_key(username, address), self.per_user)]
        if address:
            keys.append((f"address:{address}", self.per_address))
        return keys

    def _recent(self, key: str, now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _wait(self, key: str, limit: int, now: float) -> float:
        failures = self._recent(key, now)
        if not failures or len(failures) < limit:
            return 0.0
        wait = min(self.max_wait, self.first_wait * 2 ** (len(failures) - limit))
        return max(0.0, failures[-1] + wait - now)


def _user_key(username: str, address: str | None) -> str:
    return f"user:{username.strip().casefold()}\0{address or '-'}"
