"""What triage adds from state rather than text: crisis mode and spikes of activity.

- Crisis mode: every inbound message is escalated with reason ``crisis``. Our own replies from
  accounts other than the Facebook page are flagged too: in a crisis, all communication goes via
  the website and the Facebook page.
- Spike: a conversation that receives ``messages`` citizen messages within ``minutes`` is
  escalated with reason ``spike``. This happens once, when the threshold is crossed, and again only
  after the window has emptied. The window counts message ids, so a redelivered message does not
  count twice.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from schemas import Category, EscalationReason, InboxMessage, Language, Platform, Triage

CRISIS_RULE = "context.crisis"
OFF_CHANNEL_RULE = "context.crisis_off_channel"
SPIKE_RULE = "context.spike"


class SpikeRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    messages: int = Field(default=8, ge=2)
    minutes: float = Field(default=30, gt=0)


class ActivityWindow(BaseModel):
    """Recent citizen messages of one conversation: (epoch seconds, message id), oldest first."""

    model_config = ConfigDict(frozen=True)

    recent: tuple[tuple[float, str], ...] = ()


def record_activity(window: ActivityWindow, message: InboxMessage, rule: SpikeRule) -> tuple[ActivityWindow, bool]:
    """Add a message to its conversation's window; True when this message makes it a spike."""
    if any(message_id == message.id for _, message_id in window.recent):
        return window, False
    moment = message.created_at.timestamp()
    horizon = moment - timedelta(minutes=rule.minutes).total_seconds()
    recent = sorted([entry for entry in window.recent if entry[0] > horizon] + [(moment, message.id)])
    recent = recent[-(rule.messages * 4):]
    return ActivityWindow(recent=tuple(recent)), len(recent) == rule.messages


def with_context(triage: Triage, *, crisis: bool, spike: bool) -> Triage:
    """The triage with the escalation reasons of the context added (the same object when none applies)."""
    if not crisis and not spike:
        return triage
    reasons = list(triage.escalation_reasons)
    rules = list(triage.rules)
    for applies, reason, rule in ((spike, EscalationReason.SPIKE, SPIKE_RULE),
                                  (crisis, EscalationReason.CRISIS, CRISIS_RULE)):
        if applies and reason not in reasons:
            reasons.append(reason)
            rules.append(rule)
    return triage.model_copy(update={"escalate": bool(reasons), "escalation_reasons": reasons, "rules": rules})


def off_channel_in_crisis(message: InboxMessage) -> Triage | None:
    """Our own reply outside the Facebook page while crisis mode is on: flagged for the crisis team."""
    if not message.from_account or message.platform is Platform.FACEBOOK:
        return None
    return Triage(category=Category.OTHER, language=Language.UNDETERMINED, escalate=True,
                  escalation_reasons=[EscalationReason.CRISIS], rules=[OFF_CHANNEL_RULE])
