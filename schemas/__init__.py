"""The product contract: one pydantic model per topic, plus the pieces they embed.

Every event on an ``innboks.*`` topic is the JSON form of one of these models and carries a
``schema_version``. Field names are the contract with other teams (the archive system reads
``CaseForward``): fields may be added, never renamed. JSON Schema files for consumers are generated
from these models into ``schemas/jsonschema/`` (``python -m schemas.generate``).
"""

from schemas.action import ActionEvent, ActionFailure, ActionKind, ActionOutcome, HideReason
from schemas.archive import ArchiveError, ArchiveReceipt, ArchiveStatus
from schemas.base import SCHEMA_VERSION, Contract
from schemas.case import CaseChange, CaseForward, Screening
from schemas.connector import ConnectorCursor, ConnectorEvent, ConnectorEventKind
from schemas.control import ACCOUNT_KEY_PREFIX, CRISIS_KEY, FACTS_KEY, AccountEvent, ControlEvent, FactsEvent
from schemas.deadletter import DeadLetter
from schemas.enums import (
    Category,
    CloseReason,
    EscalationReason,
    Event,
    Kind,
    Language,
    ModerationReason,
    PiiType,
    Platform,
    Resolution,
    SlaState,
)
from schemas.message import InboxMessage, RawEvent, conversation_key
from schemas.sla import SlaEvent, SlaTick
from schemas.triage import PiiFinding, Triage, TriagedMessage

#: The models published as JSON Schema, by file name (without ``.json``).
PUBLISHED: dict[str, type[Contract]] = {
    "RawEvent": RawEvent,
    "InboxMessage": InboxMessage,
    "TriagedMessage": TriagedMessage,
    "CaseForward": CaseForward,
    "SlaEvent": SlaEvent,
    "SlaTick": SlaTick,
    "DeadLetter": DeadLetter,
    "ConnectorCursor": ConnectorCursor,
    "ConnectorEvent": ConnectorEvent,
    "ControlEvent": ControlEvent,
    "AccountEvent": AccountEvent,
    "FactsEvent": FactsEvent,
    "ActionEvent": ActionEvent,
    "ArchiveReceipt": ArchiveReceipt,
}

__all__ = [
    "PUBLISHED",
    "ACCOUNT_KEY_PREFIX",
    "AccountEvent",
    "ActionEvent",
    "ActionFailure",
    "ActionKind",
    "ActionOutcome",
    "ArchiveError",
    "ArchiveReceipt",
    "ArchiveStatus",
    "HideReason",
    "SCHEMA_VERSION",
    "CaseChange",
    "CaseForward",
    "Category",
    "CloseReason",
    "CRISIS_KEY",
    "FACTS_KEY",
    "ConnectorCursor",
    "ConnectorEvent",
    "ConnectorEventKind",
    "ControlEvent",
    "FactsEvent",
    "Contract",
    "DeadLetter",
    "EscalationReason",
    "Event",
    "InboxMessage",
    "Kind",
    "Language",
    "ModerationReason",
    "PiiFinding",
    "PiiType",
    "Platform",
    "RawEvent",
    "Screening",
    "SlaEvent",
    "Resolution",
    "SlaState",
    "SlaTick",
    "Triage",
    "TriagedMessage",
    "conversation_key",
]
