r"""Loading the triage rules file (YAML) into validated rule models (compiled by ``matcher.py``).

A rule lists conditions of these kinds, and fires when every condition it specifies holds:

- ``words``: any of these words or phrases occurs (a trailing ``*`` matches a word prefix:
  ``klage*`` matches "klagen", "klager"; a leading one a word ending, for the heads of Norwegian
  compounds: ``*faktura`` matches "vannfaktura"; both an inner part: ``*faktura*`` matches
  "vannfakturaen");
- ``all``: each group of words has at least one hit (e.g. a first-person word and a case noun);
- ``patterns``: any of these regular expressions matches (for what words cannot say: case numbers,
  a question mark);
- ``pii``: personal data of one of these types was found (e.g. a fødselsnummer);
- ``unless``: none of these words or phrases occurs (a veto); ``unless_patterns``: none of these
  regular expressions matches (``'\?'``: not a question);
- ``full_name``: a first name from the file's ``first_names`` list, capitalised, followed by a
  capitalised word (a surname): how a private person or an employee is named.

Patterns are case-insensitive unless the rule says ``case_sensitive: true`` (for names).

Words are matched against the lower-cased tokens of the message: single words and prefixes by set
lookups, phrases (up to five words) by a substring search in the joined tokens once their first
word is known to occur. That is far cheaper than regex scans and keeps triage fast. Errors name the file,
the rule and what is wrong, so a communication unit editing the rules gets a usable message.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from innboks.config.files import UnreadableFile, read_text
from innboks.domain.language import LanguageMarkers, default_markers
from innboks.domain.names import first_names as default_first_names
from innboks.errors import first_validation_error
from schemas import Category, EscalationReason, Language, ModerationReason, PiiType
from streams.triage.context import SpikeRule
from streams.triage.matcher import MAX_PHRASE_WORDS, MAX_PREFIX, Features, WordSet, tokens

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.yaml")

class RulesError(ValueError):
    """The rules file is missing, malformed or invalid."""

def _check_words(entries: list[str]) -> list[str]:
    for entry in entries:
        word = entry.strip("*").strip()
        if not word or word != entry.strip("*") or "*" in word or entry.startswith("**") or entry.endswith("**"):
            raise ValueError(f"word {entry!r}: words are plain text with an optional * at either end, no spaces around")
        if "*" in entry and " " in word:
            raise ValueError(f"word {entry!r}: prefixes and endings (*) are single words")
        if entry.endswith("*") and not entry.startswith("*") and len(word) > MAX_PREFIX:
            raise ValueError(f"word {entry!r}: a prefix (word*) has at most {MAX_PREFIX} letters")
        if entry.startswith("*") and len(word) < 3:
            raise ValueError(f"word {entry!r}: endings and inner parts (*) need at least three letters")
        if len(tokens(word)) > MAX_PHRASE_WORDS:
            raise ValueError(f"word {entry!r}: phrases have at most {MAX_PHRASE_WORDS} words")
    return entries


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_.\-]+$")
    words: list[str] = Field(default_factory=list)
    all: list[list[str]] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    case_sensitive: bool = False
    pii: list[PiiType] = Field(default_factory=list)
    full_name: bool = False
    unless: list[str] = Field(default_factory=list)
    unless_patterns: list[str] = Field(default_factory=list)

    @field_validator("words", "unless")
    @classmethod
    def _words(cls, entries: list[str]) -> list[str]:
        return _check_words(entries)

    @field_validator("all")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if not group:
                raise ValueError("every group in `all` needs at least one word")
            _check_words(group)
        return groups

    @field_validator("patterns", "unless_patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
        return patterns

    @model_validator(mode="after")
    def _has_a_condition(self) -> _Rule:
        if not (self.words or self.all or self.patterns or self.pii or self.full_name):
            raise ValueError(f"rule {self.id!r} needs `words`, `all`, `patterns`, `pii` or `full_name`")
        return self

    @cached_property
    def _compiled(self) -> tuple[WordSet | None, list[WordSet], re.Pattern[str] | None, WordSet | None,
                                 re.Pattern[str] | None]:
        return (
            WordSet(self.words) if self.words else None,
            [WordSet(group) for group in self.all],
            _any_of(self.patterns, self.case_sensitive),
            WordSet(self.unless) if self.unless else None,
            _any_of(self.unless_patterns, self.case_sensitive),
        )

    def fires(self, features: Features, first_names: frozenset[str] = frozenset()) -> bool:
        words, groups, regex, unless, unless_regex = self._compiled
        if words is not None and not words.matches(features):
            return False
        if any(not group.matches(features) for group in groups):
            return False
        if unless is not None and unless.matches(features):
            return False
        if self.pii and features.pii.isdisjoint(t.value for t in self.pii):
            return False
        if self.full_name and not features.has_full_name(first_names):
            return False
        if unless_regex is not None and unless_regex.search(features.text) is not None:
            return False
        return regex is None or regex.search(features.text) is not None


def _any_of(patterns: list[str], case_sensitive: bool) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), 0 if case_sensitive else re.IGNORECASE)


class CategoryRule(_Rule):
    category: Category
    weight: float = Field(default=1.0, gt=0)


class ModerationRule(_Rule):
    reason: ModerationReason


class EscalationRule(_Rule):
    reason: EscalationReason


class Evidence(BaseModel):
    """Moderation or escalation reasons that also count toward a category (a threat is feedback,
    a report of concern about a child is a case)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_.\-]+$")
    reasons: list[ModerationReason | EscalationReason] = Field(min_length=1)
    category: Category
    weight: float = Field(gt=0)


class Replies(BaseModel):
    """Suggested replies per situation and language (nb required; nn and en where written)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_handling: dict[Language, str]
    personal_data: dict[Language, str]
    moderation: dict[Language, str] = Field(default_factory=dict)
    self_harm: dict[Language, str] = Field(default_factory=dict)
    feedback: dict[Language, str] = Field(default_factory=dict)
    #: The automatic acknowledgement of a direct message out of hours (docs/actions.md).
    out_of_hours: dict[Language, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bokmal_everywhere(self) -> Replies:
        for name in type(self).model_fields:
            templates = getattr(self, name)
            if templates and Language.BOKMAL not in templates:
                raise ValueError(f"replies.{name} needs a bokmål (nb) text to fall back on")
        return self


class Ruleset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    spike: SpikeRule = Field(default_factory=SpikeRule)
    category_priority: list[Category]
    #: The category when no category rule fires.
    default_category: Category = Category.OTHER
    #: The language of a text with no marker words of any language ("Skandale!").
    default_language: Language = Language.BOKMAL
    categories: list[CategoryRule]
    evidence: list[Evidence] = Field(default_factory=list)
    moderation: list[ModerationRule] = Field(default_factory=list)
    escalation: list[EscalationRule] = Field(default_factory=list)
    #: Marker words per language; the shared ones (innboks/domain/languages.yaml) unless the file lists its own.
    languages: dict[Language, LanguageMarkers] = Field(default_factory=default_markers)
    replies: Replies
    #: First names (lower case) for ``full_name`` conditions.
    first_names: frozenset[str] = Field(default_factory=default_first_names)

    @field_validator("first_names", mode="before")
    @classmethod
    def _lower_case_names(cls, names: list[str]) -> frozenset[str]:
        return frozenset(name.lower() for name in names)

    @field_validator("categories", "moderation", "escalation")
    @classmethod
    def _unique_ids(cls, rules: list[_Rule]) -> list[_Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return rules


def load_ruleset(path: Path = DEFAULT_RULES_PATH) -> Ruleset:
    try:
        data = yaml.safe_load(read_text(path, "the rules file"))
    except UnreadableFile as exc:
        raise RulesError(str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise RulesError(f"{path}:{where} is not valid YAML") from exc
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RulesError(f"{path}: {first_validation_error(exc, '')}") from exc
