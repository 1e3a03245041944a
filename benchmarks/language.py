"""Language detection: today's marker words against lingua-language-detector, on the dev corpora.

``python -m benchmarks language``. lingua is not a dependency of Innboks (measured, not adopted:
docs/triage.md, "Language detection"); install it to compare, ``pip install
lingua-language-detector==2.1.1``. Without it only today's detector is measured.

Only the dev corpora are read. ``heldout.jsonl`` must never be added here: nothing is tuned or
decided against it (docs/triage.md, "Held-out protocol").

Variants (North Sámi and "nothing written" are decided by the markers in all of them: lingua has
no Sámi model):

- ``markers``: today's detector (``streams.triage.classifier.detect_language``);
- ``lingua``: lingua with the models of nb, nn and en only, high-accuracy mode;
- ``lingua-low``: the same in low-accuracy mode (trigrams only, faster);
- ``markers+lingua``: the markers, and lingua only where the two best marker scores tie, taken
  only at a confidence of at least ``TIE_CONFIDENCE``.

Speed is the best of ``ROUNDS`` rounds on one CPU: detection alone, and the whole
``triage_message`` with that detector.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

from schemas import Language
from streams.triage import classifier as classifier_module
from streams.triage.classifier import Classifier, detect_language, language_scores
from streams.triage.evaluation import LabelledMessage, load_corpus
from streams.triage.process import triage_message
from streams.triage.ruleset import Ruleset, load_ruleset
from tests.helpers import message

DATA = Path(__file__).parents[1] / "data" / "triage"
DEV_CORPORA = ("dev.jsonl", "dev-b.jsonl", "dev-c.jsonl")
TIE_CONFIDENCE = 0.8
ROUNDS = 3
SECONDS = 1.5

Detector = Callable[[str], Language]


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def lingua_variants(rules: Ruleset) -> dict[str, Detector]:
    try:
        from lingua import Language as Lingua
        from lingua import LanguageDetectorBuilder
    except ImportError:
        print("lingua-language-detector is not installed: only today's detector is measured")
        return {}
    ours = {Lingua.BOKMAL: Language.BOKMAL, Lingua.NYNORSK: Language.NYNORSK, Lingua.ENGLISH: Language.ENGLISH}
    high = LanguageDetectorBuilder.from_languages(*ours).build()
    low = LanguageDetectorBuilder.from_languages(*ours).with_low_accuracy_mode().build()

    def lingua_with(detector: Any) -> Detector:
        def detect(text: str) -> Language:
            decided = detect_language(text, rules)
            if decided in (Language.UNDETERMINED, Language.NORTH_SAMI):
                return decided
            found = detector.detect_language_of(text)
            return ours.get(found, rules.default_language)
        return detect

    def markers_then_lingua(text: str) -> Language:
        decided = detect_language(text, rules)
        if decided in (Language.UNDETERMINED, Language.NORTH_SAMI):
            return decided
        top = sorted(language_scores(text, rules).values(), reverse=True)
        if len(top) > 1 and top[0] > top[1]:
            return decided  # the markers are sure
        best = high.compute_language_confidence_values(text)[0]
        return ours[best.language] if best.value >= TIE_CONFIDENCE else decided

    return {"lingua": lingua_with(high), "lingua-low": lingua_with(low), "markers+lingua": markers_then_lingua}


def _rate(function: Callable[[Any], object], items: Sequence[Any]) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        for item in items:
            function(item)
        done += len(items)
    return done / (time.perf_counter() - started)


def accuracy(corpora: dict[str, list[LabelledMessage]], detect: Detector) -> tuple[dict[str, int], Counter[str]]:
    correct: dict[str, int] = {}
    errors: Counter[str] = Counter()
    for name, messages in corpora.items():
        correct[name] = 0
        for labelled in messages:
            got = detect(labelled.text)
            if got is labelled.language:
                correct[name] += 1
            else:
                errors[f"{labelled.language.value}->{got.value}"] += 1
    return correct, errors


def run() -> None:
    assert not any("heldout" in name for name in DEV_CORPORA), "never decide against the held-out corpus"
    rules = load_ruleset()
    corpora = {name.removesuffix(".jsonl"): load_corpus(DATA / name) for name in DEV_CORPORA}
    rss_before = _rss_mib()
    variants: dict[str, Detector] = {"markers": lambda text: detect_language(text, rules), **lingua_variants(rules)}
    texts = [m.text for messages in corpora.values() for m in messages]
    for detect in variants.values():  # load lingua's models before measuring
        detect(texts[0])
    rss_after = _rss_mib()

    print(f"{'language detection':<16} " + "  ".join(f"{name:>13}" for name in corpora) + f"  {'all':>6}  errors")
    for variant, detect in variants.items():
        correct, errors = accuracy(corpora, detect)
        cells = "  ".join(f"{correct[n] / len(m):.3f} {correct[n]:>3}/{len(m)}" for n, m in corpora.items())
        total = sum(correct.values()) / len(texts)
        print(f"{variant:<16} {cells}  {total:.4f}  {dict(errors.most_common(3))}")
    if len(variants) > 1:
        print(f"resident memory with lingua's nb/nn/en models loaded: +{rss_after - rss_before:,.0f} MiB")

    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        rules_classifier = Classifier(rules)
        now = datetime(2026, 11, 16, 12, tzinfo=UTC)
        inbound = [message(str(i), text=text) for i, text in enumerate(texts)]
        detection: dict[str, float] = dict.fromkeys(variants, 0.0)
        whole: dict[str, float] = dict.fromkeys(variants, 0.0)
        for _ in range(ROUNDS):  # rounds interleaved, so a busy moment does not favour one variant
            for variant, detect in variants.items():
                detection[variant] = max(detection[variant], _rate(detect, texts))
                with mock.patch.object(classifier_module, "detect_language",
                                       lambda text, rules, words=None, detect=detect: detect(text)):
                    rate = _rate(lambda m: triage_message(m, rules_classifier, now), inbound)
                whole[variant] = max(whole[variant], rate)
    finally:
        os.sched_setaffinity(0, cpus)
    for variant in variants:
        print(f"{variant:<16} detection {detection[variant]:>9,.0f} msg/s ({1e6 / detection[variant]:>5.1f} µs)   "
              f"triage_message {whole[variant]:>7,.0f} msg/s ({1e6 / whole[variant]:>5.1f} µs), one core")
