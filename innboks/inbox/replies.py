"""The reply check in the inbox: ``POST /api/replies/check``, the reply form as the operator writes,
the refusal of a reply that holds personal data, and the check of saved replies when they are saved.

The check itself is ``innboks.domain.reply_check``. Given the message the reply answers, the inbox
adds what it knows: the citizen's written standard (triage's language of that message), the
citizen's name (addressing them is not naming a third person), and whether crisis mode is on while
the account is not a crisis channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from innboks.config.accounts import Registry
from innboks.config.facts import Facts
from innboks.db.control import crisis
from innboks.db.facts import FactsSource
from innboks.db.schema import messages
from innboks.domain.reply_check import CheckContext, CheckResult, check_reply, context_for, crisis_channel_of
from innboks.domain.reply_variables import ReplyVariables
from innboks.web.errors import HttpError, NotFound
from innboks.web.users import User
from schemas import Language, Platform

#: The longest text the check endpoint takes (no platform takes more than 10,000 characters).
MAX_CHECK_CHARS = 20_000


def message_context(engine: Engine, registry: Registry, facts: Facts, message_id: str | None, user: User,
                    units_of_accounts: Mapping[str, str], extra_emails: tuple[str, ...] = ()) -> CheckContext:
    """The check's context for a reply to ``message_id`` (None: a reply to nobody in particular)."""
    if message_id is None:
        return context_for(facts, extra_emails=extra_emails)
    with engine.connect() as connection:
        row = connection.execute(sa.select(messages.c.account_id, messages.c.platform, messages.c.language,
                                           messages.c.author_name, messages.c.from_account)
                                 .where(messages.c.id == message_id)).first()
    if row is None or not user.sees(row.account_id, units_of_accounts):
        raise NotFound("no such message")
    state = crisis(engine)
    active = bool(state and state["active"])
    platform = Platform(row.platform)
    language = Language(row.language) if row.language in {lang.value for lang in Language} else None
    return context_for(facts, language=None if row.from_account else language,
                       citizen_name=None if row.from_account else row.author_name, crisis_active=active,
                       crisis_channel=crisis_channel_of(platform, registry.find(platform, row.account_id)),
                       extra_emails=extra_emails)


def check(engine: Engine, registry: Registry, facts: FactsSource, text: str, message_id: str | None, user: User,
          units_of_accounts: Mapping[str, str], extra_emails: tuple[str, ...] = ()) -> dict[str, Any]:
    """``{"blocked", "warnings", "language"}`` for a draft (``language``: the citizen's, when known)."""
    current, _source = facts.current(engine)
    context = message_context(engine, registry, current, message_id, user, units_of_accounts, extra_emails)
    return {**check_reply(text, context).to_json(), "language": context.language.value if context.language else None}


def refuse_if_blocked(result: CheckResult) -> None:
    """A 422 naming what blocks the reply (the kinds of data, never the data itself)."""
    if result.blocked:
        blocking = [warning for warning in result.warnings if warning.code.value == "personal_data"]
        raise HttpError(422, f"Svaret kan ikke sendes: {blocking[0].message}",
                        body={"blocked": True, "warnings": [w.to_json() for w in result.warnings]})


def check_saved_reply(facts: Facts, variables: ReplyVariables, body: str, language: str) -> CheckResult:
    """A saved reply as it will read (variables filled in), checked in its own language; the caller
    refuses it when it is blocked."""
    filled = variables.fill(body, variables.municipality)
    return check_reply(filled, context_for(facts, language=Language(language), extra_emails=(variables.case_email,)))
