"""The actions Innboks takes by itself, per account and opt-in (the account registry):

- **auto-protection**: a public comment holding a valid fødselsnummer or D-nummer (or other
  configured personal data) is hidden at once, with a polite reply in the citizen's language that
  says why and where to send the matter; the hidden original stays in the store and the archive;
- **out-of-hours acknowledgement**: a direct message that arrives while the account's calendar is
  closed gets a short acknowledgement, once per conversation per closed period. It does not answer
  the inquiry: the SLA clock keeps running (``acknowledgement_texts``).

Both produce ``requested`` actions with deterministic ids, so a re-processed message asks again with
the same id and the executor carries each out once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from innboks.config.accounts import Account
from innboks.domain.action_rules import automatic_action_id
from innboks.domain.calendar import Calendar
from schemas import ActionEvent, ActionKind, ActionOutcome, Event, HideReason, Kind, Language, TriagedMessage

#: A direct message older than this when Innboks sees it (a backfill after an outage) is not
#: acknowledged: "we are closed now" would be wrong, and answering it is the inbox's business.
ACKNOWLEDGE_WITHIN = timedelta(hours=1)
AUTO_PROTECT = "system:auto-protect"
OUT_OF_HOURS = "system:out-of-hours"
PUBLIC_KINDS = (Kind.COMMENT, Kind.REPLY, Kind.MENTION)
REPLY_LANGUAGES = (Language.BOKMAL, Language.NYNORSK, Language.ENGLISH)

#: A named reply text of the triage rules in a language (``Classifier.reply_text``).
ReplyText = Callable[[str, Language], str | None]


def _language(triaged: TriagedMessage) -> Language:
    language = triaged.triage.language if triaged.triage else Language.BOKMAL
    return language if language in REPLY_LANGUAGES else Language.BOKMAL


def automatic_actions(triaged: TriagedMessage, account: Account | None, calendar: Calendar | None,
                      reply_text: ReplyText, now: datetime) -> list[ActionEvent]:
    """The actions this message calls for by itself (usually none)."""
    message, triage = triaged.message, triaged.triage
    if account is None or not message.inbound or message.event is not Event.CREATED:
        return []
    actions: list[ActionEvent] = []
    protect = account.auto_protect
    if protect.enabled and triage is not None and message.kind in PUBLIC_KINDS \
            and {finding.type for finding in triage.pii} & set(protect.pii):
        actions.append(ActionEvent(
            action_id=automatic_action_id("auto-hide", message.id), outcome=ActionOutcome.REQUESTED,
            kind=ActionKind.HIDE, target=message, reason=HideReason.PERSONAL_DATA, requested_by=AUTO_PROTECT,
            automatic=True, at=now))
        text = reply_text("personal_data", _language(triaged)) if protect.reply else None
        if text:
            actions.append(ActionEvent(
                action_id=automatic_action_id("auto-reply", message.id), outcome=ActionOutcome.REQUESTED,
                kind=ActionKind.REPLY, target=message, text=text, requested_by=AUTO_PROTECT, automatic=True,
                at=now))
    hours = account.out_of_hours
    if hours.enabled and calendar is not None and message.kind is Kind.DIRECT_MESSAGE \
            and now - message.created_at <= ACKNOWLEDGE_WITHIN:
        opens = next_opening(calendar, message.created_at)
        if opens is not None and opens > message.created_at:  # closed when the message came
            language = _language(triaged)
            text = hours.text.get(language) or reply_text("out_of_hours", language)
            if text:
                actions.append(ActionEvent(
                    action_id=automatic_action_id("out-of-hours", f"{message.key}:{opens.isoformat()}"),
                    outcome=ActionOutcome.REQUESTED, kind=ActionKind.REPLY, target=message, text=text,
                    requested_by=OUT_OF_HOURS, automatic=True, acknowledgement=True, at=now))
    return actions


def next_opening(calendar: Calendar, moment: datetime) -> datetime | None:
    """When the calendar is next open at or after ``moment`` (``moment`` itself when open then)."""
    if calendar.always_open:
        return moment
    for begin, _end in calendar.open_intervals(moment):
        return begin
    return None


def acknowledgement_texts(accounts: Iterable[Account], reply_text: ReplyText) -> frozenset[str]:
    """Every out-of-hours text our accounts may send: our message with one of them answers nothing."""
    texts = {reply_text("out_of_hours", language) for language in REPLY_LANGUAGES}
    for account in accounts:
        texts.update(account.out_of_hours.text.values())
    return frozenset(" ".join(text.split()) for text in texts if text)
