"""Prometheus metrics of ``innboks archive --fiks`` (port ``INNBOKS_FIKS_METRICS_PORT``, default 6069).

Labels are closed sets: the attempt kind, the receipt outcome, the status. Never a case id.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()

KVITTERING_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
STATUSES = ("pending", "sent", "received", "retrying", "archived", "failed")


class FiksMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.sent = Counter("innboks_archive_fiks_sent_total",
                            "Messages sent to the archive over Fiks IO (first: a revision's first sending; resend).",
                            ["attempt"], registry=registry)
        self.send_failures = Counter("innboks_archive_fiks_send_failures_total",
                                     "Sendings Fiks IO did not accept (retriable: will be tried again).",
                                     ["reason"], registry=registry)
        self.receipts = Counter("innboks_archive_fiks_receipts_total",
                                "Messages received on Innboks's Fiks IO account, by outcome (mottatt, kvittering, "
                                "ugyldigforespoersel, ikkefunnet, serverfeil, tidsavbrudd, fiks_serverfeil, duplicate, "
                                "unmatched, unreadable).", ["outcome"], registry=registry)
        self.kvittering_seconds = Histogram("innboks_archive_fiks_kvittering_seconds",
                                            "From sending a revision (its latest sending) to the archive's kvittering.",
                                            buckets=KVITTERING_BUCKETS, registry=registry)
        self.oldest_unconfirmed = Gauge("innboks_archive_fiks_oldest_unconfirmed_seconds",
                                        "Age of the oldest case revision sent without kvittering (and not failed for "
                                        "good); 0 when there is none.", registry=registry)
        self.alert_seconds = Gauge("innboks_archive_fiks_receipt_alert_seconds",
                                   "INNBOKS_FIKS_ALERT_SECONDS: a case without kvittering longer than this alerts.",
                                   registry=registry)
        self.cases = Gauge("innboks_archive_fiks_cases", "Case revisions known to the sender, by status "
                           "(failed: for good, needs an operator; retrying: will be sent again).",
                           ["status"], registry=registry)

    def watch(self, oldest: Callable[[], float], counts: Callable[[], dict[str, int]]) -> None:
        """Read the gauges from the sender's state at every scrape."""
        self.oldest_unconfirmed.set_function(oldest)
        for status in STATUSES:
            self.cases.labels(status).set_function(_count_of(counts, status))


def _count_of(counts: Callable[[], dict[str, int]], status: str) -> Callable[[], float]:
    return lambda: float(counts().get(status, 0))
