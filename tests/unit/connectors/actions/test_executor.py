"""The action executor: each action once, the guideline's refusals, classified failures, crash recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.actions.executor import Executor
from connectors.errors import AuthError, FatalRequestError, RateLimited
from connectors.writer import NotSupported, PermissionMissing, PlatformWriter, TargetGone
from innboks.config import topics
from schemas import ActionEvent, ActionKind, ActionOutcome, Event, HideReason, InboxMessage, Platform
from streams.normalize.process import normalize_raw
from tests.helpers import facebook_comment_raw

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


class FakeWriter(PlatformWriter):
    platform = Platform.FACEBOOK
    api_base = "https://graph.example"

    def __init__(self, error: Exception | None = None, posted: dict[str, str] | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self.options = {}
        self.error = error
        self.posted = posted or {}

    def reply(self, target: InboxMessage, text: str) -> str:
        self.calls.append(("reply", target.id))
        if self.error:
            raise self.error
        return "reply-1"

    def hide(self, target: InboxMessage) -> None:
        self.calls.append(("hide", target.id))
        if self.error:
            raise self.error

    def delete(self, target: InboxMessage) -> None:
        self.calls.append(("delete", target.id))
        if self.error:
            raise self.error

    def find_reply(self, target: InboxMessage, text: str, since: datetime) -> str | None:
        self.calls.append(("find_reply", target.id))
        return self.posted.get(text)


class Sent(list):
    def __call__(self, topic: str, key: bytes, value: bytes) -> None:
        self.append((topic, key, value))

    def actions(self) -> list[ActionEvent]:
        return [ActionEvent.model_validate_json(v) for t, _, v in self if t == topics.ACTIONS]

    def messages(self) -> list[InboxMessage]:
        return [InboxMessage.model_validate_json(v) for t, _, v in self if t == topics.MESSAGES]


def target() -> InboxMessage:
    return normalize_raw(facebook_comment_raw("1_700", "Når kommer svaret på søknaden?").to_json_bytes())


def request(kind: ActionKind = ActionKind.REPLY, action_id: str = "action-0001", **fields) -> ActionEvent:
    defaults = {"text": "Hei! Svaret kommer i neste uke."} if kind is ActionKind.REPLY else {}
    return ActionEvent(action_id=action_id, outcome=ActionOutcome.REQUESTED, kind=kind, target=target(),
                       requested_by="kari", at=T0, **{**defaults, **fields})


def executor(writer: FakeWriter) -> tuple[Executor, Sent]:
    sent = Sent()
    return Executor(sent, lambda platform, account: writer, clock=lambda: T0 + timedelta(seconds=5)), sent


def test_a_reply_is_posted_once_and_becomes_our_message() -> None:
    writer = FakeWriter()
    run, sent = executor(writer)
    run.add(request().to_json_bytes())
    run.add(request().to_json_bytes())  # asked twice with the same id
    assert run.run_ready() == 1 and run.run_ready() == 0
    assert writer.calls == [("reply", "facebook:1_700")]
    assert [(a.outcome, a.platform_id) for a in sent.actions()] == [(ActionOutcome.EXECUTING, None),
                                                                     (ActionOutcome.DONE, "reply-1")]
    [ours] = sent.messages()
    assert (ours.id, ours.from_account, ours.parent_id, ours.key) == ("facebook:reply-1", True, "1_700", target().key)


def test_hiding_needs_an_allowed_reason_and_makes_the_target_hidden() -> None:
    writer = FakeWriter()
    run, sent = executor(writer)
    run.add(request(ActionKind.HIDE, "action-0002").to_json_bytes())
    run.add(request(ActionKind.HIDE, "action-0003", reason=HideReason.PERSONAL_ATTACK).to_json_bytes())
    run.run_ready()
    outcomes = {(a.action_id, a.outcome, a.failure) for a in sent.actions()}
    assert ("action-0002", ActionOutcome.FAILED, "rejected") in outcomes
    assert ("action-0003", ActionOutcome.DONE, None) in outcomes
    assert writer.calls == [("hide", "facebook:1_700")]
    assert [m.event for m in sent.messages()] == [Event.HIDDEN]


def test_a_reply_needing_approval_waits_for_a_second_operator() -> None:
    writer = FakeWriter()
    run, sent = executor(writer)
    asked = request(needs_approval=True)
    run.add(asked.to_json_bytes())
    assert run.run_ready() == 0 and writer.calls == []
    run.add(asked.model_copy(update={"outcome": ActionOutcome.APPROVED, "approved_by": "kari"}).to_json_bytes())
    run.run_ready()
    assert writer.calls == [] and sent.actions()[-1].failure == "rejected"  # approving one's own reply
    other = request(action_id="action-0004", needs_approval=True)
    run.add(other.to_json_bytes())
    run.add(other.model_copy(update={"outcome": ActionOutcome.APPROVED, "approved_by": "ola"}).to_json_bytes())
    run.run_ready()
    assert writer.calls == [("reply", "facebook:1_700")]
    assert sent.actions()[-1].outcome is ActionOutcome.DONE and sent.actions()[-1].approved_by == "ola"


@pytest.mark.parametrize("error, failure", [
    (AuthError("HTTP 401"), "token_expired"),
    (PermissionMissing("HTTP 403"), "permission_missing"),
    (RateLimited("HTTP 429", 900.0), "rate_limited"),
    (TargetGone("HTTP 404"), "target_gone"),
    (NotSupported("outside the 24-hour window"), "not_supported"),
    (FatalRequestError("HTTP 400"), "platform_error"),
    (KeyError("boom"), "platform_error"),
])
def test_failures_are_classified(error, failure) -> None:
    run, sent = executor(FakeWriter(error))
    run.add(request().to_json_bytes())
    run.run_ready()
    last = sent.actions()[-1]
    assert (last.outcome, last.failure) == (ActionOutcome.FAILED, failure) and last.detail
    assert sent.messages() == []


def test_deleting_what_is_already_gone_is_done() -> None:
    run, sent = executor(FakeWriter(TargetGone("HTTP 404")))
    run.add(request(ActionKind.DELETE, reason=HideReason.UNLAWFUL).to_json_bytes())
    run.run_ready()
    assert sent.actions()[-1].outcome is ActionOutcome.DONE


def test_an_interrupted_reply_already_on_the_platform_is_not_posted_again() -> None:
    asked = request()
    writer = FakeWriter(posted={asked.text: "reply-earlier"})
    run, sent = executor(writer)
    run.add(asked.to_json_bytes())
    run.add(asked.model_copy(update={"outcome": ActionOutcome.EXECUTING}).to_json_bytes())
    run.run_ready()
    assert writer.calls == [("find_reply", "facebook:1_700")]
    assert [(a.outcome, a.platform_id) for a in sent.actions()] == [(ActionOutcome.DONE, "reply-earlier")]


def test_an_interrupted_reply_not_on_the_platform_is_posted() -> None:
    writer = FakeWriter()
    run, sent = executor(writer)
    run.add(request().to_json_bytes())
    run.add(request().model_copy(update={"outcome": ActionOutcome.EXECUTING}).to_json_bytes())
    run.run_ready()
    assert writer.calls == [("find_reply", "facebook:1_700"), ("reply", "facebook:1_700")]
    assert [a.outcome for a in sent.actions()] == [ActionOutcome.DONE]


def test_done_and_failed_actions_are_never_carried_out_again() -> None:
    writer = FakeWriter()
    run, _sent = executor(writer)
    for outcome in (ActionOutcome.REQUESTED, ActionOutcome.EXECUTING, ActionOutcome.DONE):
        run.add(request().model_copy(update={"outcome": outcome}).to_json_bytes())
    run.add(b"{not an action")
    assert run.run_ready() == 0 and writer.calls == []


def test_a_reply_whose_answer_was_lost_is_looked_for_before_it_is_called_failed() -> None:
    from connectors.errors import RetriableError

    asked = request()
    posted_anyway = FakeWriter(RetriableError("HTTP 502 from /v21.0/1_700/comments"), posted={asked.text: "r-9"})
    run, sent = executor(posted_anyway)
    run.add(asked.to_json_bytes())
    run.run_ready()
    assert [(a.outcome, a.platform_id) for a in sent.actions()][-1] == (ActionOutcome.DONE, "r-9")
    lost = FakeWriter(RetriableError("ReadTimeout for /v21.0/1_700/comments"))
    run, sent = executor(lost)
    run.add(asked.to_json_bytes())
    run.run_ready()
    last = sent.actions()[-1]
    assert (last.outcome, last.failure) == (ActionOutcome.FAILED, "platform_error")
    assert "not on the platform" in last.detail


def test_a_reply_longer_than_the_platform_takes_is_rejected_without_a_call() -> None:
    writer = FakeWriter()
    run, sent = executor(writer)
    run.add(request(text="Hei! " + "a" * 8000).to_json_bytes())
    run.run_ready()
    [failed] = sent.actions()
    assert (failed.outcome, failed.failure) == (ActionOutcome.FAILED, "rejected")
    assert failed.detail == "facebook takes a reply of at most 8,000 characters; this one has 8,005"
    assert writer.calls == []


def test_a_refused_token_points_to_the_reconnect_button() -> None:
    run, sent = executor(FakeWriter(AuthError("HTTP 400: OAuthException 190")))
    run.add(request().to_json_bytes())
    run.run_ready()
    last = sent.actions()[-1]
    assert last.failure == "token_expired" and "OAuthException 190" in last.detail
    assert last.detail.endswith("koble kontoen til på nytt: /kontoer/koble-til/facebook?konto=104857362918274")


def test_a_reply_holding_personal_data_is_rejected_before_any_call_and_the_reason_never_repeats_it() -> None:
    from connectors.actions.guard import PersonalDataGuard
    from innboks.config.facts import load_facts

    writer = FakeWriter()
    sent = Sent()
    guard = PersonalDataGuard(load_facts(), ("postmottak@alta.kommune.no",))
    run = Executor(sent, lambda platform, account: writer, clock=lambda: T0, reply_guard=guard.refusal)
    run.add(request(text="Hei! Vi fant saken på fødselsnummeret ditt, 12038433154.").to_json_bytes())
    run.add(request(action_id="action-0009", text="Ring vakttelefonen på 78 45 50 60 eller skriv til "
                    "postmottak@alta.kommune.no.").to_json_bytes())
    run.run_ready()
    outcomes = {a.action_id: a for a in sent.actions() if a.outcome in (ActionOutcome.DONE, ActionOutcome.FAILED)}
    refused = outcomes["action-0001"]
    assert (refused.outcome, refused.failure) == (ActionOutcome.FAILED, "rejected")
    assert "personal data" in (refused.detail or "") and "12038433154" not in (refused.detail or "")
    assert outcomes["action-0009"].outcome is ActionOutcome.DONE  # the municipality's own number and address
    assert writer.calls == [("reply", "facebook:1_700")]


def test_the_guard_follows_the_facts_registry_saved_on_the_control_topic() -> None:
    import hashlib

    from connectors.actions.guard import PersonalDataGuard
    from innboks.config.facts import DEFAULT_FACTS_PATH, load_facts
    from schemas import FACTS_KEY, FactsEvent

    guard = PersonalDataGuard(load_facts())
    text = "Du kan ringe 912 34 567 i kveld."
    assert guard.refusal(text) is not None  # not the municipality's number (yet)
    document = DEFAULT_FACTS_PATH.read_text(encoding="utf-8").replace('"78 45 50 60"', '"912 34 567"')
    event = FactsEvent(document=document, digest=hashlib.sha256(document.encode()).hexdigest(), set_by="admin",
                       at=T0)
    guard.follow(FACTS_KEY.encode(), event.to_json_bytes())
    assert guard.refusal(text) is None
    guard.follow(FACTS_KEY.encode(), b"{not json")  # ignored: the registry in force stays
    guard.follow(b"crisis", event.to_json_bytes())
    assert guard.refusal(text) is None
