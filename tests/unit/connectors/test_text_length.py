"""innboks/domain/text_length.py: lengths as Bluesky, X and Mastodon count them."""

from __future__ import annotations

import pytest

from innboks.domain.text_length import characters, graphemes, utf8_bytes, with_links_as_23, x_weighted


@pytest.mark.parametrize("text, expected", [
    ("Hei", 3),
    ("Blåbærsyltetøy", 14),
    ("e\u0301", 1),                       # a letter with a combining accent
    ("🇳🇴", 1),                            # a flag: two regional indicators
    ("👍🏽", 1),                            # an emoji with a skin tone
    ("👨‍👩‍👧‍👦", 1),                            # a family: seven code points joined
    ("Takk 🙏🇳🇴!", 8),
])
def test_graphemes_count_what_a_reader_sees(text: str, expected: int) -> None:
    assert graphemes(text) == expected


def test_code_points_and_bytes() -> None:
    assert characters("👨‍👩‍👧‍👦") == 7 and utf8_bytes("ø") == 2 and utf8_bytes("Hei") == 3


@pytest.mark.parametrize("text, expected", [
    ("Hei på deg", 10),
    ("Se https://www.alta.kommune.no/tjenester/bygg-og-eiendom/byggesak/ her", 3 + 23 + 4),
    ("Takk 🙏", 7),                        # an emoji counts 2
    ("👨‍👩‍👧‍👦", 2),                            # however many code points it has
    ("市役所", 6),                          # CJK counts 2 each
    ("«Sámegiella» – ok", 17),            # Latin-1 and Sámi letters, guillemets, en dash count 1
    ("e\u0301", 1),                       # NFC first: é
])
def test_x_weighted_length(text: str, expected: int) -> None:
    assert x_weighted(text) == expected


def test_mastodon_counts_every_link_as_23() -> None:
    assert with_links_as_23("Les mer: https://alta.kommune.no/a/very/long/path?with=query") == 9 + 23
    assert with_links_as_23("Ingen lenke") == 11
