"""Train the reply check's learned layer: ``python -m innboks.domain.reply_check.train``.

Reads the training parts of ``data/replies`` (``train-*.jsonl``, written by ``python -m tools.reply_corpus``,
and the tuned dev parts), trains one L2-regularised logistic regression per code on sentences (full-batch
Adam, a fixed number of steps, no randomness: the same data gives the same weights), picks each code's
threshold on clean replies it never trained on (``dev-clean`` and ``dev-clean-hard``: at most one of them
warned per code, and never below 0.5), and writes ``learned_weights.bin`` beside this module with the
SHA-256 of the data it was trained on. ``--check`` retrains and fails if the result differs from the
committed file. Needs numpy (the ``test`` extra); the checker itself does not.

Which sentence of a labelled draft earns the label: the training parts say so (``spans``); in the dev parts
it is the sentence the phrase tables warn of, or the whole draft when they find nothing; the other
sentences of such a draft are left out for that code (they may or may not be clean).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from innboks.domain.reply_check.learned import CODES, DIMENSION, encode, features, weights_path
from innboks.domain.reply_check.model import CheckContext, Code
from innboks.domain.reply_check.text import sentences

if TYPE_CHECKING:
    import numpy as np

DATA = Path(__file__).parents[3] / "data" / "replies"
#: Parts trained on: the written training corpus and the parts the phrase tables were tuned on. Never
#: test, the holdouts or the fresh parts.
TRAIN_GLOBS = ("train-*.jsonl", "dev.jsonl", "dev-[b-g].jsonl", "outside-[1-3].jsonl")
#: Clean replies the thresholds are chosen on (never trained on): at most ``ALLOWED_CLEAN_WARNINGS`` of
#: these warned per code ...
CALIBRATION = ("dev-clean.jsonl", "dev-clean-hard.jsonl")
#: ... and none of these (Innboks's own texts and the family tests' clean neighbours; tools/reply_corpus).
MUST_PASS = "calibration-must-pass.jsonl"
L2 = 3e-6
STEPS = 400
LEARNING_RATE = 0.05
#: Clean calibration replies a code may warn of.
ALLOWED_CLEAN_WARNINGS = 1
MIN_THRESHOLD = 0.5


@dataclass
class Unit:
    """One training example: a sentence (or a whole draft) and, per code, 1, 0 or None (left out)."""
    text: str
    labels: dict[Code, int | None]


def training_files(data: Path = DATA) -> list[Path]:
    return sorted({path for pattern in TRAIN_GLOBS for path in data.glob(pattern)})


def calibration_files(data: Path = DATA) -> list[Path]:
    return [data / name for name in (*CALIBRATION, MUST_PASS)]


def training_hash(files: Sequence[Path]) -> str:
    """SHA-256 over the files' names and bytes, in order."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _overlaps(start: int, end: int, spans: Sequence[Sequence[int]]) -> bool:
    return any(start < span[1] and span[0] < end for span in spans)


def units(paths: Sequence[Path]) -> list[Unit]:
    import json

    from innboks.domain.reply_check import check_reply

    found: list[Unit] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            text, labels = item["text"], {Code(label) for label in item["labels"]}
            spans: dict[str, list[list[int]]] = item.get("spans") or {}
            parts = sentences(text)
            if not spans and labels & set(CODES):
                ruled = check_reply(text, CheckContext(learned=False))
                for warning in ruled.warnings:
                    if warning.code in labels and warning.start is not None and warning.end is not None:
                        spans.setdefault(warning.code.value, []).append([warning.start, warning.end])
                for code in labels & set(CODES):
                    if code.value not in spans and len(parts) > 1:  # the tables found nothing: the whole draft
                        found.append(Unit(text, {c: (1 if c is code else None) for c in CODES}))
            for sentence in parts:
                sentence_labels: dict[Code, int | None] = {}
                for code in CODES:
                    if code not in labels:
                        sentence_labels[code] = 0
                    elif len(parts) == 1 or _overlaps(sentence.start, sentence.end, spans.get(code.value, [])):
                        sentence_labels[code] = 1
                    else:
                        sentence_labels[code] = None
                found.append(Unit(sentence.text, sentence_labels))
    return found


@dataclass
class Matrix:
    """Rows of hashed features as CSR arrays; each row's values are 1/sqrt(its length)."""
    indices: np.ndarray
    indptr: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str]) -> Matrix:
        import numpy as np

        rows = [features(text) for text in texts]
        lengths = np.array([len(row) for row in rows], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.array([i for row in rows for i in row], dtype=np.int64)
        values = np.repeat(1.0 / np.sqrt(np.maximum(lengths, 1)), lengths)
        return cls(indices, indptr, values)

    def dot(self, weights: np.ndarray) -> np.ndarray:
        import numpy as np

        products = weights[self.indices] * self.values
        sums = np.add.reduceat(products, self.indptr[:-1]) if len(products) else np.zeros(len(self.indptr) - 1)
        sums[self.indptr[:-1] == self.indptr[1:]] = 0.0
        return sums  # type: ignore[no-any-return]

    def gradient(self, residuals: np.ndarray) -> np.ndarray:
        import numpy as np

        lengths = np.diff(self.indptr)
        return np.bincount(self.indices, weights=np.repeat(residuals, lengths) * self.values,  # type: ignore[no-any-return]
                           minlength=DIMENSION)


def fit(matrix: Matrix, targets: np.ndarray, weights: np.ndarray, steps: int = STEPS) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression, full-batch Adam from zero: deterministic."""
    import numpy as np

    w = np.zeros(DIMENSION)
    b = 0.0
    m_w, v_w, m_b, v_b = np.zeros(DIMENSION), np.zeros(DIMENSION), 0.0, 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    total = weights.sum()
    for step in range(1, steps + 1):
        z = matrix.dot(w) + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        residual = (p - targets) * weights / total
        g_w = matrix.gradient(residual) + L2 * w
        g_b = float(residual.sum())
        m_w = beta1 * m_w + (1 - beta1) * g_w
        v_w = beta2 * v_w + (1 - beta2) * g_w * g_w
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b * g_b
        correction1, correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        w -= LEARNING_RATE * (m_w / correction1) / (np.sqrt(v_w / correction2) + eps)
        b -= LEARNING_RATE * (m_b / correction1) / (np.sqrt(v_b / correction2) + eps)
    return w, b


def _max_probability(matrix: Matrix, draft_of_row: np.ndarray, drafts: int, w: np.ndarray, b: float) -> np.ndarray:
    import numpy as np

    p = 1.0 / (1.0 + np.exp(-np.clip(matrix.dot(w) + b, -30, 30)))
    best = np.zeros(drafts)
    np.maximum.at(best, draft_of_row, p)
    return best


def train(train_paths: Sequence[Path], calibration_paths: Sequence[Path], steps: int = STEPS,
          log: Any = None) -> bytes:
    """The weights file's bytes for these training and calibration parts."""
    import json

    import numpy as np

    examples = units(train_paths)
    matrix = Matrix.of([unit.text for unit in examples])
    calibration_texts: list[str] = []
    draft_of_row: list[int] = []
    must_pass: list[bool] = []
    drafts = 0
    for path in calibration_paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                for sentence in sentences(json.loads(line)["text"]):
                    calibration_texts.append(sentence.text)
                    draft_of_row.append(drafts)
                must_pass.append(path.name == MUST_PASS)
                drafts += 1
    calibration = Matrix.of(calibration_texts)
    rows = np.array(draft_of_row, dtype=np.int64)
    strict = np.array(must_pass, dtype=bool)
    models: list[tuple[Code, Any, float, float]] = []
    meta: dict[str, object] = {"steps": steps, "l2": L2, "units": len(examples), "calibration_drafts": drafts,
                               "files": [p.name for p in train_paths],
                               "calibration": [p.name for p in calibration_paths]}
    for code in CODES:
        kept = np.array([unit.labels[code] is not None for unit in examples])
        targets = np.array([float(unit.labels[code] or 0) for unit in examples])
        positives = float((targets * kept).sum())
        negatives = float(kept.sum()) - positives
        weights = np.where(kept, np.where(targets > 0, 0.5 / max(positives, 1.0), 0.5 / max(negatives, 1.0)), 0.0)
        w, b = fit(matrix, targets, weights, steps)
        scores = _max_probability(calibration, rows, drafts, w, b)
        clean_scores = np.sort(scores[~strict])[::-1]
        above = float(clean_scores[ALLOWED_CLEAN_WARNINGS]) if len(clean_scores) > ALLOWED_CLEAN_WARNINGS else 0.0
        above = max(above, float(scores[strict].max()) if strict.any() else 0.0)
        threshold = round(max(MIN_THRESHOLD, above + 1e-4), 4)
        models.append((code, w.astype(np.float32).tolist(), float(b), threshold))
        meta[f"{code.value}_positives"] = int(positives)
        meta[f"{code.value}_negatives"] = int(negatives)
        if log:
            print(f"{code.value}: {int(positives)} positive and {int(negatives)} negative sentences; threshold "
                  f"{threshold} (clean calibration top scores {', '.join(f'{s:.3f}' for s in clean_scores[:3])})",
                  file=log)
    return encode(models, training_hash([*train_paths, *calibration_paths]), meta)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m innboks.domain.reply_check.train",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--check", action="store_true", help="retrain and fail if the committed weights differ")
    parser.add_argument("--out", type=Path, default=None, help="where to write the weights (default: the package)")
    args = parser.parse_args(argv)
    data = train(training_files(), calibration_files(), log=sys.stderr)
    path = args.out or weights_path()
    if args.check:
        if not path.is_file() or path.read_bytes() != data:
            print(f"{path} differs from a retraining on the current data", file=sys.stderr)
            return 1
        print(f"{path} matches a retraining", file=sys.stderr)
        return 0
    path.write_bytes(data)
    print(f"wrote {path} ({len(data):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
