"""Choosing the broker: ``KAFKA_BOOTSTRAP_SERVERS`` if set, otherwise the embedded Tansu broker."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from innboks.config.settings import Settings, get_settings
from innboks.errors import CliError
from innboks.kafka.broker import BrokerError, EmbeddedBroker

NO_BROKER = (
    "KAFKA_BOOTSTRAP_SERVERS is not set: point it at Kafka, or start the embedded broker with "
    "`innboks broker` and export the address it prints"
)


def require_bootstrap(settings: Settings) -> str:
    """The configured bootstrap servers, for commands that need a broker that outlives them."""
    if not settings.kafka_bootstrap_servers:
        raise CliError(NO_BROKER)
    return settings.kafka_bootstrap_servers


@contextmanager
def broker_or_embedded(announce: bool = True) -> Iterator[Settings]:
    """Settings pointing at the configured broker, or at an embedded one started for this block.

    The embedded broker's address is exported to the environment so that child processes and the
    Faust app (which reads its configuration on import) use it too.
    """
    settings = get_settings()
    if settings.kafka_bootstrap_servers:
        yield settings
        return
    try:
        broker = EmbeddedBroker().start()
    except BrokerError as exc:
        raise CliError(str(exc)) from exc
    saved = {name: os.environ.get(name) for name in ("KAFKA_BOOTSTRAP_SERVERS", "INNBOKS_EMBEDDED_BROKER")}
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
    os.environ["INNBOKS_EMBEDDED_BROKER"] = "true"
    get_settings.cache_clear()
    if announce:
        print(f"embedded broker (Tansu, memory storage) on {broker.bootstrap_servers}", file=sys.stderr)
    try:
        yield get_settings()
    finally:
        broker.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
