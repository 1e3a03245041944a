"""The one Faust app of Innboks, configured from the environment.

Import order matters: the CLI decides the broker (``KAFKA_BOOTSTRAP_SERVERS`` or the embedded one)
before this module is imported, because Faust reads its configuration once.
"""

from __future__ import annotations

from typing import Any

import faust

from innboks.config.settings import Settings, get_settings
from streams.transport import KAFKA_SCHEME, TANSU_SCHEME
from streams.transport import register as register_transports

register_transports()


def faust_config(settings: Settings) -> dict[str, Any]:
    timeouts = settings.group_timeouts()
    brokers = settings.bootstrap_list or ["localhost:9092"]
    embedded = settings.embedded_broker
    return {
        "broker": ";".join(f"{TANSU_SCHEME if embedded else KAFKA_SCHEME}://{server}" for server in brokers),
        "store": settings.table_store,
        "datadir": str(settings.data_dir),
        "topic_partitions": settings.topic_partitions,
        "topic_replication_factor": settings.topic_replication,
        "topic_allow_declare": True,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": timeouts["session"],
        "broker_heartbeat_interval": timeouts["heartbeat"],
        "broker_rebalance_timeout": timeouts["rebalance"],
        "broker_request_timeout": max(90.0, timeouts["session"] * 2),
        "web_enabled": True,
        "web_bind": settings.metrics_host,
        "web_port": settings.metrics_port,
        "web_host": "localhost",
        "processing_guarantee": "at_least_once",
        "producer_max_request_size": settings.max_message_bytes,
        # Tansu reports a partition's end offset as the last batch's base offset + 1; the embedded
        # transport reads the last batch to find the exact end before a table is recovered
        # (streams/transport.py), so the producer batches as it does on Kafka.
    }


settings = get_settings()
app = faust.App(settings.app_id, autodiscover=False, **faust_config(settings))
