"""The classifier decides exactly as it did before it was made faster (issue 16): the golden file of
its decisions on the dev corpora and variants of them (``tests/triage_golden.py``)."""

import json

from tests.triage_golden import GOLDEN, decisions


def test_every_decision_on_the_dev_corpora_is_the_golden_one() -> None:
    golden = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    now = list(decisions())
    assert [item["id"] for item in now] == [item["id"] for item in golden]
    changed = [(item["id"], item["triage"], expected["triage"])
               for item, expected in zip(now, golden, strict=True) if item["triage"] != expected["triage"]]
    assert changed == [], f"{len(changed)} decisions changed, the first: {changed[:3]}"
