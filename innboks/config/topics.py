"""The topic catalogue: one place names every topic, what it carries and how it is configured.

Creating them on a broker is ``innboks.kafka.admin``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
ACTIONS = "innboks.actions"
ARCHIVE_RECEIPTS = "innboks.archive-receipts"


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
    TopicSpec(CONTROL, "ControlEvent | FactsEvent | AccountEvent", "crisis mode, the facts registry as saved, and "
              "the accounts connected in Kontoer (compacted)",
              COMPACTED, partitions=1),
    TopicSpec(CONNECTOR_STATE, "ConnectorCursor", "connector poll cursors per account (compacted)",
              COMPACTED, partitions=1),
    TopicSpec(ACTIONS, "ActionEvent", "replies, hidings and deletions to carry out on the platforms, and their "
              "outcomes (requested, approved, executing, done, failed), keyed by conversation",
              {"retention.ms": str(365 * DAY_MS)}),
    TopicSpec(ARCHIVE_RECEIPTS, "ArchiveReceipt", "what became of each forwarded case in the archive system "
              "(sent over Fiks IO, mottatt, kvittering with saksnummer, errors), keyed by conversation",
              {"retention.ms": str(365 * DAY_MS)}),
    TopicSpec(CONNECTOR_EVENTS, "ConnectorEvent", "connector health changes: token rejected, rate limited, recovered",
              {"retention.ms": str(90 * DAY_MS)}, partitions=1),
)

#: What the store projection reads (innboks/store/): the conversation store is a function of these.
PROJECTED_TOPICS = (MESSAGES, TRIAGED, SLA, CASES, CONTROL, ACTIONS, RAW, ARCHIVE_RECEIPTS)
