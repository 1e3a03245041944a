"""Accounts connected in Kontoer reach the worker on ``innboks.control`` (``AccountEvent``), and the store
projection leaves them alone (the store is where they were written)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from innboks.config import topics
from innboks.config.accounts import Account, Registry
from innboks.db.engine import open_store
from innboks.db.schema import control_state
from innboks.store.projection import apply
from schemas import AccountEvent, Kind, Platform
from streams.accounts import WorkerRegistry

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


def event(**fields) -> AccountEvent:
    values = {"platform": Platform.FACEBOOK, "account_id": "104857362918999", "name": "Alta bibliotek",
              "owning_unit": "Kultur", "sla_policy": "crisis", "active": True, "at": NOW, **fields}
    return AccountEvent(**values)


def test_the_worker_learns_name_unit_and_policy_of_a_connected_account_at_once() -> None:
    yaml = Registry(accounts=[Account(platform=Platform.FACEBOOK, account_id="1", name="Alta kommune",
                                      owning_unit="Kommunikasjon")])
    registry = WorkerRegistry(yaml)
    assert registry.find(Platform.FACEBOOK, "104857362918999") is None
    assert registry.sla_policy_for(Platform.FACEBOOK, "104857362918999", Kind.COMMENT) == "standard"
    registry.apply(event())
    found = registry.find(Platform.FACEBOOK, "104857362918999")
    assert (found.name, found.owning_unit) == ("Alta bibliotek", "Kultur")
    assert registry.sla_policy_for(Platform.FACEBOOK, "104857362918999", Kind.COMMENT) == "crisis"
    registry.apply(event(sla_policy="no-such-policy"))
    assert registry.sla_policy_for(Platform.FACEBOOK, "104857362918999", Kind.COMMENT) == "standard"
    registry.apply(event(account_id="1", name="Et annet navn"))  # the YAML's entry wins
    assert registry.find(Platform.FACEBOOK, "1").name == "Alta kommune"
    registry.apply(event(connected=False, active=False))
    assert registry.find(Platform.FACEBOOK, "104857362918999") is None


def test_the_control_follower_applies_account_records_and_skips_bad_ones() -> None:
    from streams.accounts import REGISTRY
    from streams.control import CrisisState, apply_record

    record = event(account_id="55", name="Testkonto")
    apply_record(CrisisState(), record.key.encode(), record.to_json_bytes())
    assert REGISTRY.find(Platform.FACEBOOK, "55").name == "Testkonto"
    apply_record(CrisisState(), b"account:facebook:56", b'{"kind": "account"}')  # invalid: logged, skipped
    assert REGISTRY.find(Platform.FACEBOOK, "56") is None
    REGISTRY.apply(record.model_copy(update={"connected": False}))


def test_the_store_projection_skips_account_records(tmp_path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    record = event()
    with engine.begin() as connection:
        apply(connection, topics.CONTROL, record.to_json_bytes(), record.key.encode())
        assert connection.execute(sa.select(sa.func.count()).select_from(control_state)).scalar() == 0
