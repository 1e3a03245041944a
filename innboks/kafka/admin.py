"""``innboks topics create``: the catalogue's topics on a broker.

Creation is idempotent: missing topics are created, existing ones are compared and any drift is
reported (Kafka cannot shrink partitions, and changing them re-keys partitions, so Innboks never
does it silently).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from innboks.config.topics import CATALOGUE, TopicSpec


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
