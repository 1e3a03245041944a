"""The triage rules as the classifier runs them: a message's features, one lexicon for every word
condition (set lookups and a phrase search instead of regex scans), and each rule compiled to bits of it.

The rule models, and what their conditions mean, are in ``streams/triage/ruleset.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from innboks.domain.language import tokens

if TYPE_CHECKING:
    from streams.triage.ruleset import _Rule

__all__ = ["tokens", "Features", "WordSet", "Lexicon", "CompiledRule", "compile_rules"]

#: A capitalised word followed, after spaces only, by another capitalised word (lookahead, so
#: "Per Arne Vollan" yields both "Per" and "Arne").
_NAME_PAIR = re.compile(r"(?<![\w@#])([A-ZÆØÅÁČĐŊŠŦŽ][a-zæøåäöüáčđŋšŧž]+)(?= +[A-ZÆØÅÁČĐŊŠŦŽ][a-zæøåäöüáčđŋšŧž])")

MAX_PHRASE_WORDS = 5
#: Words whose matches the lexicon remembers (about 100 bytes each) before it starts afresh.
WORD_CACHE_SIZE = 50_000



#: The longest prefix (``word*``) a rule may use; messages' words are matched on prefixes up to this.
MAX_PREFIX = 40


class Features:
    """What rules look at, computed once per message: tokens, their prefixes, the raw text (and,
    on demand, the capitalised word pairs that may be names)."""

    __slots__ = ("text", "words", "word_set", "joined", "pii", "_prefixes", "_name_pairs")

    def __init__(self, text: str, pii: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.pii = pii
        self.words = tokens(text)
        self.word_set = frozenset(self.words)
        self.joined = f" {' '.join(self.words)} "
        self._prefixes: frozenset[str] | None = None
        self._name_pairs: list[tuple[int, str]] | None = None

    @property
    def prefixes(self) -> frozenset[str]:
        """Every prefix of two to ``MAX_PREFIX`` letters of every word (short words themselves included)."""
        if self._prefixes is None:
            # Only as long as a rule's prefix may be: a hostile 1 MB "word" must not make a million prefixes.
            self._prefixes = frozenset(word[:end] for word in self.word_set
                                       for end in range(2, min(len(word), MAX_PREFIX) + 1))
        return self._prefixes

    def has_full_name(self, first_names: frozenset[str]) -> bool:
        """A listed first name written with a capital, then, after spaces only, another capitalised
        word. At the very start of a short message it is how Facebook shows a tagged friend, so
        there it counts only when the message goes on to say something (eight words or more)."""
        if first_names.isdisjoint(self.word_set):
            return False
        if self._name_pairs is None:
            self._name_pairs = [(m.start(), m.group(1)) for m in _NAME_PAIR.finditer(self.text)]
        start = -1 if len(self.words) >= 8 else len(self.text) - len(self.text.lstrip())
        return any(at > start and word.lower() in first_names for at, word in self._name_pairs)


class WordSet:
    """Words, phrases, prefixes (``klage*``), endings (``*faktura``) and inner parts (``*faktura*``)
    of one condition, ready for fast lookups."""

    __slots__ = ("singles", "phrases", "first_words", "prefixes", "fragments")

    def __init__(self, entries: list[str]) -> None:
        normalised = [
            ("*" if e.startswith("*") else "") + " ".join(tokens(e.strip("*"))) + ("*" if e.endswith("*") else "")
            for e in entries
        ]
        plain = [e for e in normalised if not e.startswith("*")]
        self.singles = frozenset(e for e in plain if " " not in e and not e.endswith("*"))
        self.prefixes = frozenset(e.rstrip("*") for e in plain if e.endswith("*"))
        #: Endings and inner parts, searched for in the space-joined tokens: "faktura " ends a word,
        #: "faktura" lies inside one (the words themselves hold no spaces).
        self.fragments = tuple(
            e.strip("*") + ("" if e.endswith("*") else " ") for e in normalised if e.startswith("*")
        )
        phrases: dict[str, list[str]] = {}
        for entry in (e for e in normalised if " " in e):
            phrases.setdefault(entry.split(" ", 1)[0], []).append(f" {entry} ")
        #: Phrases by their first word: only phrases whose first word occurs are searched for.
        self.phrases = {first: tuple(found) for first, found in phrases.items()}
        self.first_words = frozenset(self.phrases)

    def matches(self, features: Features) -> bool:
        if not self.singles.isdisjoint(features.word_set):
            return True
        if self.prefixes and not self.prefixes.isdisjoint(features.prefixes):
            return True
        joined = features.joined
        if self.fragments and any(fragment in joined for fragment in self.fragments):
            return True
        if self.first_words.isdisjoint(features.word_set):  # the common case: no allocation
            return False
        return any(
            phrase in joined
            for first in self.first_words.intersection(features.word_set)
            for phrase in self.phrases[first]
        )


class Lexicon:
    """Every word condition of a ruleset (``words``, each group of ``all``, ``unless``) in one index.

    Instead of asking each condition in turn whether it matches (about 70 conditions, each with set
    lookups, substring searches and its own Python calls), one pass over a message's words finds the
    bit of every condition that matches: single words by a dict lookup, prefixes by walking along
    each word only as long as its beginning is the beginning of some prefix, endings and inner parts
    by one substring search each (17 in the shipped rules), phrases by a substring search only when
    their first two words are neighbours in the message. A
    condition matches here exactly when ``WordSet.matches`` says it does
    (``tests/unit/test_triage_golden.py`` and ``test_triage_engine.py`` hold the two to it).
    """

    def __init__(self, word_sets: list[WordSet]) -> None:
        self.singles: dict[str, int] = {}
        self.prefixes: dict[str, int] = {}
        fragments: dict[str, int] = {}
        #: Phrases by their first two words: a phrase (" a b c ", bounded by spaces) lies in the
        #: space-joined words only where its words follow each other, so only phrases whose first
        #: two words are neighbours in the message are searched for.
        self.phrases: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for bit, word_set in enumerate(word_sets):
            mask = 1 << bit
            for word in word_set.singles:
                self.singles[word] = self.singles.get(word, 0) | mask
            for prefix in word_set.prefixes:
                if len(prefix) >= 2:  # Features.prefixes start at two letters
                    self.prefixes[prefix] = self.prefixes.get(prefix, 0) | mask
            for fragment in word_set.fragments:
                fragments[fragment] = fragments.get(fragment, 0) | mask
            for phrases in word_set.phrases.values():
                for phrase in phrases:
                    first, second = phrase.split()[:2]
                    self.phrases.setdefault((first, second), []).append((phrase, mask))
        self.fragments = tuple(fragments.items())
        #: Every beginning (two letters or more) of a prefix: a word whose beginning of some length is
        #: not among them has no longer matching prefix either, so the walk along the word stops there.
        self.stems = frozenset(prefix[:end] for prefix in self.prefixes for end in range(2, len(prefix) + 1))
        #: What each word seen so far matches as a single word or by a prefix: words recur (most are
        #: everyday words that match nothing), so most words cost one lookup. Bounded.
        self._by_word: dict[str, int] = {}

    def word_bits(self, word: str) -> int:
        """The bits of the conditions the word matches on its own: as a single word or by a prefix."""
        mask = self.singles.get(word, 0)
        prefixes, stems = self.prefixes, self.stems
        for end in range(2, len(word) + 1):
            stem = word[:end]
            if stem not in stems:
                break
            mask |= prefixes.get(stem, 0)
        if len(self._by_word) >= WORD_CACHE_SIZE:
            self._by_word.clear()
        self._by_word[word] = mask
        return mask

    def hits(self, features: Features) -> int:
        """The bits of the conditions that match the message."""
        mask = 0
        by_word, phrases = self._by_word, self.phrases
        for word in features.word_set:
            found = by_word.get(word)
            mask |= self.word_bits(word) if found is None else found
        joined = features.joined
        words = features.words
        for pair in zip(words, words[1:]):  # noqa: B905 - the neighbours of each word
            candidates = phrases.get(pair)
            if candidates:
                for phrase, bit in candidates:
                    if not mask & bit and phrase in joined:
                        mask |= bit
        for fragment, bit in self.fragments:
            if fragment in joined:
                mask |= bit
        return mask


class CompiledRule:
    """A rule as the classifier runs it: its word conditions as bits of the ruleset's ``Lexicon``."""

    __slots__ = ("rule", "need", "unless", "pii", "full_name", "regex", "unless_regex")

    def __init__(self, rule: _Rule, bits: dict[int, int]) -> None:
        words, groups, regex, unless, unless_regex = rule._compiled
        self.rule = rule
        self.need = (bits[id(words)] if words is not None else 0) | _or(bits[id(group)] for group in groups)
        self.unless = bits[id(unless)] if unless is not None else 0
        self.pii = frozenset(t.value for t in rule.pii) if rule.pii else None
        self.full_name = rule.full_name
        self.regex = regex
        self.unless_regex = unless_regex

    def fires(self, hits: int, features: Features, first_names: frozenset[str]) -> bool:
        """``rule.fires(features, first_names)``, given the lexicon's ``hits`` for the features."""
        need = self.need
        if hits & need != need or hits & self.unless:
            return False
        return self.rest_holds(features, first_names)

    def rest_holds(self, features: Features, first_names: frozenset[str]) -> bool:
        """The conditions besides words: personal data, a full name, the patterns."""
        if self.pii is not None and features.pii.isdisjoint(self.pii):
            return False
        if self.full_name and not features.has_full_name(first_names):
            return False
        if self.unless_regex is not None and self.unless_regex.search(features.text) is not None:
            return False
        return self.regex is None or self.regex.search(features.text) is not None


def _or(masks: Iterable[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


def compile_rules(rules: list[list[_Rule]]) -> tuple[Lexicon, list[list[CompiledRule]]]:
    """One lexicon for the word conditions of all the rule lists, and each list's compiled rules."""
    word_sets: list[WordSet] = []
    bits: dict[int, int] = {}
    for rule in (rule for group in rules for rule in group):
        words, groups, _, unless, _ = rule._compiled
        for word_set in (words, *groups, unless):
            if word_set is not None and id(word_set) not in bits:
                bits[id(word_set)] = 1 << len(word_sets)
                word_sets.append(word_set)
    return Lexicon(word_sets), [[CompiledRule(rule, bits) for rule in group] for group in rules]
