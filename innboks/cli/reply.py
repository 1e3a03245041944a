"""``innboks reply check`` (JSON lines of draft replies in, the reply check out) and
``innboks reply eval CORPUS`` (precision and recall per warning code on a labelled corpus)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from innboks.cli.json_lines import read_item
from innboks.errors import CliError

_LANGUAGES = ("nb", "nn", "en", "se", "und")


def register(commands: argparse._SubParsersAction) -> None:
    from innboks.cli.args import OneLineParser

    reply = commands.add_parser("reply", help="check draft replies against the guideline")
    reply_commands = reply.add_subparsers(dest="reply_command", required=True, metavar="{check,eval}",
                                          parser_class=OneLineParser)
    check = reply_commands.add_parser(
        "check", help='JSON lines {"id","text","language"?} on stdin → {"id","blocked","warnings"} per line')
    check.set_defaults(handler=_check)
    evaluate = reply_commands.add_parser("eval", help="precision and recall per warning code on a labelled corpus")
    evaluate.add_argument("corpus", type=Path, metavar="CORPUS", help="labelled JSON lines (docs/replies.md)")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N", help="also list the first N drafts the check "
                          "got wrong")
    evaluate.add_argument("--rules-only", action="store_true",
                          help="the phrase tables alone, without the learned layer")
    evaluate.set_defaults(handler=_eval)


def _facts() -> Any:
    from innboks.config.facts import FactsError, facts_path, load_facts
    from innboks.config.settings import get_settings

    try:
        return load_facts(facts_path(get_settings().facts))
    except FactsError as exc:
        raise CliError(str(exc)) from None


def _registry() -> Any:
    from innboks.config.accounts import RegistryError, registry_or_none
    from innboks.config.settings import get_settings

    try:
        return registry_or_none(get_settings().accounts_file)
    except RegistryError as exc:
        raise CliError(str(exc)) from None


def _check(args: argparse.Namespace) -> int:
    return run_check(sys.stdin, sys.stdout)


def run_check(lines: TextIO, out: TextIO) -> int:
    """One output line per input line: the check, or ``{"id", "line", "error"}`` for a malformed one."""
    facts = _facts()
    registry = _registry()
    failures: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result = _check_line(line, number, facts, registry)
        if "error" in result:
            failures.append(f"line {number}: {result['error']}")
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    if failures:
        more = f" (and {len(failures) - 1} more malformed line(s))" if len(failures) > 1 else ""
        print(f"innboks reply check: {failures[0]}{more}", file=sys.stderr)
    return 1 if failures else 0


def _check_line(line: str, number: int, facts: Any, registry: Any) -> dict[str, Any]:
    from innboks.domain.reply_check import check_reply, context_for, crisis_channel_of
    from schemas import Language, Platform

    read = read_item(line, number)
    if isinstance(read, dict):
        return read
    item, item_id, text = read
    language = item.get("language")
    if language is not None and language not in _LANGUAGES:
        return {"id": item_id, "line": number, "error": f"language must be one of {', '.join(_LANGUAGES)}"}
    crisis, account_key = item.get("crisis", False), item.get("account")
    if not isinstance(crisis, bool):
        return {"id": item_id, "line": number, "error": "crisis must be true or false"}
    platform, account = None, None
    if account_key is not None:
        platform_name, _, account_id = str(account_key).partition(":")
        if platform_name not in {p.value for p in Platform} or not account_id:
            return {"id": item_id, "line": number, "error": 'account looks like "facebook:1234" (platform:account id)'}
        platform = Platform(platform_name)
        account = registry.find(platform, account_id) if registry else None
    citizen = item.get("citizen_name")
    context = context_for(facts, language=Language(language) if language else None,
                          citizen_name=citizen if isinstance(citizen, str) else None, crisis_active=crisis,
                          crisis_channel=crisis_channel_of(platform, account) if crisis else True)
    return {"id": item_id, **check_reply(text, context).to_json()}


def _eval(args: argparse.Namespace) -> int:
    return run_eval(args.corpus, as_json=args.json, errors=args.errors, rules_only=args.rules_only)


def run_eval(corpus: Path, as_json: bool = False, errors: int = 0, console: Console | None = None,
             rules_only: bool = False) -> int:
    from innboks.domain.reply_check import check_reply, context_for
    from innboks.domain.reply_check.evaluation import CorpusError, evaluate, load_corpus

    if errors < 0:
        raise CliError("--errors must be 0 or more")
    try:
        drafts = load_corpus(corpus)
    except CorpusError as exc:
        raise CliError(str(exc)) from None
    facts = _facts()
    result = evaluate(drafts, check_reply,
                      lambda draft: replace(context_for(facts, language=draft.language,
                                                        citizen_name=draft.citizen_name), learned=not rules_only))
    console = console or Console()
    if as_json:
        report = result.to_json()
        report["errors"] = report["errors"][:errors]
        console.print_json(json.dumps(report, ensure_ascii=False))
        return 0
    console.print(f"[bold]{corpus}[/bold]: {result.total} drafts, {result.clean} clean of which "
                  f"[bold]{len(result.clean_warned)}[/bold] got a warning ({result.false_warning_rate:.3f}); "
                  f"personal data blocked in {result.personal_data - len(result.not_blocked)} of "
                  f"{result.personal_data}")
    table = Table("code", "precision", "recall", "F1", "support", "false warnings", title="reply check")
    for code, score in result.scores.items():
        table.add_row(code, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.support),
                      str(score.false_positives))
    console.print(table)
    for error in result.errors[:errors]:  # one JSON line each, never wrapped
        print(json.dumps(error, ensure_ascii=False), file=console.file)
    return 0
