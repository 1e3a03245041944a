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


#: Seconds the producer waits to fill a batch (Faust's default is 0).
PRODUCER_LINGER = 0.005


def faust_config(settings: Settings) -> dict[str, Any]:
    timeouts = settings.group_timeouts()
    brokers = settings.bootstrap_list or ["localhost:9092"]
    embedded = settings.embedded_broker
    return {
        "broker": ";".join(f"{TANSU_SCHEME if embedded else KAFKA_SCHEME}://{server}" for server in brokers),
        "store": settings.table_store,
        "datadir": str(settings.data_dir),
        "table_standby_replicas": settings.table_standby_replicas,
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
        # A few milliseconds of linger make fewer, fuller batches: Tansu's offset look-ups and
        # fetches at an offset take time in proportion to a partition's number of batches, which
        # made a restart with 100,000 open inquiries wait 4-9 s before recovery (docs/performance.md).
        "producer_linger": PRODUCER_LINGER,
    }


#: RocksDB per table partition (issue 16). Faust's defaults are for large machines: 64 MiB memtables
#: (three of them) and a 2 GiB block cache per partition database, and Innboks has 30 of those (five
#: tables, six partitions). A table's newest writes stayed in memory until 64 MiB, so every open
#: inquiry's clock, history and activity window lived in the worker's memory. Small memtables are
#: flushed to disk early; reads of older entries come from the operating system's page cache
#: through a small block cache (docs/performance.md).
ROCKSDB_OPTIONS: dict[str, int] = {
    "write_buffer_size": 2**19,
    "max_write_buffer_number": 2,
    "block_cache_size": 2**19,
    "target_file_size_base": 8 * 2**20,
}


def table_options() -> dict[str, Any]:
    """The store options of every table (a copy each: Faust's RocksDB store pops keys from it)."""
    return dict(ROCKSDB_OPTIONS)


settings = get_settings()
app = faust.App(settings.app_id, autodiscover=False, **faust_config(settings))
