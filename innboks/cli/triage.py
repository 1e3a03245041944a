"""``innboks triage`` (JSON lines in, triage out) and ``innboks triage eval CORPUS``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from innboks.cli.args import OneLineParser, non_negative_int, report_time
from innboks.cli.json_lines import read_item
from innboks.cli.store import add_store_flag, open_engine, store_url
from innboks.errors import CliError
from schemas import Category
from streams.triage.evaluation import CorpusError, dumps, evaluate, load_corpus


def register(commands: argparse._SubParsersAction) -> None:
    triage = commands.add_parser("triage", help='triage JSON lines {"id","text"} from stdin')
    triage.set_defaults(handler=_triage)
    triage_commands = triage.add_subparsers(dest="triage_command", required=False,
                                            metavar="[eval|export-corrections]", parser_class=OneLineParser)
    evaluate = triage_commands.add_parser("eval", help="precision, recall, F1 and confusion matrix on a corpus")
    evaluate.add_argument("corpus", type=Path, metavar="CORPUS", help="labelled JSON lines (docs/triage-labelling.md)")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--errors", type=non_negative_int, default=0, metavar="N",
                          help="also list the first N misclassified ids")
    evaluate.set_defaults(handler=_triage_eval)
    export = triage_commands.add_parser("export-corrections",
                                        help="staff corrections from the store as a labelled corpus (JSON lines)")
    export.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    export.add_argument("--since", type=report_time, metavar="DATE", help="only corrections made on or after DATE")
    add_store_flag(export)
    export.set_defaults(handler=_export_corrections)


def _export_corrections(args: argparse.Namespace) -> int:
    from innboks.db.corrections import corrections_corpus

    engine = open_engine(store_url(args))
    out = sys.stdout
    try:
        if args.out is not None:
            out = args.out.open("w", encoding="utf-8")
    except OSError as exc:
        raise CliError(f"--out {args.out}: {exc.strerror}") from None
    count = 0
    try:
        for line in corrections_corpus(engine, args.since):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{count} corrected messages exported", file=sys.stderr)
    return 0


def _triage(args: argparse.Namespace) -> int:
    return run_triage(sys.stdin, sys.stdout)


def _triage_eval(args: argparse.Namespace) -> int:
    return run_triage_eval(args.corpus, as_json=args.json, errors=args.errors)


def run_triage(lines: TextIO, out: TextIO) -> int:
    """JSON lines ``{"id", "text", ...}`` in, one JSON line per input out (result or error)."""
    from innboks.config.facts import FactsError
    from streams.triage.ruleset import RulesError

    try:
        from streams.triage.classifier import build_classifier

        classifier = build_classifier()
    except (RulesError, FactsError) as exc:
        raise CliError(str(exc)) from None
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result = _triage_line(classifier, line, number)
        if isinstance(result, dict):
            failures += 1
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            out.write(result + "\n")
    out.flush()
    if failures:
        print(f"innboks triage: {failures} malformed input line(s)", file=sys.stderr)
    return 1 if failures else 0


def _triage_line(classifier: Any, line: str, number: int) -> str | dict[str, Any]:
    """The output line (JSON text) for a good input; an error object for a bad one."""
    read = read_item(line, number)
    if isinstance(read, dict):
        return read
    _, item_id, text = read
    triage_json = classifier.triage(text).model_dump_json()  # '{"category":...}': splice the id in front
    return f'{{"id":{json.dumps(item_id, ensure_ascii=False)},{triage_json[1:]}'


def run_triage_eval(corpus: Path, as_json: bool = False, errors: int = 0, console: Console | None = None) -> int:
    from innboks.config.facts import FactsError
    from streams.triage.ruleset import RulesError

    try:
        messages = load_corpus(corpus)
        from streams.triage.classifier import build_classifier

        classifier = build_classifier()
    except (CorpusError, RulesError, FactsError) as exc:
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
