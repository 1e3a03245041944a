"""Routing, a step of the conversation agent (``streams/conversation.py``): case-handling requests
→ ``innboks.cases``, once each.

Tables: the recent messages of each conversation (context for the archive) and the cases already
forwarded (so a message processed twice after a crash is still forwarded once, and later edits,
hidings and deletions of the inquiry follow as new revisions), both on the conversation's
partition; and our accounts' posts, a global table (every worker has all of them), because a
comment's post lives in another conversation and so on another partition.
"""

from __future__ import annotations

from datetime import UTC, datetime

from innboks.config.settings import get_settings
from innboks.domain.codec import encode, read_table
from schemas import Event, InboxMessage, Kind, TriagedMessage
from schemas.case import case_id_for
from streams import topics
from streams.accounts import REGISTRY
from streams.app import app, table_options
from streams.metrics import METRICS
from streams.routing.process import (
    CHANGES,
    ConversationHistory,
    ForwardedCase,
    build_case,
    case_update,
    post_id_of,
    should_forward,
)

_settings = get_settings()

histories = app.Table(
    "conversation-history", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions, options=table_options(),
)
forwarded = app.Table(
    "forwarded-cases", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions, options=table_options(),
)
posts = app.GlobalTable(
    "posts", key_type=bytes, value_type=bytes,
    partitions=_settings.topic_partitions, options=table_options(),
)


async def route(triaged: TriagedMessage) -> None:
    message = triaged.message
    key = message.key.encode()
    history = read_table(histories, key, ConversationHistory)
    if message.kind is Kind.POST and message.event in (Event.CREATED, Event.EDITED):
        posts[message.id.encode()] = encode(message)
    if should_forward(triaged):
        await _forward(triaged, history, key)
    elif message.inbound and message.event in CHANGES:
        await _forward_change(message, key)
    if message.inbound and (reason := history.removal_reason(message)) is not None:
        METRICS.moderation_actions.labels(message.platform.value, message.event.value, reason).inc()
    histories[key] = encode(history.with_message(message, triaged.triage))


async def _forward(triaged: TriagedMessage, history: ConversationHistory, key: bytes) -> None:
    message = triaged.message
    case_key = case_id_for(message.id).encode()
    if forwarded.get(case_key) is not None:
        return
    post_id = post_id_of(message, history)
    stored_post = posts.get(post_id.encode()) if post_id else None
    account = REGISTRY.find(message.platform, message.account_id)
    case = build_case(
        triaged, history, _settings.screening_legal_basis, datetime.now(UTC),
        post=InboxMessage.model_validate_json(stored_post) if stored_post else None,
        account_name=account.name if account else None,
        owning_unit=account.owning_unit if account else None,
    )
    await topics.cases.send(key=key, value=encode(case))
    forwarded[case_key] = encode(ForwardedCase(case=case))
    METRICS.cases_forwarded.labels(message.platform.value).inc()


async def _forward_change(message: InboxMessage, key: bytes) -> None:
    """An edit, hiding or deletion of a forwarded inquiry: the case's next revision."""
    case_key = case_id_for(message.id).encode()
    stored = forwarded.get(case_key)
    if stored is None or not stored.startswith(b"{"):  # not a case (or forwarded before revisions existed)
        return
    updated = case_update(ForwardedCase.model_validate_json(stored), message, datetime.now(UTC))
    if updated is None:
        return
    await topics.cases.send(key=key, value=encode(updated.case))
    forwarded[case_key] = encode(updated)

