"""Which written language a text is in, by marker words: shared by triage (the citizen's message) and
the reply check (our reply, which must be in the citizen's written standard).

Each language has marker words (exclusive ones, pointing to it and not its neighbours, count
double) and, for North Sámi, letters of its own (each occurrence counts twice). The packaged
markers are ``languages.yaml`` next to this module; a triage rules file may bring its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter

from schemas import Language

DEFAULT_MARKERS_PATH = Path(__file__).with_name("languages.yaml")

#: Words (with inner hyphens/apostrophes), and emoji as tokens of their own (😂 can veto a rule).
TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*|[\U0001F300-\U0001FAFF\u2600-\u27BF]", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]")


def tokens(text: str) -> list[str]:
    """The lower-cased words (and emoji) of a text."""
    return TOKEN.findall(text.lower())


class LanguageMarkers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    markers: frozenset[str] = frozenset()
    #: Words that point to this language and not its neighbours; they count double.
    exclusive: frozenset[str] = frozenset()
    #: Letters that only this language uses (North Sámi: á č đ ŋ š ŧ ž).
    letters: str = ""


_MARKERS = TypeAdapter(dict[Language, LanguageMarkers])


@lru_cache(maxsize=1)
def default_markers() -> dict[Language, LanguageMarkers]:
    """The packaged markers (``languages.yaml``)."""
    data = yaml.safe_load(DEFAULT_MARKERS_PATH.read_text(encoding="utf-8"))
    return _MARKERS.validate_python(data["languages"])


class MarkerIndex:
    """Markers by word: what each occurrence adds to which language's score (1 for a marker, 2 for
    an exclusive one), so a text's words are looked up once each instead of intersected with every
    language's lists."""

    def __init__(self, languages: Mapping[Language, LanguageMarkers]) -> None:
        self.languages = tuple(languages)
        self.weights: dict[str, list[tuple[int, int]]] = {}
        for index, markers in enumerate(languages.values()):
            for word in markers.markers:
                self.weights.setdefault(word, []).append((index, 2 if word in markers.exclusive else 1))
        self.letters = tuple((index, markers.letters) for index, markers in enumerate(languages.values())
                             if markers.letters)

    def scores(self, text: str, words: list[str] | None = None) -> dict[Language, float]:
        """Marker-word evidence per language (exclusive markers count double, letters twice); ``{}``
        for a text without words (only digits or emoji)."""
        totals = [0] * len(self.languages)
        weights = self.weights
        any_word = False
        for word in words if words is not None else tokens(text):
            if word.isdigit():
                continue
            any_word = True
            found = weights.get(word)
            if found:
                for language, weight in found:
                    totals[language] += weight
        if not any_word:
            return {}
        if self.letters:
            lowered = text.lower()
            for language, letters in self.letters:
                totals[language] += 2 * sum(lowered.count(letter) for letter in letters)
        return dict(zip(self.languages, totals, strict=True))

    def detect(self, text: str, default: Language, words: list[str] | None = None) -> Language:
        """The language with the most evidence (ties: the earlier one). No marker words at all
        ("Skandale!"): ``default``, unless nothing is written (only emoji or digits)."""
        scores = self.scores(text, words)
        if not scores:
            return Language.UNDETERMINED
        best = max(scores, key=lambda lang: scores[lang])
        if scores[best] <= 0:
            return default if _LETTER.search(text) else Language.UNDETERMINED
        return best
