"""Deciding what a message is: the triage of one text, a pure function of text and rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from innboks.config.facts import Facts
from innboks.domain import suggestions
from innboks.domain.language import MarkerIndex
from innboks.domain.pii import find_pii
from schemas import Category, EscalationReason, Language, ModerationReason, Triage
from streams.triage.matcher import CompiledRule, Features, compile_rules
from streams.triage.ruleset import Ruleset


@dataclass(frozen=True)
class ReplyContext:
    """Where case-handling inquiries go; fills the placeholders of the reply templates."""

    municipality: str = "Alta kommune"
    email: str = "postmottak@alta.kommune.no"
    web_form: str = "https://www.alta.kommune.no/skjema"
    postal_address: str = "Alta kommune, Postboks 1403, 9506 Alta"


_LANGUAGE_INDEXES: dict[int, tuple[Ruleset, MarkerIndex]] = {}


def _language_index(rules: Ruleset) -> MarkerIndex:
    cached = _LANGUAGE_INDEXES.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = _LANGUAGE_INDEXES[id(rules)] = (rules, MarkerIndex(rules.languages))
    return cached[1]


def language_scores(text: str, rules: Ruleset, words: list[str] | None = None) -> dict[Language, float]:
    """Marker-word evidence per language of the rules (exclusive markers count double, letters twice)."""
    return _language_index(rules).scores(text, words)


def detect_language(text: str, rules: Ruleset, words: list[str] | None = None) -> Language:
    return _language_index(rules).detect(text, rules.default_language, words)


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
    """Applies a ruleset to texts. Stateless and thread-safe; build once, call many times.

    With a facts registry, suggested replies point to its facts (``innboks.domain.suggestions``):
    emergencies and child-welfare concerns get the on-call numbers, general questions the topic's
    page, and case-handling requests the channel for that kind of case. ``facts`` may be replaced
    while the classifier runs (the worker follows edits on ``innboks.control``).
    """

    def __init__(self, rules: Ruleset, replies: ReplyContext | None = None, facts: Facts | None = None) -> None:
        self.rules = rules
        self.reply_context = replies or ReplyContext()
        self.facts = facts
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
            suggested_reply=self._reply(text, category, language, bool(pii), moderation, escalation),
        )

    def _decide(self, scores: dict[Category, float]) -> Category:
        if not scores:
            return self.rules.default_category
        return min(scores, key=lambda c: (-scores[c], self._priority.get(c, len(self._priority))))

    def _reply(self, text: str, category: Category, language: Language, has_pii: bool,
               moderation: list[ModerationReason], escalation: list[EscalationReason]) -> str | None:
        """The reply an operator may post, in the message's language (bokmål where none is written).

        Threats get none: how to answer one is for the leader and the communication unit to decide.
        """
        replies = self.rules.replies
        facts = self.facts
        if EscalationReason.THREAT in escalation:
            return None
        if EscalationReason.SELF_HARM in escalation and replies.self_harm:
            return self._fill(replies.self_harm, language)
        if has_pii:
            return self._fill(replies.personal_data, language)
        if facts is not None:
            if EscalationReason.EMERGENCY in escalation:
                return suggestions.emergency_reply(facts, text, language)
            if EscalationReason.CHILD_WELFARE in escalation and (
                    reply := suggestions.child_welfare_reply(facts, text, language)):
                return reply
        if moderation and replies.moderation:
            templates = replies.moderation
        elif category is Category.CASE_HANDLING:
            if facts is not None and (reply := suggestions.case_reply(facts, text, language)):
                return reply
            templates = replies.case_handling
        elif category is Category.FEEDBACK and replies.feedback:
            templates = replies.feedback
        elif category is Category.GENERAL_QUESTION and facts is not None:
            return suggestions.question_reply(facts, text, language)
        else:
            return None  # without facts, general questions need a person's own answer
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
    """The classifier with the rules file (``INNBOKS_TRIAGE_RULES``, else the packaged one), the reply
    addresses from the settings and the facts registry (``INNBOKS_FACTS``, else the packaged one)."""
    from innboks.config.facts import facts_path, load_facts
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
        load_facts(facts_path(settings.facts)),
    )
