"""Alert rules, their promtool unit tests, the runbook and the Alertmanager example, checked as code."""

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
ALERTMANAGER = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
RUNBOOK = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")


def alerts() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=RULES.parent)


def test_promtool_checks_the_rules() -> None:
    result = run("promtool", "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass() -> None:
    result = run("promtool", "test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for case in yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]:
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    names = {rule["alert"] for rule in alerts()}
    assert names - firing == set(), "alerts without a firing test"
    assert names - silent == set(), "alerts without a not-firing test"


def test_every_alert_has_summary_description_and_a_runbook_section() -> None:
    headings = set(re.findall(r"^## (\w+)$", RUNBOOK, re.M))
    for rule in alerts():
        name, annotations = rule["alert"], rule["annotations"]
        assert annotations["summary"] and annotations["description"], name
        assert annotations["runbook_url"] == f"docs/runbook.md#{name.lower()}", name
        assert name in headings, f"{name} has no section in docs/runbook.md"
        assert rule["labels"]["team"] in {"owning-unit", "communication", "crisis", "operations"}, name
    assert headings == {rule["alert"] for rule in alerts()}, "runbook sections without an alert"


def test_alertmanager_example_is_valid_and_routes_late_replies_and_crisis() -> None:
    result = run("amtool", "check-config", str(ALERTMANAGER))
    assert result.returncode == 0, result.stdout + result.stderr
    for labels, receivers in (
        (["alertname=InnboksLateReply", "team=owning-unit", "owning_unit=Teknisk drift"],
         "communication-unit,unit-teknisk-drift"),
        (["alertname=InnboksLateReply", "team=owning-unit", "owning_unit=Kommunikasjonsenheten"],
         "communication-unit"),
        (["alertname=InnboksCrisisModeActive", "team=crisis"], "crisis-team"),
        (["alertname=InnboksWorkerDown", "team=operations"], "it-operations"),
    ):
        routed = run("amtool", "config", "routes", "test", "--config.file", str(ALERTMANAGER), *labels)
        assert routed.stdout.strip() == receivers, (labels, routed.stdout, routed.stderr)
