"""Faust's own sensor data (``app.monitor``) as Prometheus metrics, in Innboks's conventions.

Read at scrape time: messages in and out per topic, events processed, rebalances, commit and send
latency (median of the recent ones), and the consumer lag per topic (the partitions' high-water mark
minus the last offset this worker read), summed over this worker's partitions.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class WorkerSensors(Collector):
    def __init__(self, monitor: Callable[[], object | None]) -> None:
        self._monitor = monitor

    def collect(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        monitor = self._monitor()
        received = CounterMetricFamily("innboks_worker_messages_received", "Records consumed, by topic.",
                                       labels=["topic"])
        sent = CounterMetricFamily("innboks_worker_messages_sent", "Records produced, by topic.", labels=["topic"])
        events = CounterMetricFamily("innboks_worker_events", "Events processed by the agents.")
        rebalances = CounterMetricFamily("innboks_worker_rebalances", "Consumer-group rebalances seen.")
        commit = GaugeMetricFamily("innboks_worker_commit_latency_seconds",
                                   "Median latency of the recent offset commits.")
        send = GaugeMetricFamily("innboks_worker_send_latency_seconds",
                                 "Median latency of the recent produce requests.")
        lag = GaugeMetricFamily("innboks_consumer_lag_messages",
                                "Records not yet read by this worker (high-water mark minus position), by topic.",
                                labels=["topic"])
        if monitor is not None:
            m = monitor
            for topic, count in sorted(m.messages_received_by_topic.items()):  # type: ignore[attr-defined]
                received.add_metric([topic], count)
            for topic, count in sorted(m.messages_sent_by_topic.items()):  # type: ignore[attr-defined]
                sent.add_metric([topic], count)
            events.add_metric([], m.events_total)  # type: ignore[attr-defined]
            rebalances.add_metric([], m.rebalances)  # type: ignore[attr-defined]
            commit.add_metric([], _median(m.commit_latency))  # type: ignore[attr-defined]
            send.add_metric([], _median(m.send_latency))  # type: ignore[attr-defined]
            for topic, behind in sorted(consumer_lag(m.tp_end_offsets, m.tp_read_offsets).items()):  # type: ignore[attr-defined]
                lag.add_metric([topic], behind)
        yield from (received, sent, events, rebalances, commit, send, lag)


def _median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else 0.0


def consumer_lag(end_offsets: dict, read_offsets: dict) -> dict[str, int]:  # type: ignore[type-arg]
    """Per topic: the sum over partitions of high-water mark minus the next offset to read."""
    lag: dict[str, int] = {}
    for tp, end in end_offsets.items():
        read = read_offsets.get(tp)
        position = read + 1 if read is not None else 0
        lag[tp.topic] = lag.get(tp.topic, 0) + max(0, end - position)
    return lag
