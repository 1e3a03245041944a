"""Measuring triage against a labelled corpus: precision, recall and F1 per label, and a confusion matrix.

The corpus is JSON lines in the format of docs/triage-labelling.md. Multi-label fields (pii,
moderation, escalate) are scored per label as binary decisions over all messages. The category is
scored per class with a confusion matrix and overall accuracy.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from innboks.config.files import UnreadableFile, read_text
from innboks.errors import first_validation_error
from schemas import Category, EscalationReason, Language, ModerationReason, PiiType, Triage
from streams.triage.classifier import Classifier

TEXT_LABELS: dict[str, tuple[str, ...]] = {
    "pii": tuple(t.value for t in PiiType),
    "moderation": tuple(r.value for r in ModerationReason),
    "escalate": tuple(r.value for r in EscalationReason if r not in (EscalationReason.CRISIS,
                                                                       EscalationReason.SPIKE)),
}


class CorpusError(ValueError):
    """The corpus file is missing or a line is malformed."""


class LabelledMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    text: str
    category: Category
    language: Language
    pii: list[PiiType] = Field(default_factory=list)
    moderation: list[ModerationReason] = Field(default_factory=list)
    escalate: list[EscalationReason] = Field(default_factory=list)


def load_corpus(path: Path) -> list[LabelledMessage]:
    try:
        lines = read_text(path, "the corpus").splitlines()
    except UnreadableFile as exc:
        raise CorpusError(str(exc)) from None
    messages = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            messages.append(LabelledMessage.model_validate_json(line))
        except ValidationError as exc:
            raise CorpusError(f"{path}:{number}: {first_validation_error(exc, '(line)')}") from None
    if not messages:
        raise CorpusError(f"{path}: no messages")
    return messages


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def support(self) -> int:
        return self.true_positive + self.false_negative

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.true_positive += 1
        elif predicted:
            self.false_positive += 1
        elif expected:
            self.false_negative += 1


@dataclass
class Evaluation:
    total: int = 0
    category_correct: int = 0
    language_correct: int = 0
    scores: dict[str, dict[str, Score]] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Ids of messages where a fødselsnummer was found but none was labelled (the worst error).
    false_fodselsnummer: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def category_accuracy(self) -> float:
        return self.category_correct / self.total if self.total else 0.0

    @property
    def language_accuracy(self) -> float:
        return self.language_correct / self.total if self.total else 0.0

    def score(self, group: str, label: str) -> Score:
        return self.scores.setdefault(group, {}).setdefault(label, Score())

    def summary(self) -> dict[str, Any]:
        return {
            "messages": self.total,
            "category_accuracy": round(self.category_accuracy, 4),
            "language_accuracy": round(self.language_accuracy, 4),
            "false_fodselsnummer": self.false_fodselsnummer,
            "labels": {
                group: {label: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                "f1": round(s.f1, 4), "support": s.support}
                        for label, s in sorted(labels.items())}
                for group, labels in sorted(self.scores.items())
            },
            "confusion": {f"{expected}->{predicted}": n for (expected, predicted), n in sorted(self.confusion.items())},
        }


def evaluate(classifier: Classifier, messages: Iterable[LabelledMessage]) -> Evaluation:
    result = Evaluation()
    for message in messages:
        triage = classifier.triage(message.text)
        result.total += 1
        _score_category(result, message, triage)
        if triage.language is message.language:
            result.language_correct += 1
        result.score("language", message.language.value).add(True, triage.language is message.language)
        if triage.language is not message.language:
            result.score("language", triage.language.value).add(False, True)
        found = {
            "pii": {finding.type.value for finding in triage.pii},
            "moderation": {reason.value for reason in triage.moderation},
            "escalate": {reason.value for reason in triage.escalation_reasons},
        }
        labelled = {
            "pii": {t.value for t in message.pii},
            "moderation": {r.value for r in message.moderation},
            "escalate": {r.value for r in message.escalate},
        }
        for group, labels in TEXT_LABELS.items():
            for label in labels:
                result.score(group, label).add(label in labelled[group], label in found[group])
        if "fodselsnummer" in found["pii"] and "fodselsnummer" not in labelled["pii"]:
            result.false_fodselsnummer.append(message.id)
        if triage.category is not message.category or found != labelled:
            result.errors.append({"id": message.id, "expected": _labels(message), "got": _got(triage),
                                  "rules": triage.rules})
    return result


def _score_category(result: Evaluation, message: LabelledMessage, triage: Triage) -> None:
    expected, predicted = message.category.value, triage.category.value
    result.confusion[(expected, predicted)] += 1
    if expected == predicted:
        result.category_correct += 1
    for category in Category:
        result.score("category", category.value).add(expected == category.value, predicted == category.value)


def _labels(message: LabelledMessage) -> dict[str, Any]:
    return {"category": message.category.value, "pii": sorted(t.value for t in message.pii),
            "moderation": sorted(r.value for r in message.moderation),
            "escalate": sorted(r.value for r in message.escalate)}


def _got(triage: Triage) -> dict[str, Any]:
    return {"category": triage.category.value, "pii": sorted({f.type.value for f in triage.pii}),
            "moderation": sorted(r.value for r in triage.moderation),
            "escalate": sorted(r.value for r in triage.escalation_reasons)}


def dumps(evaluation: Evaluation) -> str:
    return json.dumps(evaluation.summary(), ensure_ascii=False, indent=2)
