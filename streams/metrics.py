"""Prometheus metrics of the stream processors, defined in one place against a given registry.

Names carry the ``innboks_`` prefix and their unit; labels come only from closed sets (platform,
kind, category, reason, stage, state) or from the account registry, never from message content.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from schemas import Event, ModerationReason, Platform

disable_created_metrics()

#: First-response buckets, in seconds: 5 min to one week.
RESPONSE_BUCKETS = (300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 16 * 3600, 24 * 3600,
                    48 * 3600, 72 * 3600, 7 * 24 * 3600)
#: First-response buckets in business seconds: 5 min to three business days (7.5 h each).
BUSINESS_BUCKETS = (300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 6 * 3600, 7.5 * 3600, 15 * 3600, 22.5 * 3600)


class InquirySummary(Protocol):
    @property
    def open(self) -> int: ...
    @property
    def oldest_received(self) -> float: ...
    @property
    def overdue(self) -> int: ...


class OpenInquiries(Collector):
    """Open, overdue and oldest open inquiry per platform and account, computed at scrape time.

    The source is the SLA agent's index of the clocks on this worker's partitions, so the numbers
    follow the partitions when they move to another worker, and the age is exact at scrape time.
    """

    def __init__(self) -> None:
        self._source: Callable[[float], Mapping[tuple[str, str], InquirySummary]] = lambda now: {}

    def set_source(self, source: Callable[[float], Mapping[tuple[str, str], InquirySummary]]) -> None:
        self._source = source

    def collect(self) -> Iterable[GaugeMetricFamily]:
        now = time.time()
        summary = sorted(self._source(now).items())
        labels = ["platform", "account"]
        open_ = GaugeMetricFamily("innboks_inquiries_open", "Inquiries waiting for a first response.", labels=labels)
        overdue = GaugeMetricFamily("innboks_inquiries_overdue", "Open inquiries past their due time (late replies).",
                                    labels=labels)
        oldest = GaugeMetricFamily("innboks_inquiry_oldest_open_age_seconds",
                                   "Wall-clock age of the oldest open inquiry.", labels=labels)
        for (platform, account), row in summary:
            open_.add_metric([platform, account], row.open)
            overdue.add_metric([platform, account], row.overdue)
            oldest.add_metric([platform, account], max(0.0, now - row.oldest_received))
        yield from (open_, overdue, oldest)


class LatestTimestamp(Collector):
    """The newest own-account message time per account (for the dormant-account alert).

    Only ever moves forward, so a late or replayed message cannot make an account look older.
    """

    def __init__(self) -> None:
        self._latest: dict[tuple[str, str], float] = {}

    def observe(self, platform: str, account: str, timestamp: float) -> None:
        key = (platform, account)
        if timestamp > self._latest.get(key, 0.0):
            self._latest[key] = timestamp

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "innboks_account_last_own_message_timestamp_seconds",
            "When our own account last posted or replied (Unix time), as seen by this worker.",
            labels=["platform", "account"],
        )
        for (platform, account), value in sorted(self._latest.items()):
            family.add_metric([platform, account], value)
        yield family


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.messages = Counter(
            "innboks_messages_total", "Messages normalised, by platform, kind and event.",
            ["platform", "kind", "event"], registry=registry,
        )
        self.ignored = Counter(
            "innboks_raw_ignored_total", "Raw items that are not messages (likes, read receipts), by resource.",
            ["platform", "resource"], registry=registry,
        )
        self.triaged = Counter(
            "innboks_triaged_total", "Inbound messages triaged, by category.",
            ["platform", "category"], registry=registry,
        )
        self.pii = Counter(
            "innboks_pii_detected_total", "Personal data found in inbound messages, by type.",
            ["type"], registry=registry,
        )
        self.moderation_flags = Counter(
            "innboks_moderation_flags_total", "Messages flagged for moderation, by reason.",
            ["reason"], registry=registry,
        )
        self.escalations = Counter(
            "innboks_escalations_total",
            "Messages escalated to the leader and communication unit, by account and reason (alerted on).",
            ["platform", "account", "reason"], registry=registry,
        )
        self.cases_forwarded = Counter(
            "innboks_cases_forwarded_total", "Case-handling requests forwarded to the archive.",
            ["platform"], registry=registry,
        )
        self.sla_events = Counter(
            "innboks_sla_events_total", "Inquiry clock events, by state.",
            ["platform", "state"], registry=registry,
        )
        self.first_response = Histogram(
            "innboks_first_response_seconds", "Wall-clock time from an inquiry to our first answer.",
            ["platform", "policy"], buckets=RESPONSE_BUCKETS, registry=registry,
        )
        self.first_response_business = Histogram(
            "innboks_first_response_business_seconds",
            "Time from an inquiry to our first answer, counted on the policy's business-hours calendar.",
            ["platform", "policy"], buckets=BUSINESS_BUCKETS, registry=registry,
        )
        self.answered = Counter(
            "innboks_inquiries_answered_total", "Inquiries answered, by whether the answer came by the due time.",
            ["platform", "account", "policy", "in_time"], registry=registry,
        )
        self.inquiries_closed = Counter(
            "innboks_inquiries_closed_total",
            "Inquiries closed without an answer (hidden for an allowed reason, deleted).",
            ["platform", "resolution"], registry=registry,
        )
        self.deadletters = Counter(
            "innboks_deadletters_total", "Inputs sent to the dead-letter topic, by stage and reason.",
            ["stage", "reason"], registry=registry,
        )
        self.deadletter_failures = Counter(
            "innboks_deadletter_failures_total",
            "Rejected inputs whose dead letter could not be written either; skipped, logged by offset only.",
            ["stage"], registry=registry,
        )
        self.processing_latency = Histogram(
            "innboks_processing_latency_seconds",
            "From a record's timestamp on its input topic to the end of its processing, by stage.",
            ["stage"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=registry,
        )
        self.automatic_actions = Counter(
            "innboks_automatic_actions_total",
            "Actions Innboks asked for by itself: auto-protection (hide, reply) and out-of-hours acknowledgements.",
            ["platform", "kind", "rule"], registry=registry,
        )
        self.moderation_actions = Counter(
            "innboks_moderation_actions_total",
            "Inbound messages hidden or deleted, by the moderation reason triage gave them "
            "('none': no allowed reason).",
            ["platform", "action", "reason"], registry=registry,
        )
        self.stage_restarts = Counter(
            "innboks_stage_restarts_total",
            "Deaths of a stage while it processed a record: agent crashes and process deaths (a crash loop "
            "dead-letters the record after two).", ["stage"], registry=registry,
        )
        self.processing_errors = Counter(
            "innboks_processing_errors_total", "Unexpected errors while processing an event (also dead-lettered).",
            ["stage"], registry=registry,
        )
        self.account_info = Gauge(
            "innboks_account_info", "The official accounts of the registry (value 1), to join names and units onto.",
            ["platform", "account", "name", "owning_unit"], registry=registry,
        )
        self.crisis_mode = Gauge("innboks_crisis_mode", "1 while crisis mode is on.", registry=registry)
        self.open_inquiries = OpenInquiries()
        registry.register(self.open_inquiries)
        self.own_activity = LatestTimestamp()
        registry.register(self.own_activity)
        for metric in (self.messages, self.ignored, self.triaged, self.pii, self.moderation_flags, self.escalations,
                       self.cases_forwarded, self.sla_events, self.first_response, self.first_response_business,
                       self.answered, self.inquiries_closed, self.deadletters, self.deadletter_failures,
                       self.processing_latency, self.automatic_actions, self.moderation_actions,
                       self.stage_restarts, self.processing_errors, self.account_info):
            _cache_labels(metric)
        self._zero_known_series()

    def _zero_known_series(self) -> None:
        """Series of bounded label sets exist from the start at 0, so dashboards and alerts read
        "none yet" instead of "no data" (a rate over a missing series is empty, not 0)."""
        for stage in STAGES:
            for code in DEADLETTER_CODES:
                self.deadletters.labels(stage, code)
        for agent in AGENTS:
            self.stage_restarts.labels(agent)
            self.deadletters.labels(agent, "crash_loop")
        for platform in Platform:
            for action in (Event.HIDDEN, Event.DELETED):
                for reason in (*ModerationReason, "none"):
                    self.moderation_actions.labels(platform.value, action.value, str(reason))


def _cache_labels(metric: Counter | Gauge | Histogram) -> None:
    """``labels`` remembers each child it returned (issue 30: prometheus-client's ``labels`` checks and
    locks on every call, about 8 µs, several times per message). The label sets are bounded (module
    docstring) and prometheus-client returns the same child for the same labels anyway."""
    setattr(metric, "labels", functools.cache(metric.labels))  # noqa: B010 - an instance attribute on purpose


#: The processing stages (``guarded(stage, ...)``) and the dead-letter reason codes they give.
STAGES = ("normalize", "triage", "route", "sla")
#: The agents (each its own consumer of records): their deaths and crash loops are counted.
AGENTS = ("normalize", "conversation")
DEADLETTER_CODES = ("invalid_json", "schema_violation", "unsupported_resource", "unsupported_platform",
                    "empty_payload", "too_large", "too_deep", "text_too_long", "processing_error")


REGISTRY = CollectorRegistry()
METRICS = PipelineMetrics(REGISTRY)
