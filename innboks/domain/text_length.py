"""How the platforms measure the length of a text, so a reply that is too long is refused before it is sent.

- Most count characters (Unicode code points).
- Bluesky counts graphemes (what a reader sees as one character: a flag, an emoji with a skin tone,
  a letter with a combining accent), and bytes besides: UAX #29 extended grapheme clusters, through
  the ``regex`` library's ``\\X``.
- X counts "weighted" characters (twitter-text, version 3): after NFC normalisation, a link is 23
  whatever its length, an emoji is 2, a code point in the ranges used by Latin, Greek, Cyrillic,
  Hebrew, Arabic and most other alphabets (U+0000-U+10FF) and general punctuation is 1, and any
  other (CJK, for example) is 2.
- Mastodon counts characters with every link as 23.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import regex

_GRAPHEME = regex.compile(r"\X")
#: What X and Mastodon count as a link (the whole of it counts as 23).
_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
URL_LENGTH = 23
#: twitter-text v3: code points in these ranges weigh 1, all others 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


def characters(text: str) -> int:
    return len(text)


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def with_links_as_23(text: str) -> int:
    """Characters, with every link counted as 23 (Mastodon)."""
    return len(_URL.sub("", text)) + URL_LENGTH * len(_URL.findall(text))


def x_weighted(text: str) -> int:
    """The length X's API checks against 280 (twitter-text's weighted length)."""
    text = unicodedata.normalize("NFC", text)
    length = URL_LENGTH * len(_URL.findall(text))
    for cluster in _GRAPHEME.findall(_URL.sub("", text)):
        if _EMOJI.search(cluster):
            length += 2
            continue
        length += sum(1 if _light(ord(char)) else 2 for char in cluster)
    return length


def _light(code_point: int) -> bool:
    return any(start <= code_point <= end for start, end in _LIGHT_RANGES)


#: How each way of counting is called in a refusal, and the function that counts.
UNITS = {
    "characters": "characters",
    "weighted": "weighted characters (a link counts 23, an emoji 2)",
    "graphemes": "graphemes (what a reader sees as one character)",
    "links_23": "characters (a link counts 23)",
}
MEASURES: dict[str, Callable[[str], int]] = {
    "characters": characters, "weighted": x_weighted, "graphemes": graphemes, "links_23": with_links_as_23,
}
