"""The classifier's one-pass lexicon (``matcher.Lexicon``) decides each rule exactly as the rule's own
``fires`` does, on the dev corpora and on texts made of the rules' own words (issue 16)."""

import json
import random

from streams.triage.classifier import Classifier, language_scores
from streams.triage.matcher import Features
from streams.triage.ruleset import load_ruleset
from tests.triage_golden import texts as golden_texts


def rule_texts(rules, count: int = 3000) -> list[str]:
    """Texts of random entries of every word list of the rules (phrases, prefixes with an ending,
    inner parts inside a longer word), mixed with ordinary words, in random case."""
    entries: list[str] = []
    for rule in [*rules.categories, *rules.moderation, *rules.escalation]:
        for group in (rule.words, *rule.all, rule.unless):
            for entry in group:
                word = entry.strip("*")
                if entry.startswith("*"):
                    word = "vann" + word
                if entry.endswith("*"):
                    word = word + "en"
                entries.append(word)
    filler = ["hei", "og", "jeg", "er", "på", "at", "det", "?", "!", "2026", "24/1234", "Kari", "Nordmann", "@Per"]
    rng = random.Random(16)
    made = []
    for _ in range(count):
        words = rng.choices(entries, k=rng.randint(1, 6)) + rng.choices(filler, k=rng.randint(0, 6))
        rng.shuffle(words)
        text = " ".join(words)
        made.append(text.upper() if rng.random() < 0.1 else text.capitalize() if rng.random() < 0.3 else text)
    return made


def test_every_rule_fires_exactly_as_its_own_conditions_say() -> None:
    rules = load_ruleset()
    classifier = Classifier(rules)
    compiled = [*classifier._categories, *classifier._moderation, *classifier._escalation]
    texts = [text for _, text in golden_texts()] + rule_texts(rules)
    differing = []
    for text in texts:
        pii = frozenset(finding.type.value for finding in classifier.triage(text).pii)
        features = Features(text, pii)
        hits = classifier._lexicon.hits(features)
        reference = Features(text, pii)
        for rule in compiled:
            if rule.fires(hits, features, rules.first_names) != rule.rule.fires(reference, rules.first_names):
                differing.append((rule.rule.id, text))
    assert differing == []
    assert len(texts) > 6000


def test_language_scores_are_the_marker_counts() -> None:
    """The indexed language scores against the definition (each marker occurrence 1, exclusive 2,
    the language's own letters 2 each), on the same texts."""
    rules = load_ruleset()
    for text in [text for _, text in golden_texts()][:700] + rule_texts(rules, 500):
        words = [w for w in Features(text).words if not w.isdigit()]
        expected = {}
        for language, markers in rules.languages.items():
            score = sum(1 + (w in markers.exclusive) for w in words if w in markers.markers)
            expected[language] = score + 2 * sum(text.lower().count(letter) for letter in markers.letters)
        assert language_scores(text, rules) == (expected if words else {}), text


def test_the_word_cache_starts_afresh_when_full(monkeypatch) -> None:
    from streams.triage import matcher

    monkeypatch.setattr(matcher, "WORD_CACHE_SIZE", 5)
    classifier = Classifier(load_ruleset())
    decided = [json.dumps(classifier.triage(text).model_dump(mode="json")) for _, text in list(golden_texts())[:200]]
    assert len(classifier._lexicon._by_word) <= 5
    fresh = Classifier(load_ruleset())
    assert decided == [json.dumps(fresh.triage(text).model_dump(mode="json")) for _, text in list(golden_texts())[:200]]
