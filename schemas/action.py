"""Acting on the platforms from Innboks (``innboks.actions``): a reply, a hiding, an unhiding or a deletion.

One topic carries an action's whole life as events with the same ``action_id`` (the idempotency
key), keyed by the conversation so that they stay in order:

- ``requested``: staff (or an automatic rule) asked for it; ``needs_approval`` when the guideline
  wants a second operator (an escalated conversation, crisis mode on a non-crisis channel);
- ``approved``: a second operator agreed (``approved_by``);
- ``executing``: the executor is about to call the platform (written before the call, so that a
  restarted executor knows to look on the platform before trying again);
- ``done``: the platform confirmed; ``platform_id`` is the id of our new reply;
- ``failed``: with a classified ``failure`` (permission missing, token expired, rate limited, target
  gone, not supported, rejected) and a ``detail`` safe to show (no message text).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from schemas.base import Contract, UtcDatetime
from schemas.message import InboxMessage


class ActionKind(StrEnum):
    REPLY = "reply"
    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"


class ActionOutcome(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    EXECUTING = "executing"
    DONE = "done"
    FAILED = "failed"


class ActionFailure(StrEnum):
    PERMISSION_MISSING = "permission_missing"
    TOKEN_EXPIRED = "token_expired"
    RATE_LIMITED = "rate_limited"
    TARGET_GONE = "target_gone"
    #: The platform's API cannot do this (e.g. hiding on Mastodon) or no longer allows it (Messenger's window).
    NOT_SUPPORTED = "not_supported"
    #: Refused before the platform was asked (an approval was refused, the account is not configured).
    REJECTED = "rejected"
    PLATFORM_ERROR = "platform_error"


class HideReason(StrEnum):
    """Why a comment may be hidden or deleted: the guideline's reasons, and personal data."""

    PERSONAL_ATTACK = "personal_attack"
    THIRD_PARTY = "third_party"
    UNLAWFUL = "unlawful"
    PERSONAL_DATA = "personal_data"


class ActionEvent(Contract):
    """One step in the life of an action on a platform (``innboks.actions``, keyed by conversation)."""

    action_id: str = Field(min_length=8, max_length=100, description="Idempotency key of the action.")
    outcome: ActionOutcome
    kind: ActionKind
    target: InboxMessage = Field(description="The message acted on (a reply answers it).")
    text: str | None = Field(default=None, max_length=10_000, description="The reply's text.")
    reason: HideReason | None = Field(default=None, description="Hide and delete: the allowed reason.")
    forward: bool = Field(default=False, description="A reply that forwards a case-handling inquiry.")
    requested_by: str = Field(min_length=1, max_length=256,
                              description="A staff user name, or system:auto-protect, system:out-of-hours.")
    automatic: bool = Field(default=False, description="Requested by a rule, not a person.")
    acknowledgement: bool = Field(
        default=False, description="An out-of-hours acknowledgement: it does not answer the inquiry."
    )
    needs_approval: bool = False
    approved_by: str | None = None
    platform_id: str | None = Field(default=None, description="On done: the platform's id of our new reply.")
    failure: ActionFailure | None = None
    detail: str | None = Field(default=None, max_length=500, description="On failed: what went wrong (no text).")
    at: UtcDatetime

    @property
    def key(self) -> str:
        return self.target.key
