"""The facts registry as saved on the Fakta page travels on innboks.control: the worker's classifier and
the store (every version; the newest in force for the inbox, else the file's)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from innboks.config import topics
from innboks.config.facts import DEFAULT_FACTS_PATH, load_facts
from innboks.db.engine import open_store
from innboks.db.facts import FactsSource, saved_versions
from innboks.store.projection import apply
from schemas import CRISIS_KEY, FACTS_KEY, ControlEvent, FactsEvent
from streams.control import CrisisState, FactsState, apply_record

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
ALTA = DEFAULT_FACTS_PATH.read_text(encoding="utf-8")


def saved(document: str, minutes: int = 0, by: str = "admin") -> FactsEvent:
    return FactsEvent(document=document, digest=hashlib.sha256(document.encode()).hexdigest(), set_by=by,
                      at=T0 + timedelta(minutes=minutes))


def test_the_worker_takes_a_saved_registry_and_tells_the_classifier() -> None:
    state, facts = CrisisState(), FactsState()
    told: list[str] = []
    facts.listeners.append(lambda registry: told.append(registry.municipality))
    loppa = saved(ALTA.replace("municipality: Alta kommune", "municipality: Loppa kommune"))
    apply_record(state, FACTS_KEY.encode(), loppa.to_json_bytes(), facts)
    apply_record(state, FACTS_KEY.encode(), loppa.to_json_bytes(), facts)  # the same version again: no news
    assert told == ["Loppa kommune"] and facts.facts is not None and facts.facts.municipality == "Loppa kommune"
    apply_record(state, FACTS_KEY.encode(), saved("version: 1\nmunicipality: [").to_json_bytes(), facts)
    apply_record(state, FACTS_KEY.encode(), b"{not json", facts)
    assert told == ["Loppa kommune"]  # an invalid registry never replaces the one in force
    crisis = ControlEvent(active=True, reason="flom", set_by="admin", at=T0)
    apply_record(state, CRISIS_KEY.encode(), crisis.to_json_bytes(), facts)
    assert state.active and told == ["Loppa kommune"]


@pytest.fixture()
def engine(store_url):
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def test_the_store_keeps_every_version_once_and_the_newest_is_in_force(engine) -> None:
    source = FactsSource(load_facts(), ALTA)
    facts, where = source.current(engine)
    assert where["source"] == "file" and facts.municipality == "Alta kommune"
    first = saved(ALTA.replace("78 45 50 60", "78 45 50 61"), minutes=1, by="kari")
    newest = saved(ALTA.replace("municipality: Alta kommune", "municipality: Loppa kommune"), minutes=2, by="ola")
    with engine.begin() as connection:
        for event in (newest, first, newest):  # out of order and redelivered
            apply(connection, topics.CONTROL, event.to_json_bytes(), FACTS_KEY.encode())
    assert [(v["set_by"], v["digest"]) for v in saved_versions(engine)] == [("ola", newest.digest),
                                                                           ("kari", first.digest)]
    facts, where = source.current(engine)
    assert where["source"] == "saved" and where["set_by"] == "ola" and facts.municipality == "Loppa kommune"
