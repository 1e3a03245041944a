"""``innboks reply check`` and ``innboks reply eval``: the DESIGN.md contract, bad input, and the corpus's
numbers (docs/replies.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from innboks.cli import main
from innboks.cli.reply import run_check, run_eval

CORPUS = Path(__file__).parents[2] / "data" / "replies"


def check_lines(*lines: str) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = run_check(io.StringIO("\n".join(lines) + "\n"), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_input_with_id_blocked_and_warnings() -> None:
    code, results = check_lines(
        json.dumps({"id": "a", "text": "Vi fant saken på 12038433154.", "language": "nb"}),
        json.dumps({"id": 7, "text": "Hei! Biblioteket har åpent til kl. 19 på torsdager.", "language": "nn"}),
        json.dumps({"id": "c", "text": "Takk for at du sier fra! Vi ser på det i dag."}),
    )
    assert code == 0
    assert [r["id"] for r in results] == ["a", 7, "c"]
    assert results[0]["blocked"] is True and results[0]["warnings"][0] == {
        "code": "personal_data", "message": results[0]["warnings"][0]["message"], "start": 17, "end": 28}
    assert results[1]["blocked"] is False and [w["code"] for w in results[1]["warnings"]] == ["language_mismatch"]
    assert "start" not in results[1]["warnings"][0]  # a whole-reply warning has no span
    assert results[2] == {"id": "c", "blocked": False, "warnings": []}


def test_crisis_mode_and_the_account_are_optional_fields() -> None:
    line = {"id": 1, "text": "Vi har åpent som vanlig.", "crisis": True}
    _, [instagram, facebook] = check_lines(json.dumps({**line, "account": "instagram:17841400000000000"}),
                                           json.dumps({**line, "account": "facebook:104857362918274"}))
    assert [w["code"] for w in instagram["warnings"]] == ["crisis_channel"]
    assert facebook["warnings"] == []


def test_a_malformed_line_is_named_and_the_exit_is_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, results = check_lines(json.dumps({"id": 1, "text": "Hei!"}), "{not json",
                                json.dumps({"id": 3, "text": "Hei!", "language": "sv"}), json.dumps(["a"]),
                                json.dumps({"text": "uten id"}), json.dumps({"id": 6, "text": 5}))
    assert code == 1
    assert results[0] == {"id": 1, "blocked": False, "warnings": []}
    assert [(r.get("line"), r["error"].split(":")[0]) for r in results[1:]] == [
        (2, "not valid JSON"), (3, "language must be one of nb, nn, en, se, und"),
        (4, "expected a JSON object with id and text"), (5, "missing or invalid field"),
        (6, "missing or non-string field")]
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["innboks reply check: line 2: not valid JSON: Expecting property name enclosed in double quotes at "
                   "column 2 (and 4 more malformed line(s))"]


def test_a_broken_facts_registry_is_one_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from innboks.config.settings import get_settings

    broken = tmp_path / "facts.yaml"
    broken.write_text("version: 1\nmunicipality: [\n", encoding="utf-8")
    monkeypatch.setenv("INNBOKS_FACTS", str(broken))
    get_settings.cache_clear()
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": 1, "text": "Hei"}\n'))
    try:
        assert main(["reply", "check"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"innboks reply: error: {broken}:") and "not valid YAML" in err and "\n" not in err


def test_eval_reports_precision_and_recall_per_code_and_errors_as_json_lines() -> None:
    console = Console(file=io.StringIO(), width=200)
    assert run_eval(CORPUS / "dev-c.jsonl", errors=3, console=console) == 0
    text = console.file.getvalue()  # type: ignore[attr-defined]
    for code in ("personal_data", "case_decision", "tone", "plain_language", "language_mismatch"):
        assert code in text
    assert "clean of which" in text


def test_eval_of_a_bad_corpus_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Hei", "labels": ["rude"]}\n', encoding="utf-8")
    assert main(["reply", "eval", str(corpus)]) == 1
    assert capsys.readouterr().err.strip() == (f"innboks reply: error: {corpus}:1: labels must be a list of "
                                               "case_decision, crisis_channel, language_mismatch, "
                                               "personal_data, plain_language, tone")


def _report(name: str) -> dict[str, object]:
    console = Console(file=io.StringIO(), width=200)
    run_eval(CORPUS / name, as_json=True, console=console)
    return json.loads(console.file.getvalue())  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["dev.jsonl", "dev-b.jsonl", "dev-c.jsonl", "dev-d.jsonl", "dev-e.jsonl"])
def test_the_dev_parts_stay_at_their_measured_level(name: str) -> None:
    """What docs/replies.md reports for the parts the check was tuned on: a change that loses a case fails."""
    report = _report(name)
    scores: dict[str, dict[str, float]] = report["scores"]  # type: ignore[assignment]
    assert all(score["recall"] >= 0.95 for score in scores.values()), scores
    assert report["clean_warned"] == 0 and report["personal_data_not_blocked"] == 0


def test_the_test_part_stays_at_its_measured_level() -> None:
    """The test part was written before any rule and is never tuned on; this only guards against losing
    what it measured (docs/replies.md): every recall 1.0, personal data always blocked, one clean reply warned
    by the tables and one more by the learned layer."""
    report = _report("test.jsonl")
    scores: dict[str, dict[str, float]] = report["scores"]  # type: ignore[assignment]
    assert all(score["recall"] >= 1.0 for score in scores.values()), scores
    assert report["clean_warned"] <= 2 and report["personal_data_not_blocked"] == 0
