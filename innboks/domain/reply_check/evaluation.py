"""How well the reply check does on a labelled corpus of draft replies (``innboks reply eval``).

A corpus is JSON lines ``{"id", "text", "language"?, "labels": [codes]}`` (docs/replies.md); an
empty ``labels`` list is a clean reply. Per code: precision, recall and F1 of "this code was
warned of"; for clean replies, how many got any warning (the false-warning rate); for replies with
personal data, how many were blocked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from innboks.config.files import UnreadableFile, read_text
from innboks.domain.reply_check.model import CheckContext, CheckResult, Code
from schemas import Language

#: The codes a corpus is labelled with (crisis warnings need a crisis, not a text).
CODES = (Code.PERSONAL_DATA, Code.CASE_DECISION, Code.TONE, Code.PLAIN_LANGUAGE, Code.LANGUAGE_MISMATCH)


class CorpusError(ValueError):
    """The corpus file is missing or malformed."""


@dataclass(frozen=True)
class Draft:
    id: str
    text: str
    language: Language | None
    labels: frozenset[Code]
    citizen_name: str | None = None


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    total: int = 0
    clean: int = 0
    #: Clean replies that got at least one warning.
    clean_warned: list[str] = field(default_factory=list)
    personal_data: int = 0
    #: Replies with personal data that were not blocked.
    not_blocked: list[str] = field(default_factory=list)
    scores: dict[str, Score] = field(default_factory=lambda: {code.value: Score() for code in CODES})
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def false_warning_rate(self) -> float:
        return len(self.clean_warned) / self.clean if self.clean else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total, "clean": self.clean, "clean_warned": len(self.clean_warned),
            "false_warning_rate": round(self.false_warning_rate, 4), "personal_data": self.personal_data,
            "personal_data_not_blocked": len(self.not_blocked),
            "scores": {code: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                              **asdict(s), "support": s.support} for code, s in self.scores.items()},
            "errors": self.errors,
        }


def load_corpus(path: Path) -> list[Draft]:
    try:
        lines = read_text(path, "the corpus").splitlines()
    except UnreadableFile as exc:
        raise CorpusError(str(exc)) from None
    drafts: list[Draft] = []
    seen: set[str] = set()
    codes = {code.value for code in Code}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            raise CorpusError(f"{path}:{number}: not valid JSON") from None
        if not isinstance(item, dict):
            raise CorpusError(f"{path}:{number}: expected a JSON object")
        item_id, text, labels = item.get("id"), item.get("text"), item.get("labels")
        language = item.get("language")
        if not isinstance(item_id, str) or not item_id or item_id in seen:
            raise CorpusError(f"{path}:{number}: id must be a unique, non-empty string")
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{path}:{number}: text must be a non-empty string")
        if not isinstance(labels, list) or any(label not in codes for label in labels):
            raise CorpusError(f"{path}:{number}: labels must be a list of {', '.join(sorted(codes))}")
        if language is not None and language not in {lang.value for lang in Language}:
            raise CorpusError(f"{path}:{number}: language must be one of nb, nn, en, se, und")
        seen.add(item_id)
        drafts.append(Draft(item_id, text, Language(language) if language else None,
                            frozenset(Code(label) for label in labels), item.get("citizen_name")))
    if not drafts:
        raise CorpusError(f"{path}: the corpus is empty")
    return drafts


def evaluate(drafts: Sequence[Draft], check: Callable[[str, CheckContext], CheckResult],
             context: Callable[[Draft], CheckContext]) -> Evaluation:
    result = Evaluation()
    for draft in drafts:
        checked = check(draft.text, context(draft))
        found = checked.codes & set(CODES)
        result.total += 1
        if not draft.labels:
            result.clean += 1
            if checked.warnings:
                result.clean_warned.append(draft.id)
        if Code.PERSONAL_DATA in draft.labels:
            result.personal_data += 1
            if not checked.blocked:
                result.not_blocked.append(draft.id)
        for code in CODES:
            score = result.scores[code.value]
            if code in draft.labels and code in found:
                score.true_positives += 1
            elif code in found:
                score.false_positives += 1
            elif code in draft.labels:
                score.false_negatives += 1
        if found != draft.labels:
            # Ids, labels and the warnings (code, span, message), never the text: a corpus may hold real drafts.
            result.errors.append({
                "id": draft.id, "expected": sorted(c.value for c in draft.labels),
                "found": sorted(c.value for c in found),
                "warnings": [w.to_json() for w in checked.warnings if w.code in draft.labels ^ found]})
    return result
