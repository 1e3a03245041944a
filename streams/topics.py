"""Faust handles of the catalogue topics. Keys and values travel as raw bytes (see ``codec``)."""

from __future__ import annotations

from innboks.config import topics as catalogue
from streams.app import app


def _topic(name: str):  # type: ignore[no-untyped-def]
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


raw = _topic(catalogue.RAW)
messages = _topic(catalogue.MESSAGES)
triaged = _topic(catalogue.TRIAGED)
cases = _topic(catalogue.CASES)
moderation = _topic(catalogue.MODERATION)
escalations = _topic(catalogue.ESCALATIONS)
sla = _topic(catalogue.SLA)
sla_ticks = _topic(catalogue.SLA_TICKS)
deadletter = _topic(catalogue.DEADLETTER)
actions = _topic(catalogue.ACTIONS)
