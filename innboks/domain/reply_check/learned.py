"""The learned layer of the reply check: one logistic regression per code over hashed word and character
n-grams of each sentence, beside the phrase tables (a warning when either says so).

The tables find what their writers thought of; on drafts written by someone else they missed most rude
replies (docs/replies.md). The learned layer scores each sentence of a reply for ``tone``,
``case_decision``, ``plain_language`` and ``personal_data``; a sentence whose probability reaches the
code's threshold is warned of, with the sentence as the span and the words that weighed most in the
message (never for personal data: a message must not repeat it). Pure Python at run time (no numpy): the
weights are a packaged binary file written by ``python -m innboks.domain.reply_check.train``, with the
SHA-256 of the training data it was trained on and the thresholds chosen on clean replies it never saw.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from array import array
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from innboks.domain.reply_check.model import Code, ReplyWarning
from innboks.domain.reply_check.text import Sentence, sentences

#: Bumped when the features change: weights of another version are not loaded.
FEATURE_VERSION = 1
#: Hash buckets per code (a power of two).
DIMENSION = 1 << 18
#: The advisory codes only: personal data blocks, so it is left to the tables (their lexicon, docs/replies.md),
#: where a learned warning on a clean reply would stop it from being sent.
CODES = (Code.TONE, Code.CASE_DECISION, Code.PLAIN_LANGUAGE)
WEIGHTS_FILE = "learned_weights.bin"

#: Words, numbers, emoji and runs of ! and ? (the last two carry tone).
_TOKEN = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*|[!?]{2,}|[!?]|[\U0001F300-\U0001FAFF\u2600-\u27BF]", re.UNICODE)
_SHOUT = re.compile(r"\b[A-ZÆØÅ]{3,}\b")
_DIGIT = re.compile(r"\d")

_MESSAGES = {
    Code.TONE: ("Setningen kan oppfattes som nedlatende, irritert eller avvisende{words}. Skriv vennlig og saklig, "
                "også til negative henvendelser: si hva som gjelder og hva innbyggeren kan gjøre."),
    Code.CASE_DECISION: ("Setningen ser ut til å avgjøre eller love utfallet av en sak{words}. Det hører hjemme i et "
                         "vedtaksbrev: si heller at saken behandles og hvor svaret kommer."),
    Code.PLAIN_LANGUAGE: ("Setningen ser ut som kansellispråk{words}. Skriv enklere, med vanlige ord, og si hvem som "
                          "gjør hva (klarspråk)."),
    Code.PERSONAL_DATA: ("Setningen ser ut til å si noe om en persons helse, økonomi, familie, sak eller "
                         "kontaktopplysninger. Ta det ut av det offentlige svaret, og ta det heller på telefon "
                         "eller i digital post."),
}


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & (DIMENSION - 1)


@lru_cache(maxsize=65_536)
def _word_features(token: str) -> tuple[int, ...]:
    """A word's own features: the word and its character 3- to 5-grams with word boundaries."""
    padded = f"<{token}>"
    grams = {f"c:{padded[i:i + n]}" for n in (3, 4, 5) for i in range(len(padded) - n + 1)}
    return tuple(sorted({_hash(f"w:{token}"), *(_hash(g) for g in grams)}))


def tokens(text: str) -> list[str]:
    """Lower-cased tokens, numbers folded to ``0``: a sum or a date says nothing about tone."""
    return [_DIGIT.sub("0", token.lower()) for token in _TOKEN.findall(text)]


def features(text: str) -> list[int]:
    """The hashed features of one sentence, each once, sorted."""
    words = tokens(text)
    found: set[int] = set()
    for word in words:
        found.update(_word_features(word))
    for first, second in zip(["^", *words], [*words, "$"], strict=True):
        found.add(_hash(f"b:{first} {second}"))
    if _SHOUT.search(text):
        found.add(_hash("s:shout"))
    length = min(len(words) // 10, 5)
    found.add(_hash(f"s:len{length}"))
    return sorted(found)


@dataclass(frozen=True)
class CodeModel:
    code: Code
    weights: array  # type: ignore[type-arg]  # array('f') of DIMENSION
    bias: float
    #: The probability from which a sentence is warned of.
    threshold: float

    def logit(self, indices: list[int]) -> float:
        if not indices:
            return self.bias
        weights = self.weights
        return self.bias + sum(weights[i] for i in indices) / math.sqrt(len(indices))

    def probability(self, indices: list[int]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.logit(indices)))))


@dataclass(frozen=True)
class LearnedModel:
    models: tuple[CodeModel, ...]
    #: SHA-256 of the training data (``train.training_hash``), as written by the trainer.
    training_hash: str
    meta: dict[str, object]

    def scores(self, text: str) -> list[tuple[Sentence, dict[Code, float]]]:
        """Each sentence with its probability per code."""
        found = []
        for sentence in sentences(text):
            indices = features(sentence.text)
            found.append((sentence, {m.code: m.probability(indices) for m in self.models}))
        return found

    def check(self, text: str, skip: frozenset[Code] = frozenset()) -> list[ReplyWarning]:
        """One warning per code that some sentence reaches the threshold of (the highest-scoring sentence)."""
        best: dict[Code, tuple[float, Sentence]] = {}
        for sentence, probabilities in self.scores(text):
            for model in self.models:
                p = probabilities[model.code]
                if model.code not in skip and p >= model.threshold and p > best.get(model.code, (-1.0, sentence))[0]:
                    best[model.code] = (p, sentence)
        warnings = []
        for code, (_, sentence) in best.items():
            words = "" if code is Code.PERSONAL_DATA else self._why(code, sentence.text)
            warnings.append(ReplyWarning(code, _MESSAGES[code].format(words=words), sentence.start, sentence.end))
        return warnings

    def _why(self, code: Code, text: str) -> str:
        """The words or word pairs of the sentence that weighed most towards ``code``, as « … »."""
        model = next(m for m in self.models if m.code is code)
        words = tokens(text)
        candidates = {word: model.weights[_hash(f"w:{word}")] for word in words if not word.isdigit()}
        pairs = zip(words, words[1:], strict=False)
        candidates.update({f"{a} {b}": model.weights[_hash(f"b:{a} {b}")] for a, b in pairs})
        top = [w for w, weight in sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0])) if weight > 0][:2]
        return " (det som veide tyngst: " + ", ".join(f"«{w}»" for w in top) + ")" if top else ""


def encode(models: list[tuple[Code, list[float] | array, float, float]],  # type: ignore[type-arg]
           training_hash: str, meta: dict[str, object]) -> bytes:
    """The weights file: a JSON header line, then per code the weights as int16 (scaled), zlib-compressed."""
    body = bytearray()
    header: dict[str, object] = {"feature_version": FEATURE_VERSION, "dimension": DIMENSION,
                                 "training_hash": training_hash, "meta": meta, "codes": []}
    for code, weights, bias, threshold in models:
        scale = max((abs(w) for w in weights), default=1.0) / 32_000 or 1.0
        quantized = array("h", (round(w / scale) for w in weights))
        header["codes"].append({"code": code.value, "bias": bias, "threshold": threshold,  # type: ignore[attr-defined]
                                "scale": scale})
        body += quantized.tobytes()
    return json.dumps(header, sort_keys=True, ensure_ascii=False).encode() + b"\n" + zlib.compress(bytes(body), 9)


def decode(data: bytes) -> LearnedModel:
    head, _, packed = data.partition(b"\n")
    header = json.loads(head)
    if header["feature_version"] != FEATURE_VERSION or header["dimension"] != DIMENSION:
        raise ValueError("the learned weights are for another feature version; retrain them")
    body = zlib.decompress(packed)
    models = []
    for number, entry in enumerate(header["codes"]):
        quantized = array("h")
        quantized.frombytes(body[number * DIMENSION * 2:(number + 1) * DIMENSION * 2])
        scale = entry["scale"]
        models.append(CodeModel(Code(entry["code"]), array("f", (q * scale for q in quantized)), entry["bias"],
                                entry["threshold"]))
    return LearnedModel(tuple(models), header["training_hash"], header["meta"])


def weights_path() -> Path:
    return Path(str(resources.files("innboks.domain.reply_check").joinpath(WEIGHTS_FILE)))


@lru_cache(maxsize=1)
def packaged_model() -> LearnedModel | None:
    """The packaged weights; None when there are none (the rules alone then)."""
    path = weights_path()
    if not path.is_file():
        return None
    return decode(path.read_bytes())
