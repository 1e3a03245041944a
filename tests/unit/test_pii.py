"""Personal data detection: identity numbers by both check digits, accounts, phones, e-mail."""

import pytest

from innboks.domain.pii import find_pii, identity_number_type, valid_bank_account
from schemas import PiiType


@pytest.mark.parametrize("number, expected", [
    ("15057812378", PiiType.FODSELSNUMMER),
    ("01019000164", PiiType.FODSELSNUMMER),
    ("41019000158", PiiType.D_NUMMER),       # day + 40
    ("15057812475", PiiType.FODSELSNUMMER),  # first check digit remainder 2: valid from 2032
    ("15057812564", PiiType.FODSELSNUMMER),  # remainder 3: valid from 2032
    ("15057812379", None),                   # second check digit wrong
    ("15057812388", None),                   # first check digit wrong
    ("12345678901", None),
    ("00000000000", None),                   # day 0
    ("1505781237", None),                    # ten digits
])
def test_identity_numbers(number: str, expected: PiiType | None) -> None:
    assert identity_number_type(number) == expected


def test_bank_account_check_digit() -> None:
    assert valid_bank_account("12345678903")
    assert not valid_bank_account("12345678900")


def kinds(text: str) -> list[tuple[PiiType, str]]:
    return [(f.type, text[f.start:f.end]) for f in find_pii(text)]


def test_finds_each_kind_with_offsets() -> None:
    text = ("fnr 150578 12378, konto 1234.56.78903, ring +47 912 34 567 eller 41 23 45 67, "
            "skriv til kari.nordmann@example.no")
    assert kinds(text) == [
        (PiiType.FODSELSNUMMER, "150578 12378"),
        (PiiType.BANK_ACCOUNT, "1234.56.78903"),
        (PiiType.PHONE, "+47 912 34 567"),
        (PiiType.PHONE, "41 23 45 67"),
        (PiiType.EMAIL, "kari.nordmann@example.no"),
    ]


def test_eleven_digits_failing_the_check_are_not_a_fodselsnummer() -> None:
    assert all(kind is not PiiType.FODSELSNUMMER for kind, _ in kinds("fakturanr 15057812379 er feil"))


def test_unformatted_account_number_is_found() -> None:
    assert kinds("kontonr 12345678903") == [(PiiType.BANK_ACCOUNT, "12345678903")]


@pytest.mark.parametrize("text", [
    "saksnr 24/1234", "gnr 12 bnr 345", "ring 113", "kl 08:00-15:30", "beløpet er 12 345 kr",
    "årsmelding 2026", "postnummer 9510",
])
def test_no_false_positives_in_ordinary_numbers(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize("phone", ["+4791234567", "0047 912 34 567", "+47 41 23 45 67", "91234567", "412 34 567"])
def test_phone_formats(phone: str) -> None:
    assert kinds(f"ring meg på {phone} i dag") == [(PiiType.PHONE, phone)]


def test_longer_digit_runs_are_not_phone_numbers() -> None:
    assert find_pii("referanse 912345678901234") == []
