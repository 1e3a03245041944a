"""The topic catalogue and ``innboks topics create``.

One place names every topic, what it carries and how it is configured. Creation is idempotent:
missing topics are created, existing ones are compared and any drift is reported (Kafka cannot
shrink partitions, and changing them re-keys partitions, so Innboks never does it silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

DAY_MS = 24 * 3600 * 1000

RAW = "innboks.raw"
MESSAGES = "innboks.messages"
TRIAGED = "innboks.triaged"
CASES = "innboks.cases"
MODERATION = "innboks.moderation"
ESCALATIONS = "innboks.escalations"
SLA = "innboks.sla"
SLA_TICKS = "innboks.sla-ticks"
DEADLETTER = "innboks.deadletter"
CONTROL = "innboks.control"
CONNECTOR_STATE = "innboks.connector-state"
CONNECTOR_EVENTS = "innboks.connector-events"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    schema: str
    purpose: str
    config: dict[str, str] = field(default_factory=dict)
    #: None: the configured default partition count (keyed by conversation, scaled with workers).
    partitions: int | None = None


COMPACTED = {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"}

CATALOGUE: tuple[TopicSpec, ...] = (
    TopicSpec(RAW, "RawEvent", "platform items as fetched, before normalisation",
              {"retention.ms": str(14 * DAY_MS)}),
    TopicSpec(MESSAGES, "InboxMessage", "normalised messages, keyed by conversation",
              {"retention.ms": str(30 * DAY_MS)}),
    TopicSpec(TRIAGED, "TriagedMessage", "messages with their triage decision",
              {"retention.ms": str(30 * DAY_MS)}),
    TopicSpec(CASES, "CaseForward", "case-handling requests for the archive system",
              {"retention.ms": str(365 * DAY_MS)}),
    TopicSpec(MODERATION, "TriagedMessage", "messages flagged for moderation",
              {"retention.ms": str(90 * DAY_MS)}),
    TopicSpec(ESCALATIONS, "TriagedMessage", "messages for the nearest leader and communication unit",
              {"retention.ms": str(90 * DAY_MS)}),
    TopicSpec(SLA, "SlaEvent", "response-time clock events: opened, warning, breached, answered",
              {"retention.ms": str(90 * DAY_MS)}),
    TopicSpec(SLA_TICKS, "SlaTick", "internal: the SLA timer asks the clock's owner to check a conversation "
              "(co-partitioned with innboks.triaged)", {"retention.ms": str(DAY_MS)}),
    TopicSpec(DEADLETTER, "DeadLetter", "inputs that could not be processed, with the reason",
              {"retention.ms": str(90 * DAY_MS)}, partitions=1),
    TopicSpec(CONTROL, "ControlEvent", "crisis mode (compacted)",
              COMPACTED, partitions=1),
    TopicSpec(CONNECTOR_STATE, "ConnectorCursor", "connector poll cursors per account (compacted)",
              COMPACTED, partitions=1),
    TopicSpec(CONNECTOR_EVENTS, "ConnectorEvent", "connector health changes: token rejected, rate limited, recovered",
              {"retention.ms": str(90 * DAY_MS)}, partitions=1),
)


class TopicStatus(StrEnum):
    CREATED = "created"
    EXISTS = "exists"
    DRIFT = "drift"


@dataclass(frozen=True)
class TopicResult:
    name: str
    partitions: int
    status: TopicStatus
    detail: str = ""


def partitions_for(spec: TopicSpec, default_partitions: int) -> int:
    return spec.partitions if spec.partitions is not None else default_partitions


def create_topics(
    bootstrap_servers: str | list[str],
    default_partitions: int,
    replication: int,
    catalogue: tuple[TopicSpec, ...] = CATALOGUE,
    timeout_s: float = 30.0,
) -> list[TopicResult]:
    """Create every missing topic of the catalogue and report the state of each one."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers, client_id="innboks-topics",
            request_timeout_ms=int(timeout_s * 1000), bootstrap_timeout_ms=10_000,
        )
    except KafkaError as exc:
        raise TopicsError(f"could not create topics: no broker answers at {bootstrap_servers}") from exc
    try:
        existing = set(admin.list_topics())
        results: dict[str, TopicResult] = {}
        for spec in catalogue:
            wanted = partitions_for(spec, default_partitions)
            if spec.name in existing:
                continue
            try:
                admin.create_topics(
                    [NewTopic(spec.name, wanted, replication, topic_configs=dict(spec.config))],
                    timeout_ms=int(timeout_s * 1000),
                )
                results[spec.name] = TopicResult(spec.name, wanted, TopicStatus.CREATED)
            except TopicAlreadyExistsError:  # created concurrently by another process
                existing.add(spec.name)
        described = {d["name"]: d for d in admin.describe_topics(sorted(existing & {s.name for s in catalogue}))}
        for spec in catalogue:
            if spec.name in results:
                continue
            wanted = partitions_for(spec, default_partitions)
            actual = len(described.get(spec.name, {}).get("partitions", []))
            if actual == wanted:
                results[spec.name] = TopicResult(spec.name, actual, TopicStatus.EXISTS)
            else:
                results[spec.name] = TopicResult(
                    spec.name, actual, TopicStatus.DRIFT,
                    f"has {actual} partitions, configured {wanted}; change INNBOKS_TOPIC_PARTITIONS "
                    "or repartition deliberately",
                )
        return [results[spec.name] for spec in catalogue]
    except KafkaError as exc:
        raise TopicsError(f"could not create topics on {bootstrap_servers}: {exc}") from exc
    finally:
        admin.close()


class TopicsError(RuntimeError):
    pass
