"""What the reply check says: warnings with a code, a message for staff (bokmål) and the span."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from innboks.config.facts import Facts
from schemas import Language


class Code(StrEnum):
    #: A fødselsnummer, D-nummer, private phone or e-mail, home address, or a person's health,
    #: finances or case in our public reply. Blocks the reply.
    PERSONAL_DATA = "personal_data"
    #: The reply decides or promises the outcome of a case (belongs in a decision letter).
    CASE_DECISION = "case_decision"
    #: Dismissive, rude or sarcastic phrasing.
    TONE = "tone"
    #: Officialese (Språkrådet's klarspråk advice) or a very long sentence.
    PLAIN_LANGUAGE = "plain_language"
    #: Not in the citizen's written standard (bokmål, nynorsk, English, North Sámi).
    LANGUAGE_MISMATCH = "language_mismatch"
    #: Crisis mode is on and the reply comes from an account that is not a crisis channel.
    CRISIS_CHANNEL = "crisis_channel"


#: Codes that stop a reply from being sent.
BLOCKING = frozenset({Code.PERSONAL_DATA})


@dataclass(frozen=True)
class ReplyWarning:
    code: Code
    #: For staff, in bokmål: what is wrong and, where there is one, a better way to say it.
    message: str
    #: The characters of the reply it concerns (``text[start:end]``); None for the whole reply.
    start: int | None = None
    end: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.start is not None and self.end is not None:
            data["start"], data["end"] = self.start, self.end
        return data


@dataclass(frozen=True)
class CheckResult:
    warnings: tuple[ReplyWarning, ...] = ()

    @property
    def blocked(self) -> bool:
        return any(warning.code in BLOCKING for warning in self.warnings)

    @property
    def codes(self) -> frozenset[Code]:
        return frozenset(warning.code for warning in self.warnings)

    def to_json(self) -> dict[str, Any]:
        return {"blocked": self.blocked, "warnings": [warning.to_json() for warning in self.warnings]}


_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class OfficialContacts:
    """What in a reply is the municipality's own or a public service's, not personal data: the facts
    registry's numbers, e-mail addresses, mail domains and street addresses."""

    numbers: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()

    @classmethod
    def of(cls, facts: Facts | None, *emails: str) -> OfficialContacts:
        extra = frozenset(e.lower() for e in emails if e and "@" in e)
        if facts is None:
            return cls(emails=extra)
        return cls(numbers=facts.numbers, emails=facts.emails | extra, domains=facts.mail_domains,
                   addresses=frozenset(a.lower() for a in facts.addresses))

    def has_number(self, written: str) -> bool:
        digits = _DIGITS.sub("", written)
        for prefix in ("0047", "47"):
            if written.lstrip().startswith(("+", "00")) and digits.startswith(prefix):
                digits = digits[len(prefix):]
                break
        return digits in self.numbers

    def has_email(self, address: str) -> bool:
        address = address.lower()
        return address in self.emails or address.rsplit("@", 1)[-1] in self.domains


@dataclass(frozen=True)
class CheckContext:
    """What the check knows besides the text."""

    #: The citizen's written standard; None or ``und``: not known, so no language check.
    language: Language | None = None
    official: OfficialContacts = field(default_factory=OfficialContacts)
    #: The citizen's name as the platform shows it: addressing them is not naming a third person.
    citizen_name: str | None = None
    #: Crisis mode is on, and whether the replying account is a crisis channel (the Facebook page).
    crisis_active: bool = False
    crisis_channel: bool = True
    #: Where all communication goes in a crisis (the facts registry's website and Facebook page).
    website: str | None = None
    facebook_page: str | None = None
    #: Also ask the learned layer (``learned.py``); off only to measure the phrase tables alone.
    learned: bool = True
