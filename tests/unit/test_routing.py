"""Which messages become cases, and what a forwarded case carries."""

from datetime import UTC, datetime

from schemas import (
    Category,
    EscalationReason,
    Event,
    Kind,
    Language,
    ModerationReason,
    PiiFinding,
    PiiType,
    Triage,
    TriagedMessage,
)
from schemas.case import case_id_for
from streams.routing.process import (
    HISTORY_LIMIT,
    ConversationHistory,
    ForwardedCase,
    build_case,
    case_update,
    post_id_of,
    should_forward,
)
from tests.helpers import message

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)


def triaged(msg, category=Category.CASE_HANDLING, **triage) -> TriagedMessage:
    return TriagedMessage(message=msg, triage=Triage(category=category, language=Language.BOKMAL, **triage),
                          triaged_at=NOW)


def test_only_new_inbound_case_handling_is_forwarded() -> None:
    assert should_forward(triaged(message("a")))
    assert not should_forward(triaged(message("a"), Category.GENERAL_QUESTION))
    assert not should_forward(triaged(message("a", event=Event.EDITED)))
    assert not should_forward(TriagedMessage(message=message("a", from_account=True), triage=None, triaged_at=NOW))


def test_case_carries_earlier_conversation_and_deterministic_id() -> None:
    history = ConversationHistory()
    for msg in (message("p", created="2026-11-16T08:00:00+00:00", from_account=True),
                message("q", created="2026-11-16T08:30:00+00:00"),
                message("later", created="2026-11-16T11:00:00+00:00")):
        history = history.with_message(msg)
    inquiry = message("a", created="2026-11-16T09:00:00+00:00")
    case = build_case(triaged(inquiry), history.with_message(inquiry), "Offl. § 13", NOW)
    assert case.case_id == case_id_for("facebook:a")
    assert [m.id for m in case.conversation] == ["facebook:p", "facebook:q"]
    assert case.screening.screened is False and case.screening.legal_basis is None


def test_personal_data_or_child_welfare_screens_the_case() -> None:
    pii = triaged(message("a"), pii=[PiiFinding(type=PiiType.FODSELSNUMMER, start=0, end=11)])
    case = build_case(pii, ConversationHistory(), "Offl. § 13 jf. fvl. § 13", NOW)
    assert case.screening.screened and case.screening.reasons == ["pii:fodselsnummer"]
    assert case.screening.legal_basis == "Offl. § 13 jf. fvl. § 13"
    concern = triaged(message("b"), escalate=True, escalation_reasons=[EscalationReason.CHILD_WELFARE])
    assert build_case(concern, ConversationHistory(), "x", NOW).screening.reasons == ["confidential:child_welfare"]


def test_history_is_bounded_and_replaces_edits() -> None:
    history = ConversationHistory()
    for i in range(HISTORY_LIMIT + 5):
        history = history.with_message(message(f"m{i:03}", created=f"2026-11-16T09:{i % 60:02}:00+00:00"))
    assert len(history.messages) == HISTORY_LIMIT
    edited = message("m054", text="endret", event=Event.EDITED, created="2026-11-16T09:54:00+00:00")
    history = history.with_message(edited)
    assert [m.text for m in history.messages if m.id == "facebook:m054"] == ["endret"]
    deleted = message("m054", event=Event.DELETED, created="2026-11-16T09:54:00+00:00")
    assert all(m.id != "facebook:m054" for m in history.with_message(deleted).messages)


def test_post_of_a_comment_and_of_a_reply_in_its_thread() -> None:
    comment = message("c1").model_copy(update={"parent_id": "104857362918274_1"})
    assert post_id_of(comment, ConversationHistory()) == "facebook:104857362918274_1"
    reply = message("r1", kind=Kind.REPLY).model_copy(update={"parent_id": "c1"})
    assert post_id_of(reply, ConversationHistory().with_message(comment)) == "facebook:104857362918274_1"
    assert post_id_of(message("dm", kind=Kind.DIRECT_MESSAGE), ConversationHistory()) is None


def test_changes_to_a_forwarded_inquiry_become_revisions_once_each() -> None:
    original = build_case(triaged(message("a", text="Søknad om byggetillatelse?")), ConversationHistory(), "x", NOW)
    stored = ForwardedCase(case=original)
    edited = message("a", text="Søknad om byggetillatelse, gnr 12?", event=Event.EDITED)
    first = case_update(stored, edited, NOW)
    assert first is not None and first.case.revision == 1 and first.case.change.event is Event.EDITED
    assert first.case.inquiry == original.inquiry  # the original stays as it was received
    assert case_update(first, edited, NOW) is None  # redelivered: nothing new
    hidden = case_update(first, message("a", text=None, event=Event.HIDDEN), NOW)
    assert hidden is not None and hidden.case.revision == 2 and hidden.case.case_id == original.case_id
    assert case_update(hidden, message("a", event=Event.CREATED), NOW) is None


def test_removals_are_judged_by_the_moderation_reason_of_the_removed_message() -> None:
    attack = message("x1", text="Du er en idiot")
    flagged = Triage(category=Category.FEEDBACK, language=Language.BOKMAL,
                     moderation=[ModerationReason.PERSONAL_ATTACK])
    history = ConversationHistory().with_message(attack, flagged).with_message(message("x2"))
    assert history.removal_reason(message("x1", event=Event.HIDDEN)) == "personal_attack"
    assert history.removal_reason(message("x2", event=Event.DELETED)) == "none"
    assert history.removal_reason(message("x3", event=Event.HIDDEN)) is None  # not seen: not counted
    after = history.with_message(message("x1", event=Event.HIDDEN))
    assert after.removal_reason(message("x1", event=Event.HIDDEN)) is None  # a redelivery counts once
    assert "facebook:x1" not in after.flagged
