"""Deciding what a message is: the triage of one text, a pure function of text and rules."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from innboks.domain.pii import find_pii
from schemas import Category, EscalationReason, Language, ModerationReason, Triage
from streams.triage.matcher import CompiledRule, Features, compile_rules, tokens
from streams.triage.ruleset import Ruleset

_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class ReplyContext:
    """Where case-handling inquiries go; fills the placeholders of the reply templates."""

    municipality: str = "Alta kommune"
    email: str = "postmottak@alta.kommune.no"
    web_form: str = "https://www.alta.kommune.no/skjema"
    postal_address: str = "Alta kommune, Postboks 1403, 9506 Alta"


class _LanguageIndex:
    """The language markers of a ruleset by word: what each occurrence adds to which language's score
    (1 for a marker, 2 for an exclusive one), so a message's words are looked up once each instead
    of intersected with every language's lists."""

    def __init__(self, rules: Ruleset) -> None:
        self.languages = tuple(rules.languages)
        self.weights: dict[str, list[tuple[int, int]]] = {}
        for index, markers in enumerate(rules.languages.values()):
            for word in markers.markers:
                self.weights.setdefault(word, []).append((index, 2 if word in markers.exclusive else 1))
        self.letters = tuple((index, markers.letters) for index, markers in enumerate(rules.languages.values())
                             if markers.letters)


_LANGUAGE_INDEXES: dict[int, tuple[Ruleset, _LanguageIndex]] = {}


def _language_index(rules: Ruleset) -> _LanguageIndex:
    cached = _LANGUAGE_INDEXES.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = _LANGUAGE_INDEXES[id(rules)] = (rules, _LanguageIndex(rules))
    return cached[1]


def language_scores(text: str, rules: Ruleset, words: list[str] | None = None) -> dict[Language, float]:
    """Marker-word evidence per language of the rules (exclusive markers count double, letters twice)."""
    index = _language_index(rules)
    totals = [0] * len(index.languages)
    weights = index.weights
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
    if index.letters:
        lowered = text.lower()
        for language, letters in index.letters:
            totals[language] += 2 * sum(lowered.count(letter) for letter in letters)
    return dict(zip(index.languages, totals, strict=True))


def detect_language(text: str, rules: Ruleset, words: list[str] | None = None) -> Language:
    scores = language_scores(text, rules, words)
    if not scores:
        return Language.UNDETERMINED
    best = max(scores, key=lambda lang: scores[lang])  # ties: the earlier language in the rules file
    if scores[best] <= 0:
        # No marker words ("Skandale!", "Bra!"): the municipality's own language, unless there is
        # nothing written at all (only emoji or digits).
        return rules.default_language if _LETTER.search(text) else Language.UNDETERMINED
    return best


def _reasons(rules: Sequence[CompiledRule], hits: int, features: Features, first_names: frozenset[str],
             fired: list[str]) -> list[Any]:
    """The distinct reasons of the rules that fire, in rule order; records fired rule ids."""
    found: list[Any] = []
    for compiled in rules:
        need = compiled.need
        if hits & need == need and not hits & compiled.unless and compiled.rest_holds(features, first_names):
            rule: Any = compiled.rule
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
        # The rules' word conditions as one lexicon (matcher.Lexicon): one pass over a message's words.
        self._lexicon, (self._categories, self._moderation, self._escalation) = compile_rules(
            [list(rules.categories), list(rules.moderation), list(rules.escalation)])

    def triage(self, text: str) -> Triage:
        pii = find_pii(text)
        features = Features(text, frozenset(finding.type.value for finding in pii))
        hits = self._lexicon.hits(features)
        fired: list[str] = []
        scores: dict[Category, float] = defaultdict(float)
        names = self.rules.first_names
        for compiled in self._categories:
            need = compiled.need  # the word conditions first: one AND, and most rules stop here
            if hits & need == need and not hits & compiled.unless and compiled.rest_holds(features, names):
                rule: Any = compiled.rule
                scores[rule.category] += rule.weight
                fired.append(rule.id)
        moderation: list[ModerationReason] = _reasons(self._moderation, hits, features, names, fired)
        escalation: list[EscalationReason] = _reasons(self._escalation, hits, features, names, fired)
        flagged = {*moderation, *escalation}
        for evidence in self.rules.evidence:
            if flagged.intersection(evidence.reasons):
                scores[evidence.category] += evidence.weight
                fired.append(evidence.id)
        category = self._decide(scores)
        language = detect_language(text, self.rules, features.words)
        return Triage(
            category=category,
            language=language,
            pii=pii,
            moderation=moderation,
            escalate=bool(escalation),
            escalation_reasons=escalation,
            rules=fired,
            suggested_reply=self._reply(category, language, bool(pii), moderation, escalation),
        )

    def _decide(self, scores: dict[Category, float]) -> Category:
        if not scores:
            return self.rules.default_category
        return min(scores, key=lambda c: (-scores[c], self._priority.get(c, len(self._priority))))

    def _reply(self, category: Category, language: Language, has_pii: bool,
               moderation: list[ModerationReason], escalation: list[EscalationReason]) -> str | None:
        """The reply an operator may post, in the message's language (bokmål where none is written).

        Threats get none: how to answer one is for the leader and the communication unit to decide.
        """
        replies = self.rules.replies
        if EscalationReason.THREAT in escalation:
            return None
        if EscalationReason.SELF_HARM in escalation and replies.self_harm:
            templates = replies.self_harm
        elif has_pii:
            templates = replies.personal_data
        elif moderation and replies.moderation:
            templates = replies.moderation
        elif category is Category.CASE_HANDLING:
            templates = replies.case_handling
        elif category is Category.FEEDBACK and replies.feedback:
            templates = replies.feedback
        else:
            return None  # general questions need a person's own answer with the facts
        return self._fill(templates, language)

    def reply_text(self, name: str, language: Language) -> str | None:
        """A named reply of the rules (``personal_data``, ``out_of_hours`` …) in ``language`` (else bokmål)."""
        templates: dict[Language, str] = getattr(self.rules.replies, name)
        return self._fill(templates, language) if templates else None

    def _fill(self, templates: dict[Language, str], language: Language) -> str:
        template = templates.get(language) or templates[Language.BOKMAL]
        ctx = self.reply_context
        return template.format(
            municipality=ctx.municipality, email=ctx.email, web_form=ctx.web_form, postal_address=ctx.postal_address
        )


def build_classifier() -> Classifier:
    """The classifier with the rules file (``INNBOKS_TRIAGE_RULES``, else the packaged one) and the
    reply addresses from the settings."""
    from innboks.config.settings import get_settings
    from streams.triage.ruleset import DEFAULT_RULES_PATH, load_ruleset

    settings = get_settings()
    return Classifier(
        load_ruleset(settings.triage_rules or DEFAULT_RULES_PATH),
        ReplyContext(
            municipality=settings.municipality,
            email=settings.case_email,
            web_form=settings.case_web_form,
            postal_address=settings.case_postal_address,
        ),
    )
