"""The reply check: what staff write back, checked against the guideline before it is sent.

One pure function, ``check_reply``, shared by ``innboks reply check``, the inbox
(``POST /api/replies/check``, the reply form, saved replies and the facts page) and the action
executor (the last guard for personal data). One module per warning code, each a table of phrases
with the message staff see: ``personal_data`` (blocks), ``case_decision``, ``tone``,
``plain_language``, ``language_mismatch``, and ``crisis_channel`` while crisis mode is on; beside the
tables, a learned layer (``learned.py``) warns of tone, case decisions, officialese and personal data
the tables do not know the words for.
"""

from __future__ import annotations

from innboks.config.accounts import Account
from innboks.config.facts import Facts
from innboks.domain.reply_check import (
    case_decision,
    crisis,
    language_mismatch,
    learned,
    personal_data,
    plain_language,
    tone,
)
from innboks.domain.reply_check.model import BLOCKING, CheckContext, CheckResult, Code, OfficialContacts, ReplyWarning
from schemas import Language, Platform

__all__ = ["BLOCKING", "CheckContext", "CheckResult", "Code", "OfficialContacts", "ReplyWarning", "check_reply",
           "context_for", "crisis_channel_of", "MAX_REPLY_CHARS"]

#: Longer texts are checked up to here (no platform takes more than 10,000 characters).
MAX_REPLY_CHARS = 20_000


def check_reply(text: str, context: CheckContext | None = None) -> CheckResult:
    """Every warning for ``text``, in the order they occur in it (whole-reply warnings first)."""
    context = context or CheckContext()
    text = text[:MAX_REPLY_CHARS]
    warnings = [
        *personal_data.check(text, context),
        *case_decision.check(text),
        *tone.check(text),
        *plain_language.check(text),
        *language_mismatch.check(text, context),
        *crisis.check(context),
    ]
    model = learned.packaged_model() if context.learned else None
    if model is not None:  # a second opinion for the codes the tables did not warn of
        warnings.extend(model.check(text, skip=frozenset(w.code for w in warnings)))
    warnings.sort(key=lambda w: (w.start is not None, w.start or 0))
    return CheckResult(tuple(warnings))


def context_for(facts: Facts | None, *, language: Language | None = None, citizen_name: str | None = None,
                crisis_active: bool = False, crisis_channel: bool = True, extra_emails: tuple[str, ...] = ()
                ) -> CheckContext:
    """A context with the facts registry's official contacts and crisis channels."""
    return CheckContext(
        language=language if language is not Language.UNDETERMINED else None,
        official=OfficialContacts.of(facts, *extra_emails), citizen_name=citizen_name,
        crisis_active=crisis_active, crisis_channel=crisis_channel,
        website=facts.website if facts else None, facebook_page=facts.facebook_page if facts else None)


def crisis_channel_of(platform: Platform | None, account: Account | None) -> bool:
    """Whether replies from this account are the crisis channel: the registry says so (``crisis_channel``),
    else a Facebook account is taken for the Facebook page."""
    if account is not None:
        return account.crisis_channel
    return platform is Platform.FACEBOOK
