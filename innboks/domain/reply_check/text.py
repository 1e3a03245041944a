"""Text helpers of the reply check: sentences with their spans, word counts, phrase tables."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from innboks.domain.reply_check.model import ReplyWarning

#: Where a sentence ends: . ! ? … followed by space and a capital letter, a quote or a digit after
#: ! and ?; or a line break. "1. mars", "kl. 19" and "jf. § 4" do not end one.
_BREAK = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[A-ZÆØÅÁČĐŊŠŦŽ«\"“(\U0001F300-\U0001FAFF])|(?<=[!?])\s+(?=\S)|\s*\n\s*")
#: Words as people count them: a web or e-mail address counts as one.
_WORD = re.compile(r"\S+@\S+|https?://\S+|[^\W_]+(?:[-'.][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def sentences(text: str) -> list[Sentence]:
    """The sentences of a text with their character spans (stripped of surrounding space)."""
    found: list[Sentence] = []
    position = 0
    for match in [*_BREAK.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + chunk.index(stripped)
            found.append(Sentence(start, start + len(stripped), stripped))
        if match is not None:
            position = match.end()
    return found


def sentence_at(sentences_: Sequence[Sentence], offset: int) -> Sentence | None:
    return next((s for s in sentences_ if s.start <= offset < s.end), None)


@dataclass(frozen=True)
class Phrase:
    """One row of a phrase table: a regular expression (case-insensitive unless said, matched on
    word boundaries) and the message for staff when it is found."""

    pattern: str
    message: str
    case_sensitive: bool = False

    def compiled(self) -> re.Pattern[str]:
        flags = 0 if self.case_sensitive else re.IGNORECASE
        return re.compile(rf"(?<![\w]){self.pattern}(?![\w])", flags)


class PhraseTable:
    """A table of phrases compiled once; ``find`` yields each match with its row."""

    def __init__(self, rows: Sequence[Phrase]) -> None:
        self.rows = tuple((row, row.compiled()) for row in rows)

    def find(self, text: str) -> Iterator[tuple[Phrase, re.Match[str]]]:
        for row, pattern in self.rows:
            for match in pattern.finditer(text):
                yield row, match


def without_overlaps(warnings: list[ReplyWarning]) -> list[ReplyWarning]:
    """The warnings in text order, each place warned of once (the first, longest match wins)."""
    kept: list[ReplyWarning] = []
    for warning in sorted(warnings, key=lambda w: (w.start or 0, -(w.end or 0))):
        if any((k.start or 0) <= (warning.start or 0) < (k.end or 0) for k in kept):
            continue
        kept.append(warning)
    return kept


def any_of(words: Sequence[str]) -> str:
    """A regex alternative of words or phrases (already regex-escaped where needed)."""
    return "(?:" + "|".join(words) + ")"
