"""``innboks triage eval CORPUS``: how well triage does on a labelled corpus."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from innboks.errors import CliError
from schemas import Category
from streams.triage.evaluation import CorpusError, dumps, evaluate, load_corpus


def run_triage_eval(corpus: Path, as_json: bool = False, errors: int = 0, console: Console | None = None) -> int:
    from streams.triage.ruleset import RulesError

    try:
        messages = load_corpus(corpus)
        from streams.triage.classifier import build_classifier

        classifier = build_classifier()
    except (CorpusError, RulesError) as exc:
        raise CliError(str(exc)) from None
    result = evaluate(classifier, messages)
    console = console or Console()
    if as_json:
        console.print_json(dumps(result))
        return 0
    console.print(f"[bold]{corpus}[/bold]: {result.total} messages, category accuracy "
                  f"[bold]{result.category_accuracy:.3f}[/bold], language accuracy {result.language_accuracy:.3f}, "
                  f"false fødselsnummer: [bold]{len(result.false_fodselsnummer)}[/bold]")
    for group in ("category", "language", "pii", "moderation", "escalate"):
        table = Table("label", "precision", "recall", "F1", "support", title=group)
        for label, score in sorted(result.scores.get(group, {}).items()):
            table.add_row(label, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}",
                          str(score.support))
        console.print(table)
    matrix = Table("expected \\ predicted", *[c.value for c in Category], title="category confusion matrix")
    for expected in Category:
        matrix.add_row(expected.value, *[str(result.confusion[(expected.value, p.value)]) for p in Category])
    console.print(matrix)
    for error in result.errors[:errors]:  # one JSON line each, never wrapped
        print(json.dumps(error, ensure_ascii=False), file=console.file)
    return 0
