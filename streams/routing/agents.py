"""Routing, a step of the conversation agent (``streams/conversation.py``): case-handling requests
→ ``innboks.cases``, once each.

State: the recent messages of each conversation (context for the archive), a part of the
conversation's state (``streams/state.py``); the cases already forwarded (so a message processed twice
after a crash is still forwarded once, and later edits, hidings and deletions of the inquiry follow as
new revisions), the ``forwarded-cases`` table keyed by case id, on the conversation's partition; and
our accounts' posts, a global table (every worker has all of them), because a comment's post lives in
another conversation and so on another partition.
"""

from __future__ import annotations

from datetime import UTC, datetime

from innboks.config import topics
from innboks.config.settings import get_settings
from innboks.domain.codec import encode
from schemas import Event, InboxMessage, Kind, TriagedMessage
from schemas.case import case_id_for
from streams.accounts import REGISTRY
from streams.app import app, table_options
from streams.batch import Batch
from streams.metrics import METRICS
from streams.routing.process import (
    CHANGES,
    ConversationHistory,
    ForwardedCase,
    build_case,
    case_update,
    forwarded_value,
    post_id_of,
    should_forward,
)
from streams.state import FORWARDED

_settings = get_settings()

posts = app.GlobalTable(
    "posts", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions, options=table_options(),
)


async def route(triaged: TriagedMessage, batch: Batch, partition: int) -> None:
    message = triaged.message
    key = message.key.encode()
    state = batch.conversation(key, partition)
    history = state.history
    if message.kind is Kind.POST and message.event in (Event.CREATED, Event.EDITED):
        posts[message.id.encode()] = encode(message)  # rare (our own posts): Faust's own table write
    if should_forward(triaged):
        _forward(triaged, history, key, batch, partition)
    elif message.inbound and message.event in CHANGES:
        _forward_change(message, key, batch, partition)
    if message.inbound and (reason := history.removal_reason(message)) is not None:
        METRICS.moderation_actions.labels(message.platform.value, message.event.value, reason).inc()
    state.history = history.with_message(message, triaged.triage)


def _forward(triaged: TriagedMessage, history: ConversationHistory, key: bytes, batch: Batch,
             partition: int) -> None:
    message = triaged.message
    case_id = case_id_for(message.id)
    case_key = case_id.encode()
    if FORWARDED.get(case_key) is not None:
        return
    post_id = post_id_of(message, history)
    stored_post = posts.data.get(post_id.encode()) if post_id else None  # the store once (not ``in``, then get)
    account = REGISTRY.find(message.platform, message.account_id)
    case = build_case(
        triaged, history, _settings.screening_legal_basis, datetime.now(UTC),
        post=InboxMessage.model_validate_json(stored_post) if stored_post else None,
        account_name=account.name if account else None,
        owning_unit=account.owning_unit if account else None,
        case_id=case_id,
    )
    value = encode(case)
    batch.send(topics.CASES, key, value)
    FORWARDED.set(case_key, forwarded_value(value), partition)
    METRICS.cases_forwarded.labels(message.platform.value).inc()


def _forward_change(message: InboxMessage, key: bytes, batch: Batch, partition: int) -> None:
    """An edit, hiding or deletion of a forwarded inquiry: the case's next revision."""
    case_key = case_id_for(message.id).encode()
    stored = FORWARDED.get(case_key)
    if stored is None or not stored.startswith(b"{"):  # not a case (or forwarded before revisions existed)
        return
    updated = case_update(ForwardedCase.model_validate_json(stored), message, datetime.now(UTC))
    if updated is None:
        return
    batch.send(topics.CASES, key, encode(updated.case))
    FORWARDED.set(case_key, encode(updated), partition)
