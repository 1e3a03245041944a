"""The Kafka client layer without a broker: the end test, compaction, errors, producer options."""

import aiokafka.errors
import kafka.errors
import pytest

from innboks.config.settings import get_settings
from innboks.kafka.clients import (
    KafkaClientError,
    Partition,
    Record,
    latest_by_key,
    producer_options,
    reached_end,
    translated,
)

P0, P1 = Partition("t", 0), Partition("t", 1)


def record(offset: int, key: bytes | None, value: bytes | None) -> Record:
    return Record("t", 0, offset, key, value, 0)


def test_the_end_is_every_position_at_its_end_offset_and_an_empty_poll() -> None:
    ends = {P0: 3, P1: 0}
    assert reached_end(ends, {P0: 3, P1: 0}, last_poll_empty=True)
    assert not reached_end(ends, {P0: 2, P1: 0}, last_poll_empty=True)
    assert not reached_end(ends, {P0: 3, P1: 0}, last_poll_empty=False)
    assert reached_end({}, {}, last_poll_empty=True)  # a topic without partitions is read at once


def test_a_tansu_end_offset_inside_the_last_batch_is_not_the_end_while_records_still_come() -> None:
    # Records 10..19 in one batch: Tansu reports the end as 11 (base offset + 1). A client that handed
    # out 10..14 stands at 15, past the reported end, with 15..19 still to come.
    ends = {P0: 11}
    assert not reached_end(ends, {P0: 15}, last_poll_empty=False)
    assert not reached_end(ends, {P0: 20}, last_poll_empty=False)  # the poll that brought 15..19
    assert reached_end(ends, {P0: 20}, last_poll_empty=True)


def test_latest_by_key_keeps_the_last_value_and_honours_tombstones() -> None:
    records = [record(0, b"a", b"1"), record(1, b"b", b"1"), record(2, b"a", b"2"), record(3, b"b", None),
               record(4, None, b"keyless"), record(5, b"c", b"1"), record(6, b"c", None), record(7, b"c", b"3")]
    assert latest_by_key(records) == {b"a": b"2", b"c": b"3"}


@pytest.mark.parametrize("error", [kafka.errors.BrokerNotAvailableError(), aiokafka.errors.KafkaConnectionError(),
                                   kafka.errors.KafkaTimeoutError("slow")])
def test_either_librarys_errors_leave_the_layer_as_kafka_client_error(error: Exception) -> None:
    with pytest.raises(KafkaClientError) as raised, translated("not acknowledged by t"):
        raise error
    assert raised.value.reason == type(error).__name__
    assert str(raised.value) == f"not acknowledged by t ({type(error).__name__})"


def test_other_errors_pass_through_translated() -> None:
    with pytest.raises(ValueError), translated("anything"):
        raise ValueError("a bug, not Kafka")


def test_every_producer_waits_for_all_replicas_and_keeps_to_the_configured_record_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INNBOKS_MAX_MESSAGE_BYTES", "500000")
    get_settings.cache_clear()
    try:
        options = producer_options(client_id="c", linger_ms=5)
    finally:
        get_settings.cache_clear()
    assert options == {"client_id": "c", "acks": "all", "retries": 5, "linger_ms": 5, "max_request_size": 500_000}
    assert producer_options(client_id="c", max_request_bytes=1_048_576)["max_request_size"] == 1_048_576


def test_an_exact_producer_sends_one_record_per_batch() -> None:
    # Tansu's end offsets are exact only then; cursors and the control topic are read back to their end.
    assert producer_options(client_id="c", exact=True)["batch_size"] == 0
    assert "batch_size" not in producer_options(client_id="c")
