"""Personal data in free text: Norwegian identity numbers, bank accounts, phone numbers, e-mail.

Identity numbers are only reported when both check digits hold, so an invoice number or a case
number with eleven digits is not taken for a fødselsnummer. The first check digit follows the rule
announced for numbers issued from 2032, where the weighted sum may leave a remainder of 0–3
(which includes every number valid under the old rule).
"""

from __future__ import annotations

import re
from calendar import monthrange

from schemas import PiiFinding, PiiType

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)  # over the nine first digits and K1 itself
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)  # over the ten first digits and K2 itself
_ACCOUNT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# Eleven digits, optionally with a space (or dot/hyphen) after the six date digits, not part of a
# longer number.
_ELEVEN = re.compile(r"(?<![\d.,\-])(\d{6})[ .\-]?(\d{5})(?![\d]|[.,\-]\d)")
# Bank account: 4+2+5 digits with space or dot separators, or 11 digits in one run.
_ACCOUNT = re.compile(r"(?<![\d.])(\d{4})[ .](\d{2})[ .](\d{5})(?![\d]|[.,]\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# +47 / 0047 followed by eight digits in common groupings, or a bare eight-digit mobile number
# (starting with 4 or 9) in 3-2-3, 2-2-2-2 or unbroken form.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)47[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2}|(?:\+|00)47[ \-]?\d{3}[ \-]?\d{2}[ \-]?\d{3}"
    r"|[49]\d{2}[ \-]\d{2}[ \-]\d{3}|[49]\d[ \-]\d{2}[ \-]\d{2}[ \-]\d{2}|[49]\d{7})(?![\d]|[.,\-]\d)"
)


def _weighted_remainder(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def identity_number_type(number: str) -> PiiType | None:
    """``fodselsnummer`` or ``d_nummer`` if the 11 digits are a valid Norwegian identity number."""
    if len(number) != 11 or not number.isdigit():
        return None
    if _weighted_remainder(number[:10], _K1_WEIGHTS) not in (0, 1, 2, 3):
        return None
    if _weighted_remainder(number, _K2_WEIGHTS) != 0:
        return None
    day, month, year = int(number[0:2]), int(number[2:4]), int(number[4:6])
    kind = PiiType.FODSELSNUMMER
    if day > 40:
        day -= 40
        kind = PiiType.D_NUMMER
    if month > 80:  # synthetic test numbers (Skatteetaten's Tenor)
        month -= 80
    elif month > 40:  # H-numbers used by health services
        month -= 40
    if not 1 <= month <= 12:
        return None
    # The century comes from the individual number; a date valid in either century is accepted.
    if not any(1 <= day <= monthrange(century + year, month)[1] for century in (1900, 2000)):
        return None
    return kind


def valid_bank_account(number: str) -> bool:
    """Norwegian bank account number (11 digits, mod 11 check digit)."""
    if len(number) != 11 or not number.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(number[:10], _ACCOUNT_WEIGHTS, strict=True)) % 11
    if check == 10:
        return False
    return (0 if check == 11 else check) == int(number[10])


_DIGIT = re.compile(r"\d")
#: Identity numbers and bank accounts hold a run of at least five digits; without one neither is scanned for.
_FIVE_DIGITS = re.compile(r"\d{5}")


def find_pii(text: str) -> list[PiiFinding]:
    """Every piece of personal data found in ``text``, ordered by position, without overlaps."""
    if "@" not in text and _DIGIT.search(text) is None:
        return []  # most messages: nothing to scan for
    found: list[PiiFinding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: PiiType, start: int, end: int) -> None:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append(PiiFinding(type=kind, start=start, end=end))

    if "@" in text:
        for match in _EMAIL.finditer(text):
            add(PiiType.EMAIL, match.start(), match.end())
    if _FIVE_DIGITS.search(text) is not None:
        for match in _ELEVEN.finditer(text):
            digits = match.group(1) + match.group(2)
            kind = identity_number_type(digits)
            if kind is not None:
                add(kind, match.start(), match.end())
            elif valid_bank_account(digits) and match.group(0).isdigit():
                add(PiiType.BANK_ACCOUNT, match.start(), match.end())
        for match in _ACCOUNT.finditer(text):
            if valid_bank_account("".join(match.groups())):
                add(PiiType.BANK_ACCOUNT, match.start(), match.end())
    for match in _PHONE.finditer(text):
        add(PiiType.PHONE, match.start(), match.end())
    return sorted(found, key=lambda f: f.start)
