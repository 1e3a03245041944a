"""Write ``data/replies/train-*.jsonl``: every pair as a bad draft and its mended neighbour, each in a few frames
(greeting, neutral context, closing), a few drafts with two faults, and clean drafts of context alone.

Deterministic (one seeded generator): ``python -m tools.reply_corpus`` rewrites the same files. Each draft has
the corpus fields (``id``, ``language``, ``labels``, ``text``) and ``spans``: for each label, where in the text
the sentence that earns it stands, so the learned layer trains on sentences (docs/replies.md).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tools.reply_corpus import case_decision, clean, frames, personal_data, plain_language, tone

OUT = Path(__file__).parents[2] / "data" / "replies"
SEED = 29
EMOJI = ["", "", "", "", " 🙂", " 😊", " ❄️", " 📚", " 👍"]


def _draft(rng: random.Random, language: str, cores: list[tuple[str, list[str]]]) -> dict[str, object]:
    """A draft of ``cores`` (sentence, labels) in a frame; spans name where each labelled core stands."""
    parts: list[tuple[str, list[str]]] = []
    greeting = rng.choice(frames.GREETINGS[language]).format(name=rng.choice(frames.NAMES))
    if greeting and rng.random() < 0.65:
        parts.append((greeting, []))
    if rng.random() < 0.35:
        parts.append((rng.choice(frames.CONTEXT[language]), []))
    parts.extend(cores)
    if rng.random() < 0.25:
        parts.append((rng.choice(frames.CONTEXT[language]), []))
    closing = rng.choice(frames.CLOSINGS[language])
    if closing and rng.random() < 0.4:
        parts.append((closing, []))
    text, spans = "", {}
    separator = "\n" if rng.random() < 0.15 else " "
    for sentence, labels in parts:
        if text:
            text += separator
        start = len(text)
        text += sentence
        for label in labels:
            spans.setdefault(label, []).append([start, len(text)])
    text += rng.choice(EMOJI) if not text.endswith(("?", "!!")) else ""
    labels = sorted(spans)
    return {"language": language, "labels": labels, "text": text, "spans": spans}


def drafts(rng: random.Random) -> dict[str, list[dict[str, object]]]:
    sets: dict[str, list[tuple[str, str, str]]] = {
        "tone": tone.PAIRS, "case": case_decision.PAIRS, "plain": plain_language.PAIRS,
        "personal": personal_data.pairs(rng)}
    codes = {"tone": "tone", "case": "case_decision", "plain": "plain_language", "personal": "personal_data"}
    variants = {"tone": 3, "case": 3, "plain": 3, "personal": 2}
    out: dict[str, list[dict[str, object]]] = {}
    for name, pairs in sets.items():
        rows = []
        for language, bad, mended in pairs:
            for _ in range(variants[name]):
                rows.append(_draft(rng, language, [(bad, [codes[name]])]))
                rows.append(_draft(rng, language, [(mended, [])]))
        out[name] = rows
    mixed = []
    names = list(sets)
    for _ in range(500):
        first, second = rng.sample(names, 2)
        language = rng.choice(["nb", "nb", "nn", "en"])
        a = rng.choice([p for p in sets[first] if p[0] == language])
        b = rng.choice([p for p in sets[second] if p[0] == language])
        if rng.random() < 0.5:  # two faults
            cores = [(a[1], [codes[first]]), (b[1], [codes[second]])]
        else:  # one fault beside another code's mended sentence
            cores = [(a[1], [codes[first]]), (b[2], [])]
        rng.shuffle(cores)
        mixed.append(_draft(rng, language, cores))
    out["mixed"] = mixed
    cleaned = []
    for _ in range(400):
        language = rng.choice(["nb", "nb", "nn", "en"])
        context = rng.sample(frames.CONTEXT[language], rng.randint(1, 3))
        cleaned.append(_draft(rng, language, [(sentence, []) for sentence in context]))
    for language, sentence in clean.SENTENCES:  # each near-boundary sentence in three frames
        for _ in range(3):
            cleaned.append(_draft(rng, language, [(sentence, [])]))
    out["clean"] = cleaned
    return out


def main() -> None:
    rng = random.Random(SEED)
    for name, rows in drafts(rng).items():
        path = OUT / f"train-{name}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for number, row in enumerate(rows, start=1):
                item = {"id": f"rtr-{name}-{number:05d}", **row}
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{path}: {len(rows)} drafts, {sum(1 for r in rows if not r['labels'])} clean")


if __name__ == "__main__":
    main()
