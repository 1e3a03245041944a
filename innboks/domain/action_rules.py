"""The guideline's rules for acting on the platforms, as pure functions (docs/actions.md).

- A comment is hidden or deleted only for an allowed reason: a personal attack, a third person
  named, unlawful content, or personal data (to protect the citizen).
- A reply in a conversation with an escalated message, or from an account that is not a crisis
  channel while crisis mode is on, needs a second operator's approval (configurable).
- A reply to a case-handling inquiry forwards it: by default its text is the suggested forward text.
"""

from __future__ import annotations

import uuid

from innboks.config.actions import ApprovalRules
from schemas import ActionKind, ActionOutcome, HideReason

#: How far an action has come: an event never moves it back (``done`` and ``failed`` both end it). The
#: executor and the store projection keep an action's latest outcome by this rank.
OUTCOME_RANK: dict[ActionOutcome, int] = {ActionOutcome.REQUESTED: 0, ActionOutcome.APPROVED: 1,
                                          ActionOutcome.EXECUTING: 2, ActionOutcome.DONE: 3, ActionOutcome.FAILED: 3}
#: Reasons a hiding or deletion may have; anything else is refused before the platform is asked.
ALLOWED_REASONS = frozenset(HideReason)
#: Namespace of the deterministic ids of automatic actions (the executor runs each id once).
_NAMESPACE = uuid.UUID("6f1b3f4e-9a51-4b8e-9a0e-2f6c1d7b5a10")


def needs_approval(kind: ActionKind, rules: ApprovalRules, *, escalated: bool, crisis_active: bool,
                   crisis_channel: bool) -> bool:
    """Whether a second operator must approve the action before it is carried out."""
    if kind is not ActionKind.REPLY:
        return False
    if escalated and rules.escalated:
        return True
    return crisis_active and not crisis_channel and rules.crisis_off_channel


def hide_reason_allowed(kind: ActionKind, reason: str | None) -> bool:
    """Hiding and deleting need an allowed reason; replying and unhiding need none."""
    if kind in (ActionKind.HIDE, ActionKind.DELETE):
        return reason in {r.value for r in ALLOWED_REASONS}
    return True


def automatic_action_id(purpose: str, subject: str) -> str:
    """The same id every time for the same purpose and subject: the executor carries it out once."""
    return str(uuid.uuid5(_NAMESPACE, f"{purpose}:{subject}"))
