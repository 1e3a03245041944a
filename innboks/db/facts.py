"""The facts registry in the store: every version saved on the inbox's *Fakta* page (projected from
``innboks.control``), and which one is in force: the newest saved, else the ``INNBOKS_FACTS`` file's."""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.config.facts import DEFAULT_FACTS_PATH, Facts, FactsError, load_facts, parse_facts
from innboks.db.schema import facts_versions

log = logging.getLogger(__name__)


def saved_versions(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """The newest saved versions first: digest, who and when (not the documents)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(facts_versions.c.digest, facts_versions.c.set_by, facts_versions.c.at)
                                  .order_by(facts_versions.c.at.desc()).limit(limit)).all()
    return [{"digest": r.digest, "set_by": r.set_by, "at": r.at.isoformat()} for r in rows]


def latest_saved(engine: Engine) -> dict[str, Any] | None:
    """The newest saved version with its document, or None if none was ever saved."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(facts_versions).order_by(facts_versions.c.at.desc()).limit(1)).first()
    if row is None:
        return None
    return {"document": row.document, "digest": row.digest, "set_by": row.set_by, "at": row.at.isoformat()}


class FactsSource:
    """The registry in force for an inbox process: the newest version in the store (parsed once per
    version), else the file's. Every inbox replica reads the same store, so all agree."""

    def __init__(self, file_facts: Facts, file_text: str) -> None:
        self.file_facts = file_facts
        self.file_text = file_text
        self._parsed: tuple[str, Facts] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_path(cls, path: Any = DEFAULT_FACTS_PATH) -> FactsSource:
        """From a registry file; ``FactsError`` (naming the file and line) when it does not validate."""
        facts = load_facts(path)
        return cls(facts, path.read_text(encoding="utf-8"))

    def current(self, engine: Engine) -> tuple[Facts, dict[str, Any]]:
        """The registry in force, and where it comes from: ``{"source": "saved", digest, set_by, at, document}``
        or ``{"source": "file", "document"}``."""
        saved = latest_saved(engine)
        if saved is None:
            return self.file_facts, {"source": "file", "document": self.file_text}
        with self._lock:
            if self._parsed is None or self._parsed[0] != saved["digest"]:
                try:
                    self._parsed = (saved["digest"], parse_facts(saved["document"], "Fakta"))
                except FactsError as exc:  # validated before it was saved; a newer release may be stricter
                    log.error("the saved facts registry does not validate (%s); using the file's", exc)
                    return self.file_facts, {"source": "file", "document": self.file_text}
            facts = self._parsed[1]
        return facts, {"source": "saved", **saved}
