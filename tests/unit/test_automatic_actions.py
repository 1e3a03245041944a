"""Actions Innboks takes by itself: auto-protection of personal data and out-of-hours acknowledgements."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from innboks.config.accounts import Account
from innboks.config.actions import ApprovalRules, AutoProtect, OutOfHours
from innboks.domain.action_rules import hide_reason_allowed, needs_approval
from innboks.domain.calendar import BUSINESS_HOURS
from schemas import (
    ActionKind,
    Category,
    Kind,
    Language,
    PiiFinding,
    PiiType,
    Platform,
    Triage,
    TriagedMessage,
)
from streams.actions.automatic import acknowledgement_texts, automatic_actions
from streams.triage.classifier import build_classifier
from tests.helpers import PAGE_ID, message

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
CLASSIFIER = build_classifier()


def account(**fields) -> Account:
    return Account(platform=Platform.FACEBOOK, account_id=PAGE_ID, name="Alta kommune", owning_unit="Kommunikasjon",
                   **fields)


def triaged(kind: Kind = Kind.COMMENT, created: str = "2026-11-16T09:00:00+00:00", pii: PiiType | None = None,
            language: Language = Language.NYNORSK, **message_fields) -> TriagedMessage:
    findings = [PiiFinding(type=pii, start=0, end=11)] if pii else []
    triage = Triage(category=Category.CASE_HANDLING, language=language, pii=findings)
    return TriagedMessage(message=message("m1", kind=kind, created=created, **message_fields), triage=triage,
                          triaged_at=NOW)


def actions(item: TriagedMessage, owner: Account):
    return automatic_actions(item, owner, BUSINESS_HOURS, CLASSIFIER.reply_text, NOW)


def test_auto_protection_hides_and_replies_in_the_citizens_language() -> None:
    owner = account(auto_protect=AutoProtect(enabled=True))
    hide, reply = actions(triaged(pii=PiiType.FODSELSNUMMER), owner)
    assert (hide.kind, hide.reason, hide.automatic, hide.requested_by) == (
        ActionKind.HIDE, "personal_data", True, "system:auto-protect")
    assert reply.kind is ActionKind.REPLY and "personopplysningar" in reply.text  # nynorsk
    again = actions(triaged(pii=PiiType.FODSELSNUMMER), owner)
    assert [a.action_id for a in again] == [hide.action_id, reply.action_id]  # the same ids: carried out once


@pytest.mark.parametrize("item, owner", [
    (triaged(pii=PiiType.FODSELSNUMMER), account()),  # off by default
    (triaged(pii=PiiType.PHONE), account(auto_protect=AutoProtect(enabled=True))),  # not a configured kind
    (triaged(pii=PiiType.FODSELSNUMMER, from_account=True), account(auto_protect=AutoProtect(enabled=True))),
    (triaged(Kind.DIRECT_MESSAGE, pii=PiiType.FODSELSNUMMER), account(auto_protect=AutoProtect(enabled=True))),
])
def test_auto_protection_only_where_asked(item, owner) -> None:
    assert actions(item, owner) == []


def test_out_of_hours_acknowledgement_once_per_closed_period() -> None:
    owner = account(out_of_hours=OutOfHours(enabled=True))
    evening = actions(triaged(Kind.DIRECT_MESSAGE, "2026-11-16T19:00:00+00:00", language=Language.ENGLISH), owner)
    night = actions(triaged(Kind.DIRECT_MESSAGE, "2026-11-17T02:00:00+00:00"), owner)
    [ack] = evening
    assert ack.acknowledgement and ack.kind is ActionKind.REPLY and ack.text.startswith("Thank you for your message")
    assert [a.action_id for a in night] == [ack.action_id]  # the same closed period: the same action
    next_evening = actions(triaged(Kind.DIRECT_MESSAGE, "2026-11-17T19:00:00+00:00"), owner)
    assert next_evening[0].action_id != ack.action_id
    assert actions(triaged(Kind.DIRECT_MESSAGE, "2026-11-16T10:00:00+00:00"), owner) == []  # open: no acknowledgement
    assert actions(triaged(Kind.COMMENT, "2026-11-16T19:00:00+00:00"), owner) == []  # comments: none


def test_an_accounts_own_acknowledgement_text_and_the_texts_the_sla_ignores() -> None:
    own = "Takk! Vi svarer i morgen."
    owner = account(out_of_hours=OutOfHours(enabled=True, text={Language.BOKMAL: own}))
    [ack] = actions(triaged(Kind.DIRECT_MESSAGE, "2026-11-16T19:00:00+00:00", language=Language.BOKMAL), owner)
    assert ack.text == own
    texts = acknowledgement_texts([owner], CLASSIFIER.reply_text)
    assert own in texts and any(t.startswith("Takk for meldinga!") for t in texts) and len(texts) == 4


def test_approval_and_reason_rules() -> None:
    rules = ApprovalRules()
    assert needs_approval(ActionKind.REPLY, rules, escalated=True, crisis_active=False, crisis_channel=False)
    assert needs_approval(ActionKind.REPLY, rules, escalated=False, crisis_active=True, crisis_channel=False)
    assert not needs_approval(ActionKind.REPLY, rules, escalated=False, crisis_active=True, crisis_channel=True)
    assert not needs_approval(ActionKind.HIDE, rules, escalated=True, crisis_active=True, crisis_channel=False)
    assert not needs_approval(ActionKind.REPLY, ApprovalRules(escalated=False), escalated=True, crisis_active=False,
                              crisis_channel=False)
    assert hide_reason_allowed(ActionKind.HIDE, "third_party") and not hide_reason_allowed(ActionKind.DELETE, None)
    assert hide_reason_allowed(ActionKind.UNHIDE, None) and not hide_reason_allowed(ActionKind.HIDE, "rude")


def test_a_direct_message_seen_long_after_it_came_is_not_acknowledged() -> None:
    from datetime import timedelta

    owner = account(out_of_hours=OutOfHours(enabled=True))
    item = triaged(Kind.DIRECT_MESSAGE, "2026-11-16T19:00:00+00:00")
    came = item.message.created_at
    assert automatic_actions(item, owner, BUSINESS_HOURS, CLASSIFIER.reply_text, came + timedelta(minutes=5))
    assert automatic_actions(item, owner, BUSINESS_HOURS, CLASSIFIER.reply_text, came + timedelta(hours=3)) == []
