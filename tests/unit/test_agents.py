"""Agents through Faust's test_context: outputs and dead letters, and no crash on bad input."""

from unittest.mock import AsyncMock, patch

import pytest

from schemas import DeadLetter, InboxMessage, TriagedMessage
from streams import topics
from streams.worker import load
from tests.helpers import facebook_comment_raw

app = load()
from streams.conversation import conversation_agent  # noqa: E402
from streams.normalize.agents import normalize_agent  # noqa: E402


@pytest.fixture(autouse=True)
def control_loaded():
    """No control-topic follower runs in test_context: the crisis switch is known (off)."""
    from streams.control import CRISIS

    CRISIS.loaded.set()
    yield
    CRISIS.active = False


@pytest.fixture()
def sent():
    """Capture what the agents send, per topic name: the batches' records (``streams.batch.publish``,
    which answers with offsets as the broker would) and the dead letters (Faust's ``Topic.send``)."""
    captured: dict[str, list[bytes]] = {}
    offsets: dict[tuple[str, int], int] = {}

    async def publish(records):
        result: dict[tuple[str, int], list[int]] = {}
        for record in records:
            captured.setdefault(record.topic, []).append(record.value)
            tp = (record.topic, record.partition or 0)
            offsets[tp] = offsets.get(tp, -1) + 1
            result.setdefault(tp, []).append(offsets[tp])
        return result

    async def send_dead_letter(key=None, value=None, **kwargs):
        captured.setdefault(topics.deadletter.get_topic_name(), []).append(value)

    patches = [patch("streams.batch.publish", publish),
               patch.object(topics.deadletter, "send", AsyncMock(side_effect=send_dead_letter))]
    for p in patches:
        p.start()
    yield captured
    for p in patches:
        p.stop()


@pytest.mark.asyncio
async def test_normalize_agent_survives_bad_input_and_keeps_going(sent) -> None:
    async with normalize_agent.test_context() as agent:
        await agent.put(key=b"k", value=b"definitely not json")
        await agent.put(key=b"k", value=facebook_comment_raw("1_100", "Hei").to_json_bytes())
    letters = [DeadLetter.model_validate_json(v) for v in sent["innboks.deadletter"]]
    assert [(d.stage, d.reason_code, d.payload) for d in letters] == [
        ("normalize", "invalid_json", "definitely not json")]
    messages = [InboxMessage.model_validate_json(v) for v in sent["innboks.messages"]]
    assert [m.id for m in messages] == ["facebook:1_100"]


@pytest.mark.asyncio
async def test_an_oversized_record_is_dead_lettered_small(sent) -> None:
    huge = b'{"platform": "facebook", "payload": "' + b"x" * 1_500_000 + b'"'
    async with normalize_agent.test_context() as agent:
        await agent.put(key=b"k", value=huge)
        await agent.put(key=b"k", value=facebook_comment_raw("1_101", "Hei").to_json_bytes())
    [letter_bytes] = sent["innboks.deadletter"]
    letter = DeadLetter.model_validate_json(letter_bytes)
    assert letter.payload_truncated and letter.payload_size == len(huge) and len(letter_bytes) < 200_000
    assert [InboxMessage.model_validate_json(v).id for v in sent["innboks.messages"]] == ["facebook:1_101"]


@pytest.mark.asyncio
async def test_a_dead_letter_that_cannot_be_written_is_counted_and_skipped(sent) -> None:
    from streams.metrics import METRICS

    failures = METRICS.deadletter_failures.labels("normalize")
    before = failures._value.get()
    with patch.object(topics.deadletter, "send", AsyncMock(side_effect=RuntimeError("MessageSizeTooLarge"))):
        async with normalize_agent.test_context() as agent:
            await agent.put(key=b"k", value=b"not json")
            await agent.put(key=b"k", value=facebook_comment_raw("1_102", "Hei").to_json_bytes())
    assert failures._value.get() == before + 1
    assert [InboxMessage.model_validate_json(v).id for v in sent["innboks.messages"]] == ["facebook:1_102"]


@pytest.mark.asyncio
async def test_triage_agent_routes_flags_to_their_topics(sent) -> None:
    from streams.metrics import METRICS
    from streams.normalize.process import normalize_raw

    threat = normalize_raw(facebook_comment_raw("1_7", "Jeg skal brenne ned rådhuset").to_json_bytes())
    # The escalation alerts read the counter per account and reason (deploy/prometheus/alerts.yml).
    counted = METRICS.escalations.labels(threat.platform.value, threat.account_id, "threat")
    before = counted._value.get()
    async with conversation_agent.test_context() as agent:
        await agent.put(key=threat.key.encode(), value=threat.to_json_bytes())
    triaged = TriagedMessage.model_validate_json(sent["innboks.triaged"][0])
    assert triaged.triage is not None and triaged.triage.escalate
    assert len(sent["innboks.escalations"]) == 1 and len(sent["innboks.moderation"]) == 1
    assert "threat" in triaged.triage.escalation_reasons and counted._value.get() == before + 1



@pytest.mark.asyncio
async def test_crisis_mode_escalates_every_inbound_message(sent) -> None:
    from datetime import UTC, datetime

    from schemas import ControlEvent
    from streams.control import CRISIS, apply_record
    from streams.normalize.process import normalize_raw

    apply_record(CRISIS, b"crisis", ControlEvent(active=True, reason="flom i Alta sentrum",
                                                 at=datetime.now(UTC)).to_json_bytes())
    question = normalize_raw(facebook_comment_raw("1_8", "Når åpner biblioteket?").to_json_bytes())
    async with conversation_agent.test_context() as agent:
        await agent.put(key=question.key.encode(), value=question.to_json_bytes())
    triaged = TriagedMessage.model_validate_json(sent["innboks.triaged"][0])
    assert triaged.triage.escalation_reasons[-1].value == "crisis" and triaged.triage.escalate
    assert len(sent["innboks.escalations"]) == 1


@pytest.mark.asyncio
async def test_sla_agent_opens_then_ticks_emit_warning_and_breach_once(sent) -> None:
    import uuid
    from datetime import UTC, datetime

    from schemas import SlaEvent, SlaTick
    from streams import conversation
    from streams.sla import agents as sla
    from tests.helpers import message

    run = uuid.uuid4().hex  # the table store (RocksDB in the working directory) outlives a test run
    inbound = message(f"sla_{run}", conversation=f"sla-{run}", created="2026-11-16T09:00:00+00:00")
    key = inbound.key.encode()
    async with conversation_agent.test_context() as agent:
        await agent.put(key=key, value=inbound.to_json_bytes())
    assert key in sla.INDEX.due_keys(datetime.now(UTC).timestamp())  # long overdue
    with patch.object(conversation, "SLA_TICKS", "<internal>"):  # test_context names every input "<internal>"
        async with conversation_agent.test_context() as agent:
            request = SlaTick(conversation_key=key.decode(), sent_at=datetime.now(UTC)).to_json_bytes()
            await agent.put(key=key, value=request)
            await agent.put(key=key, value=request)  # a duplicate tick emits nothing more
    states = [SlaEvent.model_validate_json(v).state.value for v in sent["innboks.sla"]]
    assert states == ["opened", "warning", "breached"]
    assert key not in sla.INDEX.due_keys(2e9)  # breached: no more alarms


@pytest.mark.asyncio
async def test_a_step_that_fails_dead_letters_the_message_and_the_other_steps_still_run(sent) -> None:
    """The conversation agent guards triage, routing and the SLA clock each on its own."""
    import uuid

    from schemas import SlaEvent
    from streams import conversation
    from tests.helpers import message

    run = uuid.uuid4().hex
    inbound = message(f"step_{run}", conversation=f"step-{run}", text="Når åpner biblioteket?")
    with patch.object(conversation, "route", AsyncMock(side_effect=KeyError("bug"))):
        async with conversation_agent.test_context() as agent:
            await agent.put(key=inbound.key.encode(), value=inbound.to_json_bytes())
            await agent.put(key=b"k", value=b"not json")
    letters = [DeadLetter.model_validate_json(v) for v in sent["innboks.deadletter"]]
    assert [(d.stage, d.reason_code) for d in letters] == [("route", "processing_error"), ("triage", "invalid_json")]
    assert letters[0].reason == "KeyError in route"
    assert [TriagedMessage.model_validate_json(v).message.id for v in sent["innboks.triaged"]] == [inbound.id]
    assert [SlaEvent.model_validate_json(v).inquiry_id for v in sent["innboks.sla"]] == [inbound.id]
