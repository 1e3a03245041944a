"""The reply check's learned layer: the committed weights belong to the committed data, retraining is
deterministic, and its warnings have a span, a Norwegian message and never repeat personal data."""

from __future__ import annotations

from pathlib import Path

import pytest

from innboks.domain.reply_check import CheckContext, Code, check_reply
from innboks.domain.reply_check.learned import CODES, decode, features, packaged_model
from innboks.domain.reply_check.train import calibration_files, train, training_files, training_hash

DATA = Path(__file__).parents[2] / "data" / "replies"


def test_the_committed_weights_were_trained_on_the_committed_data() -> None:
    """Change a training or calibration part and the weights must be retrained (and committed)."""
    model = packaged_model()
    assert model is not None
    assert model.training_hash == training_hash([*training_files(), *calibration_files()])
    assert {m.code for m in model.models} == set(CODES)
    assert all(0.5 <= m.threshold < 1.0 for m in model.models)
    # never the parts it is measured on
    trained = {path.name for path in training_files()}
    assert not trained & {"test.jsonl", "holdout-a.jsonl", "holdout-b.jsonl", "fresh-a.jsonl", "fresh-b.jsonl",
                          "fresh-c.jsonl"}
    assert not any(name.startswith(("holdout", "fresh")) for name in trained)


def test_retraining_is_deterministic(tmp_path: Path) -> None:
    parts = [DATA / "train-plain.jsonl", DATA / "dev-c.jsonl"]
    calibration = [DATA / "dev-clean-hard.jsonl"]
    first = train(parts, calibration, steps=20)
    assert first == train(parts, calibration, steps=20)
    model = decode(first)
    assert model.training_hash == training_hash([*parts, *calibration])


def test_features_are_stable_and_fold_numbers() -> None:
    assert features("Fakturaen på 1 200 kroner") == features("Fakturaen på 3 400 kroner")
    assert features("Hei!") != features("Hei!!")
    assert features("Det er IKKE lov") != features("Det er ikke lov")


@pytest.mark.parametrize(("text", "code"), [
    # shapes the phrase tables do not know
    ("Ja, for vi har jo ingenting annet å gjøre enn å svare på dette.", Code.TONE),
    ("Du får bare akseptere det.", Code.TONE),
])
def test_the_learned_layer_warns_with_a_span_and_a_message(text: str, code: Code) -> None:
    checked = check_reply(f"Hei! {text} Ha en fin dag!")
    warning = next(w for w in checked.warnings if w.code is code)
    assert warning.start is not None and warning.end is not None
    assert text.rstrip(".") in f"Hei! {text} Ha en fin dag!"[warning.start:warning.end]
    assert warning.message.startswith("Setningen")


def test_the_learned_layer_leaves_personal_data_to_the_tables() -> None:
    """Personal data blocks: a learned guess would stop clean replies ("Politi: 112."), so the layer has no
    personal-data model and the lexicon finds a relative's addiction and debt."""
    model = packaged_model()
    assert model is not None
    assert Code.PERSONAL_DATA not in {m.code for m in model.models}
    text = "Hei! Vi har fått vite at svogeren din sliter med spilleavhengighet og store lån."
    checked = check_reply(text, CheckContext(learned=False))
    assert checked.blocked
    assert all("spilleavhengighet" not in w.message and "svogeren" not in w.message for w in checked.warnings)


def test_the_learned_layer_can_be_turned_off_and_skips_codes_the_tables_found() -> None:
    text = "Ja, for vi har jo ingenting annet å gjøre enn å svare på dette."
    assert Code.TONE in check_reply(text).codes
    assert Code.TONE not in check_reply(text, CheckContext(learned=False)).codes
    ruled = check_reply("Det står jo tydelig på nettsiden.")
    assert [w.code for w in ruled.warnings].count(Code.TONE) == 1


def test_clean_replies_near_the_boundary_are_not_warned() -> None:
    for text in ["Hei! Hvis søknaden blir godkjent, får du brev om det.", "Takk for tipset, vi ser på det i dag.",
                 "Vi beklager at tømmingen ble forsinket. Dunken blir tømt i morgen.",
                 "Alle som mottar sosialhjelp, kan søke om redusert pris."]:
        assert not check_reply(text).warnings, text
