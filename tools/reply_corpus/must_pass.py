"""Write ``data/replies/calibration-must-pass.jsonl``: clean replies the learned layer must never warn of, so
each code's threshold is set above all of them (``python -m tools.reply_corpus.must_pass``).

Innboks's own texts (the triage rules' reply templates, the packaged saved replies, every suggestion the
packaged facts registry can produce) and the clean neighbours of the phrase tables' family tests
(``tests/unit/test_reply_check_families.py``: conditions, offers, apologies, the right to appeal). They are
used only to place thresholds, never to train weights.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).parents[2]
OUT = ROOT / "data" / "replies" / "calibration-must-pass.jsonl"


def _family_neighbours() -> list[str]:
    tree = ast.parse((ROOT / "tests" / "unit" / "test_reply_check_families.py").read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant):
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and isinstance(values[0], str) and values[-1] is False:
                found.append(values[0])
    return found


def _own_texts() -> list[str]:
    from innboks.config.facts import load_facts
    from innboks.domain.reply_variables import ALTA
    from innboks.domain.suggestions import every_suggestion
    from innboks.inbox.saved_replies import DEFAULTS
    from streams.triage.ruleset import load_ruleset

    facts = load_facts()
    texts = [s.text for s in every_suggestion(facts) if s.text]
    replies = load_ruleset().replies
    for name in type(replies).model_fields:
        texts.extend(template.format(municipality=ALTA.municipality, email=ALTA.case_email,
                                     web_form=ALTA.case_web_form, postal_address=ALTA.case_postal_address)
                     for template in getattr(replies, name).values())
    texts.extend(ALTA.fill(body, "Alta kommune") for _, _, body in DEFAULTS)
    return texts


def main() -> None:
    texts = list(dict.fromkeys([*_family_neighbours(), *_own_texts()]))
    with OUT.open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts, start=1):
            out.write(json.dumps({"id": f"rmp-{number:04d}", "labels": [], "text": text}, ensure_ascii=False) + "\n")
    print(f"{OUT}: {len(texts)} clean replies")


if __name__ == "__main__":
    main()
