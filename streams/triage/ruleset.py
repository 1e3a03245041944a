"""Loading the triage rules file (YAML) into validated, compiled rules.

Errors name the file, the rule id and what is wrong, so a communication unit editing the rules
gets a usable message instead of a stack trace.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas import Category, EscalationReason, Language, ModerationReason
from streams.triage.context import SpikeRule

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.yaml")


class RulesError(ValueError):
    """The rules file is missing, malformed or invalid."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_.\-]+$")
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
        return patterns

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns), re.IGNORECASE)


class CategoryRule(_Rule):
    category: Category
    weight: float = Field(default=1.0, gt=0)


class ModerationRule(_Rule):
    reason: ModerationReason


class EscalationRule(_Rule):
    reason: EscalationReason


class LanguageMarkers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    markers: frozenset[str] = frozenset()
    #: Words that point to this language and not its neighbours; they count double.
    exclusive: frozenset[str] = frozenset()
    #: Letters that only this language uses (North Sámi: á č đ ŋ š ŧ ž).
    letters: str = ""


class Replies(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    case_handling: dict[Language, str]
    personal_data: dict[Language, str]


class Ruleset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    spike: SpikeRule = Field(default_factory=SpikeRule)
    category_priority: list[Category]
    categories: list[CategoryRule]
    moderation: list[ModerationRule] = Field(default_factory=list)
    escalation: list[EscalationRule] = Field(default_factory=list)
    languages: dict[Language, LanguageMarkers]
    replies: Replies

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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise RulesError(f"{path}:{where} is not valid YAML") from exc
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        location = ".".join(str(part) for part in first["loc"])
        raise RulesError(f"{path}: {location}: {first['msg']}") from exc
