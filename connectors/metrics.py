"""Prometheus metrics of the connectors (served by ``innboks poll`` / ``innboks connectors run``).

Labels: platform, account (bounded by the account registry), error class, resource and outcome
(closed sets). Never message content.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()

POLL_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
ACTION_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)


class ConnectorMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        labels = ["platform", "account"]
        self.polls = Counter("innboks_connector_polls_total", "Polls of an account, by outcome.",
                             [*labels, "outcome"], registry=registry)
        self.items = Counter("innboks_connector_items_total", "Items delivered to innboks.raw (new or changed).",
                             labels, registry=registry)
        self.errors = Counter("innboks_connector_errors_total", "Failed polls, by error class.",
                              [*labels, "error_class"], registry=registry)
        self.rate_limit_remaining = Gauge(
            "innboks_connector_rate_limit_remaining_ratio",
            "Share of the platform's rate limit left after the last request (1 = all left).",
            labels, registry=registry)
        self.last_success = Gauge("innboks_connector_last_success_timestamp_seconds",
                                  "When the account was last polled successfully (Unix time).",
                                  labels, registry=registry)
        self.token_valid = Gauge("innboks_connector_token_valid",
                                 "1 while the platform accepts the account's credentials, 0 once rejected.",
                                 labels, registry=registry)
        self.token_expiry = Gauge("innboks_connector_token_expiry_timestamp_seconds",
                                  "When the account must be connected again (Unix time): as connected in Kontoer, "
                                  "or the registry's token_expires.",
                                  labels, registry=registry)
        self.poll_duration = Histogram("innboks_connector_poll_duration_seconds", "Duration of one poll.",
                                       ["platform"], buckets=POLL_BUCKETS, registry=registry)
        self.requests = Counter("innboks_connector_requests_total", "HTTP requests made to platform APIs.",
                                labels, registry=registry)
        self.actions = Counter("innboks_actions_total",
                               "Actions carried out on the platforms, by kind and outcome (done, failed) and failure.",
                               ["platform", "kind", "outcome", "failure"], registry=registry)
        self.action_seconds = Histogram("innboks_action_seconds",
                                        "From an action's request (or approval) to its outcome on the platform.",
                                        ["platform", "kind"], buckets=ACTION_BUCKETS, registry=registry)


REGISTRY = CollectorRegistry()
METRICS = ConnectorMetrics(REGISTRY)
