"""Masking third parties' personal data in an export (``--redact-pii``).

The detection is triage's (innboks/domain/pii.py: fødselsnummer and D-nummer with both check
digits, bank account numbers with theirs, phone numbers, e-mail addresses), run on the text of every
revision as exported, not on offsets stored for another revision. A finding is replaced by a label
naming its kind; the export lists how many of each kind it masked, never the values.
"""

from __future__ import annotations

from collections import Counter

from innboks.domain.pii import find_pii

#: The label a masked value is replaced by, per kind (bokmål, as the documents are).
MASKS = {
    "fodselsnummer": "[fødselsnummer fjernet]",
    "d_nummer": "[D-nummer fjernet]",
    "bank_account": "[kontonummer fjernet]",
    "phone": "[telefonnummer fjernet]",
    "email": "[e-postadresse fjernet]",
}


def redact(text: str | None) -> tuple[str | None, Counter[str]]:
    """The text with every finding masked, and how many of each kind were masked."""
    found: Counter[str] = Counter()
    if not text:
        return text, found
    parts, position = [], 0
    for finding in find_pii(text):
        parts.append(text[position:finding.start])
        parts.append(MASKS[finding.type.value])
        found[finding.type.value] += 1
        position = finding.end
    parts.append(text[position:])
    return "".join(parts), found
