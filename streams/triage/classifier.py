"""Deciding what a message is: the triage of one text, a pure function of text and rules."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemas import Category, EscalationReason, Language, ModerationReason, Triage
from streams.triage.pii import find_pii
from streams.triage.ruleset import EscalationRule, ModerationRule, Ruleset

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class ReplyContext:
    """Where case-handling inquiries go; fills the placeholders of the reply templates."""

    municipality: str = "Alta kommune"
    email: str = "postmottak@alta.kommune.no"
    web_form: str = "https://www.alta.kommune.no/skjema"
    postal_address: str = "Alta kommune, Postboks 1403, 9506 Alta"


def detect_language(text: str, rules: Ruleset) -> Language:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return Language.UNDETERMINED
    scores: dict[Language, float] = {}
    for language, markers in rules.languages.items():
        score = sum(1 + (w in markers.exclusive) for w in words if w in markers.markers)
        if markers.letters:
            score += 2 * sum(ch in markers.letters for ch in text.lower())
        scores[language] = score
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] <= 0:
        return Language.UNDETERMINED
    return best


def _reasons(rules: Sequence[ModerationRule] | Sequence[EscalationRule], text: str, fired: list[str]) -> list[Any]:
    """The distinct reasons of the rules that match ``text``, in rule order; records fired rule ids."""
    found: list[Any] = []
    for rule in rules:
        if rule.regex.search(text):
            fired.append(rule.id)
            if rule.reason not in found:
                found.append(rule.reason)
    return found


class Classifier:
    """Applies a ruleset to texts. Stateless and thread-safe; build once, call many times."""

    def __init__(self, rules: Ruleset, replies: ReplyContext | None = None) -> None:
        self.rules = rules
        self.reply_context = replies or ReplyContext()
        self._priority = {category: rank for rank, category in enumerate(rules.category_priority)}

    def triage(self, text: str) -> Triage:
        fired: list[str] = []
        scores: dict[Category, float] = defaultdict(float)
        for rule in self.rules.categories:
            if rule.regex.search(text):
                scores[rule.category] += rule.weight
                fired.append(rule.id)
        moderation: list[ModerationReason] = _reasons(self.rules.moderation, text, fired)
        escalation: list[EscalationReason] = _reasons(self.rules.escalation, text, fired)
        category = self._decide(scores)
        language = detect_language(text, self.rules)
        pii = find_pii(text)
        return Triage(
            category=category,
            language=language,
            pii=pii,
            moderation=moderation,
            escalate=bool(escalation),
            escalation_reasons=escalation,
            rules=fired,
            suggested_reply=self._reply(category, language, bool(pii)),
        )

    def _decide(self, scores: dict[Category, float]) -> Category:
        if not scores:
            return Category.OTHER
        return min(scores, key=lambda c: (-scores[c], self._priority.get(c, len(self._priority))))

    def _reply(self, category: Category, language: Language, has_pii: bool) -> str | None:
        if has_pii:
            templates = self.rules.replies.personal_data
        elif category is Category.CASE_HANDLING:
            templates = self.rules.replies.case_handling
        else:
            return None  # general questions and feedback need a person's own answer
        template = templates.get(language) or templates[Language.BOKMAL]
        ctx = self.reply_context
        return template.format(
            municipality=ctx.municipality, email=ctx.email, web_form=ctx.web_form, postal_address=ctx.postal_address
        )
