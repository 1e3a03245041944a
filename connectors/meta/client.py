"""What the Facebook and Instagram connectors share: the Graph API host, version, error codes and
versioned edges (``GraphConnector``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from connectors.base import Connector
from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalRequestError,
    RateLimited,
    RetriableError,
)
from connectors.http import ResponsePolicy

GRAPH_HOST = "https://graph.facebook.com"
GRAPH_VERSION = "v24.0"

#: Graph error codes that mean "slow down": app (4), user (17), page (32), custom (613) limits and
#: the Business Use Case limits (80001-80014).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
#: Invalid, expired or revoked access token (190), missing token (104), expired session (102, 463, 467).
AUTH_CODES = frozenset({190, 102, 104, 463, 467})
#: Temporary server-side problems.
TRANSIENT_CODES = frozenset({1, 2})
#: Default pause when a Graph rate limit gives no reset time.
DEFAULT_RATE_LIMIT_PAUSE = 300.0


class GraphPolicy(ResponsePolicy):
    """Graph API errors are JSON ``{"error": {"code", "error_subcode", "type", "is_transient"}}``."""

    default_pause = DEFAULT_RATE_LIMIT_PAUSE

    def classify(self, status: int, body: Any, headers: Any, path: str, now: float) -> ConnectorError:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return super().classify(status, body, headers, path, now)
        code, subcode = error.get("code"), error.get("error_subcode")
        label = f"Graph error {code}" + (f"/{subcode}" if subcode else "") + f" from {path}"
        if code in AUTH_CODES:
            return AuthError(f"{label}: access token expired, revoked or invalid")
        if code in RATE_LIMIT_CODES:
            return RateLimited(f"{label}: rate limited", self.pause_for(headers, now))
        if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
            return RetriableError(f"{label}: temporary error")
        if code == 10 or (isinstance(code, int) and 200 <= code < 300):
            return FatalRequestError(f"{label}: permission missing")
        return FatalRequestError(label)


def graph_version(options: Mapping[str, Any]) -> str:
    """The Graph API version an account is read with: ``options.graph_version``, else ``GRAPH_VERSION``."""
    return str(options.get("graph_version", GRAPH_VERSION))


class GraphConnector(Connector):
    """Base of the Facebook and Instagram connectors: the Graph host, its policy, versioned edges."""

    api_base: ClassVar[str] = GRAPH_HOST
    policy = GraphPolicy

    @property
    def version(self) -> str:
        return graph_version(self.options)

    def edge(self, node: str, edge: str) -> str:
        """``/{version}/{node}/{edge}`` on the Graph host."""
        return self.url(f"/{self.version}/{node}/{edge}")
