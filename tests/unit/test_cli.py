"""The command line: one-line errors with non-zero exits, and the offline commands."""

import io
import json
import subprocess
import sys

import pytest

from innboks.cli import main
from innboks.cli.triage import run_triage


def innboks(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    return subprocess.run([sys.executable, "-m", "innboks", *args], input=stdin, capture_output=True, text=True,
                          env={**environment, **(env or {})}, timeout=60)


@pytest.mark.parametrize("args, needle", [
    (["nonsense"], "invalid choice"),
    (["sla", "deadline"], "--received"),
    (["sla", "deadline", "--received", "2026-13-01T10:00:00Z"], "not an ISO 8601 timestamp"),
    (["sla", "deadline", "--received", "2026-11-16T10:00:00"], "needs a UTC offset"),
    (["sla", "deadline", "--received", "2026-11-16T10:00:00Z", "--policy", "gold"], "unknown SLA policy"),
    (["demo", "--duration", "-1"], "must be greater than 0"),
    (["demo", "--metrics-port", "70000"], "between 1 and 65535"),
    (["poll", "myspace", "--account", "1"], "invalid choice"),
    (["poll", "facebook"], "--account"),
    (["poll", "facebook", "--account", "1", "--token", "t", "--base-url", "nohost", "--once", "--stdout"],
     "scheme://host"),
    (["poll", "facebook", "--account", "1", "--once", "--stdout"], "no credentials for facebook"),
    (["poll", "facebook", "--account", "1", "--token", "t", "--once"], "KAFKA_BOOTSTRAP_SERVERS is not set"),
    (["topics", "create"], "KAFKA_BOOTSTRAP_SERVERS is not set"),
    (["connectors", "run"], "cannot read the account registry"),
    (["accounts", "check"], "cannot read the account registry"),
    (["accounts"], "SUBCOMMAND"),
    (["webhook"], "INNBOKS_META_APP_SECRET"),
])
def test_bad_input_gives_one_line_and_non_zero_exit(args: list[str], needle: str) -> None:
    result = innboks(*args, env={"INNBOKS_FACEBOOK_TOKEN": ""})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0] and lines[0].startswith("innboks")


def test_sla_deadline_prints_iso_with_offset() -> None:
    result = innboks("sla", "deadline", "--received", "2026-04-01T12:00:00Z")
    assert result.returncode == 0
    assert result.stdout.strip() == "2026-04-07T14:00:00+02:00"
    crisis = innboks("sla", "deadline", "--received", "2026-04-04T12:00:00Z", "--policy", "crisis")
    assert crisis.stdout.strip() == "2026-04-04T15:00:00+02:00"


def test_triage_reads_json_lines_and_reports_bad_lines_in_place() -> None:
    lines = "\n".join([
        json.dumps({"id": "a", "text": "Når får jeg svar på byggesøknaden min, saksnr 24/1234?", "extra": 1}),
        "{broken",
        json.dumps({"id": 7, "text": None}),
        "",
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "b", "text": "Tusen takk for god hjelp!"}),
    ]) + "\n"
    out = io.StringIO()
    assert run_triage(io.StringIO(lines), out) == 1
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r.get("id") for r in results] == ["a", None, 7, None, "b"]
    assert results[0]["category"] == "case_handling" and set(results[0]) >= {
        "category", "language", "pii", "moderation", "escalate", "escalation_reasons", "rules", "suggested_reply"}
    assert "error" in results[1] and results[1]["line"] == 2
    assert "text" in results[2]["error"]
    assert results[4]["category"] == "feedback"


def test_triage_command_exit_zero_when_all_lines_are_valid() -> None:
    result = innboks("triage", stdin=json.dumps({"id": "x", "text": "Hei"}) + "\n")
    assert result.returncode == 0 and json.loads(result.stdout)["id"] == "x"


def test_version() -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0


def test_a_deployment_s_own_rules_file_replaces_the_packaged_one(tmp_path) -> None:
    from streams.triage.ruleset import DEFAULT_RULES_PATH

    own = tmp_path / "rules.yaml"
    # The packaged rules with the case-handling rule for "my application" removed.
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    start = text.index("  - id: case.own_case_noun")
    own.write_text(text[:start] + text[text.index("  - id: case.relative_needs_service"):], encoding="utf-8")
    line = json.dumps({"id": "a", "text": "Når får jeg svar på byggesøknaden min?"}) + "\n"
    packaged = json.loads(innboks("triage", stdin=line).stdout)
    custom = json.loads(innboks("triage", stdin=line, env={"INNBOKS_TRIAGE_RULES": str(own)}).stdout)
    assert "case.own_case_noun" in packaged["rules"] and "case.own_case_noun" not in custom["rules"]

    broken = tmp_path / "broken.yaml"
    broken.write_text("categories: [\n", encoding="utf-8")
    result = innboks("triage", stdin=line, env={"INNBOKS_TRIAGE_RULES": str(broken)})
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    assert "broken.yaml" in result.stderr and "Traceback" not in result.stderr


def test_triage_answers_a_5_mb_line_and_a_broken_one_line_for_line() -> None:
    lines = [json.dumps({"id": "big", "text": "a" * 5_000_000}), "not json", "[" * 5000 + "]" * 5000,
             json.dumps({"id": "ok", "text": "Når er biblioteket åpent?"})]
    result = innboks("triage", stdin="\n".join(lines) + "\n")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a.get("id") for a in answers] == ["big", None, None, "ok"]
    assert answers[0]["category"] and "not valid JSON" in answers[1]["error"] and answers[3]["language"] == "nb"
    assert "nested deeper" in answers[2]["error"]
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_unreadable_files_and_invalid_settings_are_one_line(tmp_path) -> None:
    """Issue #24, 8: these ended in 18–25-line tracebacks, and an empty registry and --errors -1 were accepted."""
    latin1 = tmp_path / "accounts.yaml"
    latin1.write_bytes('accounts:\n  - name: "Alta båt"\n'.encode("latin-1"))
    empty = tmp_path / "empty.yaml"
    empty.write_text("# no accounts yet\n", encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes('{"id": "a", "text": "Når får jeg svar på søknaden?"}\n'.encode("latin-1"))
    cases = [
        (["accounts", "check", "--offline"], {"INNBOKS_METRICS_PORT": "abc"}, "INNBOKS_METRICS_PORT: Input should be"),
        (["sla", "deadline", "--received", "2026-04-01T12:00:00Z"], {"INNBOKS_TOPIC_PARTITIONS": "0"},
         "INNBOKS_TOPIC_PARTITIONS"),
        (["accounts", "check", "--offline"], {"INNBOKS_ACCOUNTS_FILE": str(latin1)}, "is not UTF-8 text (byte 0xe5"),
        (["accounts", "check", "--offline"], {"INNBOKS_ACCOUNTS_FILE": str(empty)}, "no accounts"),
        (["triage", "eval", str(corpus)], {}, "the corpus is not UTF-8 text"),
        (["triage", "eval", "tests/fixtures/triage/golden-dev.jsonl", "--errors", "-1"], {}, "must be 0 or more"),
    ]
    for args, env, needle in cases:
        result = innboks(*args, env=env)
        lines = result.stderr.strip().splitlines()
        assert result.returncode != 0 and len(lines) == 1, (args, result.stderr)
        assert needle in lines[0] and lines[0].startswith("innboks"), (args, lines[0])
    assert "abc" not in innboks("accounts", "check", env={"INNBOKS_METRICS_PORT": "abc"}).stderr  # never the value


@pytest.mark.parametrize("command", [["worker"], ["triage"], ["reply", "check"], ["inbox", "--store", "sqlite://"]])
def test_a_broken_facts_registry_is_one_line_naming_the_file_and_line(tmp_path, command) -> None:
    broken = tmp_path / "facts.yaml"
    broken.write_text("version: 1\nmunicipality: Alta kommune\nwebsite: [\n", encoding="utf-8")
    result = innboks(*command, stdin='{"id": 1, "text": "Hei"}\n', env={"INNBOKS_FACTS": str(broken)})
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert f"{broken}:" in line and "not valid YAML" in line and "Traceback" not in result.stderr
