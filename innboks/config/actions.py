"""How Innboks may act on the platforms: approvals, automatic protection, out-of-hours acknowledgements.

Part of the account registry: ``actions:`` at the top for the rules that hold everywhere, and
``auto_protect:`` / ``out_of_hours:`` per account (both off by default).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas import Language, PiiType


class ApprovalRules(BaseModel):
    """When a reply needs a second operator's approval before it is posted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: A reply in a conversation with an escalated message (threat, self-harm, media …).
    escalated: bool = True
    #: A reply from an account that is not a crisis channel while crisis mode is on.
    crisis_off_channel: bool = True


class ActionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    approval: ApprovalRules = Field(default_factory=ApprovalRules)


class AutoProtect(BaseModel):
    """Hide a public comment holding personal data within seconds, and tell the citizen why (opt-in)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    #: Which findings hide a comment (valid check digits only: a false fødselsnummer is never acted on).
    pii: list[PiiType] = Field(default_factory=lambda: [PiiType.FODSELSNUMMER, PiiType.D_NUMMER])
    #: Also reply, in the citizen's language, saying why and where to send the matter.
    reply: bool = True


class OutOfHours(BaseModel):
    """Acknowledge a direct message that arrives while the account's calendar is closed (opt-in).

    Sent once per conversation per closed period. It does not stop the SLA clock: the inquiry still
    waits for a real answer. ``text`` overrides the packaged texts per language (nb, nn, en).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    text: dict[Language, str] = Field(default_factory=dict)
