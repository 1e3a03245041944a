"""Metrics are defined against a registry, named with unit suffixes, and labelled from closed sets."""

from prometheus_client import CollectorRegistry, generate_latest

from streams.metrics import PipelineMetrics
from streams.sla.schedule import AccountSummary as Row


def test_metrics_register_on_a_private_registry_with_innboks_prefix() -> None:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    metrics.messages.labels("facebook", "comment", "created").inc()
    metrics.first_response.labels("facebook", "standard").observe(120)
    metrics.open_inquiries.set_source(lambda now: {("facebook", "104857362918274"): Row(3, now - 90, 1)})
    text = generate_latest(registry).decode()
    assert 'innboks_messages_total{event="created",kind="comment",platform="facebook"} 1.0' in text
    assert 'innboks_inquiries_open{account="104857362918274",platform="facebook"} 3.0' in text
    assert 'innboks_inquiries_overdue{account="104857362918274",platform="facebook"} 1.0' in text
    assert 'innboks_inquiry_oldest_open_age_seconds{account="104857362918274",platform="facebook"} 90.0' in text
    assert 'innboks_first_response_seconds_bucket{le="300.0",platform="facebook",policy="standard"} 1.0' in text
    names = {m.name for m in registry.collect()}
    assert all(name.startswith("innboks_") for name in names)
    assert "_created" not in text


def test_open_inquiries_follow_the_source_at_each_scrape() -> None:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    groups = {("facebook", "a"): Row(1, 0.0, 0)}
    metrics.open_inquiries.set_source(lambda now: groups)
    assert 'account="a"' in generate_latest(registry).decode()
    groups = {("facebook", "b"): Row(2, 0.0, 0)}
    text = generate_latest(registry).decode()
    assert 'account="a"' not in text and 'account="b"' in text


def test_label_names_are_from_bounded_sets() -> None:
    registry = CollectorRegistry()
    PipelineMetrics(registry)
    allowed = {"platform", "kind", "event", "category", "type", "reason", "stage", "state", "policy", "account", "le",
               "in_time", "resolution", "action", "name", "owning_unit"}
    for family in registry.collect():
        for sample in family.samples:
            assert set(sample.labels) <= allowed, (family.name, sample.labels)


def test_worker_sensors_report_lag_per_topic_and_faust_counters() -> None:
    from types import SimpleNamespace

    from faust.types import TP

    from streams.sensors import WorkerSensors

    monitor = SimpleNamespace(
        messages_received_by_topic={"innboks.raw": 7}, messages_sent_by_topic={"innboks.messages": 6},
        events_total=7, rebalances=1, commit_latency=[0.01, 0.03], send_latency=[],
        tp_end_offsets={TP("innboks.raw", 0): 10, TP("innboks.raw", 1): 5, TP("innboks.sla", 0): 3},
        tp_read_offsets={TP("innboks.raw", 0): 6, TP("innboks.raw", 1): 4},
    )
    registry = CollectorRegistry()
    registry.register(WorkerSensors(lambda: monitor))
    text = generate_latest(registry).decode()
    assert 'innboks_consumer_lag_messages{topic="innboks.raw"} 3.0' in text  # (10 - 7) + (5 - 5)
    assert 'innboks_consumer_lag_messages{topic="innboks.sla"} 3.0' in text  # nothing read yet
    assert 'innboks_worker_messages_received_total{topic="innboks.raw"} 7.0' in text
    assert "innboks_worker_commit_latency_seconds 0.02" in text
