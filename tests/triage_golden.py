"""The triage decisions the classifier gave on the dev corpora, kept as a golden file.

``tests/fixtures/triage/golden-dev.jsonl`` holds, for every text of the dev corpora and for variants
made from them (upper case, lower case, two texts joined, the words in reverse order), the whole
``Triage`` the classifier returned when the file was written (before the classifier was made
faster, issue 16). ``tests/unit/test_triage_golden.py`` checks that it still returns exactly that.
Only the dev corpora are read: ``heldout.jsonl`` is never used (docs/triage.md).

Regenerate only for a deliberate change of the rules: ``python -m tests.triage_golden``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from schemas import Triage

ROOT = Path(__file__).resolve().parents[1]
DEV_CORPORA = ("dev.jsonl", "dev-b.jsonl", "dev-c.jsonl")
GOLDEN = ROOT / "tests" / "fixtures" / "triage" / "golden-dev.jsonl"


def texts() -> Iterator[tuple[str, str]]:
    """``(case id, text)``: the dev corpora's texts and variants made from them."""
    assert not any("heldout" in name for name in DEV_CORPORA), "never decide against the held-out corpus"
    corpus: list[tuple[str, str]] = []
    for name in DEV_CORPORA:
        for line in (ROOT / "data" / "triage" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                corpus.append((item["id"], item["text"]))
    for case_id, text in corpus:
        yield case_id, text
        yield f"{case_id}/upper", text.upper()
        yield f"{case_id}/lower", text.lower()
        yield f"{case_id}/reversed", " ".join(reversed(text.split()))
    for (first_id, first), (second_id, second) in zip(corpus, corpus[1:] + corpus[:1], strict=True):
        yield f"{first_id}+{second_id}", f"{first} {second}"


def decision(triage: Triage) -> dict[str, object]:
    """The whole decision as JSON; the suggested reply (a template filled in) by its digest."""
    data = triage.model_dump(mode="json")
    reply = data.pop("suggested_reply")
    data["suggested_reply_sha256"] = hashlib.sha256(reply.encode()).hexdigest()[:16] if reply is not None else None
    return data


def decisions() -> Iterator[dict[str, object]]:
    from streams.triage.classifier import Classifier
    from streams.triage.ruleset import load_ruleset

    classifier = Classifier(load_ruleset())
    for case_id, text in texts():
        yield {"id": case_id, "triage": decision(classifier.triage(text))}


def main() -> None:
    with GOLDEN.open("w", encoding="utf-8") as out:
        for item in decisions():
            out.write(json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
