"""Watching the output topics to show what the pipeline did (demo progress and summary).

Reads with a ``TopicTail`` (every partition from the beginning, no consumer group, so no group
coordination).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field

from innboks.config import topics
from innboks.domain.archive_status import Position, supersedes
from innboks.kafka.clients import TopicTail


@dataclass
class PipelineCounts:
    raw: int = 0
    messages: set[str] = field(default_factory=set)
    triaged: dict[str, str] = field(default_factory=dict)  # message id -> category
    cases: set[str] = field(default_factory=set)
    screened_cases: set[str] = field(default_factory=set)
    moderation: set[str] = field(default_factory=set)
    escalations: set[str] = field(default_factory=set)
    sla_opened: set[str] = field(default_factory=set)
    sla_answered: set[str] = field(default_factory=set)
    deadletters: Counter[str] = field(default_factory=Counter)
    #: Actions carried out or failed ("reply done", "hide failed: not_supported" …).
    actions: Counter[str] = field(default_factory=Counter)
    #: Our replies that actions posted (they are on innboks.messages too, but not from the platform).
    action_messages: set[str] = field(default_factory=set)
    #: Each case's place in the archive (revision 0, innboks.archive-receipts): case id ->
    #: (status, attempt, final, saksnummer, journalpostnummer).
    archive: dict[str, tuple[str, int, bool, str | None, int | None]] = field(default_factory=dict)

    @property
    def categories(self) -> Counter[str]:
        return Counter(self.triaged.values())

    @property
    def open_inquiries(self) -> int:
        return len(self.sla_opened - self.sla_answered)


    @property
    def fetched_messages(self) -> set[str]:
        """Messages that came from the platform (not our replies posted from Innboks)."""
        return self.messages - self.action_messages


WATCHED = (topics.RAW, topics.MESSAGES, topics.TRIAGED, topics.CASES, topics.MODERATION, topics.ESCALATIONS,
           topics.SLA, topics.DEADLETTER, topics.ACTIONS, topics.ARCHIVE_RECEIPTS)


class TopicMonitor:
    def __init__(self, bootstrap_servers: str) -> None:
        self.counts = PipelineCounts()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._tail = TopicTail(bootstrap_servers, WATCHED, client_id="innboks-demo-monitor")
        self._thread = threading.Thread(target=self._run, name="topic-monitor", daemon=True)

    def start(self) -> TopicMonitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._tail.close()

    def snapshot(self) -> PipelineCounts:
        with self._lock:
            c = self.counts
            return PipelineCounts(
                c.raw, set(c.messages), dict(c.triaged), set(c.cases), set(c.screened_cases),
                set(c.moderation), set(c.escalations), set(c.sla_opened), set(c.sla_answered), Counter(c.deadletters),
                Counter(c.actions), set(c.action_messages), dict(c.archive),
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            records = self._tail.poll(0.2)
            with self._lock:
                for record in records:
                    try:
                        self._count(record.topic, record.value)
                    except (KeyError, TypeError):  # not our schema: nothing to count
                        continue

    def _count(self, topic: str, value: bytes | None) -> None:
        c = self.counts
        if topic == topics.RAW:
            c.raw += 1
            return
        try:
            event = json.loads(value or b"")
        except ValueError:
            return
        if topic == topics.MESSAGES:
            c.messages.add(event["id"])
        elif topic == topics.TRIAGED and event.get("triage"):
            c.triaged[event["message"]["id"]] = event["triage"]["category"]
        elif topic == topics.CASES:
            c.cases.add(event["case_id"])
            if event["screening"]["screened"]:
                c.screened_cases.add(event["case_id"])
        elif topic == topics.ARCHIVE_RECEIPTS and event.get("revision") == 0:
            current = c.archive.get(event["case_id"])
            final = event["status"] == "archived" or (event["status"] == "failed" and not event.get("retry"))
            new = Position(event["status"], event["attempt"], final)
            if current is None or supersedes(new, Position(current[0], current[1], current[2])):
                number = (f"{event['saksaar']}/{event['sakssekvensnummer']}" if event.get("saksaar") else None)
                c.archive[event["case_id"]] = (event["status"], event["attempt"], final, number,
                                               event.get("journalpostnummer"))
        elif topic == topics.MODERATION:
            c.moderation.add(event["message"]["id"])
        elif topic == topics.ESCALATIONS:
            c.escalations.add(event["message"]["id"])
        elif topic == topics.SLA:
            if event["state"] == "opened":
                c.sla_opened.add(event["inquiry_id"])
            elif event["state"] in ("answered", "closed"):
                c.sla_answered.add(event["inquiry_id"])
        elif topic == topics.DEADLETTER:
            c.deadletters[f"{event['stage']}: {event['reason_code']}"] += 1
        elif topic == topics.ACTIONS and event["outcome"] in ("done", "failed"):
            failure = f": {event['failure']}" if event.get("failure") else ""
            c.actions[f"{event['kind']} {event['outcome']}{failure}"] += 1
            if event["outcome"] == "done" and event.get("platform_id"):
                c.action_messages.add(f"{event['target']['platform']}:{event['platform_id']}")
