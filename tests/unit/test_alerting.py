"""Alert rules, their promtool unit tests, the runbook and the Alertmanager example, checked as code."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from schemas import EscalationReason

ROOT = Path(__file__).parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = (RULES.parent / "alerts.test.yml", RULES.parent / "alerts-week.test.yml")
ALERTMANAGER = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
PROMETHEUS_CONFIGS = (RULES.parent / "prometheus.yml", RULES.parent / "prometheus-k8s.yml")
RUNBOOK = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")

#: The alerts about one account, with the inbox view their link opens.
INBOX_LINKS = {"InnboksLateReply": "overdue", "InnboksEscalation": "open", "InnboksMediaEscalation": "open",
               "InnboksMediaEscalationsWhileClosed": "open"}
#: Escalation reasons that alert around the clock, in office hours, and not by themselves (crisis
#: mode has its own alert; a spike is on the dashboard).
AROUND_THE_CLOCK = {"threat", "self_harm", "child_welfare", "emergency"}
OFFICE_HOURS = {"media"}
NOT_ALERTED = {"spike", "crisis"}


def alerts() -> list[dict]:
    return [rule for rule in rules() if "alert" in rule]


def rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


def rule(name: str) -> dict:
    return next(r for r in rules() if r.get("alert", r.get("record")) == name)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=RULES.parent)


def test_promtool_checks_the_rules() -> None:
    result = run("promtool", "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass() -> None:
    result = run("promtool", "test", "rules", *map(str, RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
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


def test_alertmanager_example_is_valid_and_routes_late_replies_escalations_and_crisis() -> None:
    result = run("amtool", "check-config", str(ALERTMANAGER))
    assert result.returncode == 0, result.stdout + result.stderr
    for labels, receivers in (
        (["alertname=InnboksLateReply", "team=owning-unit", "owning_unit=Teknisk drift"],
         "communication-unit,unit-teknisk-drift"),
        (["alertname=InnboksLateReply", "team=owning-unit", "owning_unit=Kommunikasjonsenheten"],
         "communication-unit"),
        (["alertname=InnboksEscalation", "team=owning-unit", "reason=threat", "owning_unit=Teknisk drift"],
         "communication-duty,unit-teknisk-drift"),
        (["alertname=InnboksEscalation", "team=owning-unit", "reason=self_harm"], "communication-duty"),
        (["alertname=InnboksMediaEscalation", "team=communication"], "communication-unit"),
        (["alertname=InnboksMediaEscalationsWhileClosed", "team=communication"], "communication-unit"),
        (["alertname=InnboksCrisisModeActive", "team=crisis"], "crisis-team"),
        (["alertname=InnboksWorkerDown", "team=operations"], "it-operations"),
    ):
        routed = run("amtool", "config", "routes", "test", "--config.file", str(ALERTMANAGER), *labels)
        assert routed.stdout.strip() == receivers, (labels, routed.stdout, routed.stderr)


def routes_to(config: dict, alertname: str) -> list[dict]:
    """The route that takes the alert, after its ancestors (first match on alertname alone)."""
    def walk(route: dict, path: list[dict]) -> list[dict] | None:
        for child in route.get("routes", []):
            if any(m.replace(" ", "") in (f'alertname="{alertname}"', f"alertname={alertname}")
                   for m in child.get("matchers", [])):
                return [*path, route, child]
            found = walk(child, [*path, route])
            if found:
                return found
        return None
    found = walk(config["route"], [])
    assert found, f"no route names {alertname}"
    return found


def test_escalations_route_around_the_clock_and_media_in_office_hours() -> None:
    config = yaml.safe_load(ALERTMANAGER.read_text(encoding="utf-8"))
    intervals = {i["name"]: i["time_intervals"] for i in config["time_intervals"]}
    assert intervals["office-hours"] == [{"weekdays": ["monday:friday"],
                                          "times": [{"start_time": "08:00", "end_time": "15:30"}],
                                          "location": "Europe/Oslo"}]
    assert intervals["office-opening"][0]["location"] == "Europe/Oslo"
    assert intervals["office-opening"][0]["times"][0]["start_time"] == "08:00"
    for route in routes_to(config, "InnboksEscalation"):
        assert not route.get("active_time_intervals") and not route.get("mute_time_intervals"), route
    assert routes_to(config, "InnboksMediaEscalation")[-1]["active_time_intervals"] == ["office-hours"]
    assert routes_to(config, "InnboksMediaEscalationsWhileClosed")[-1]["active_time_intervals"] == ["office-opening"]


def test_every_escalation_reason_is_alerted_or_deliberately_not() -> None:
    assert AROUND_THE_CLOCK | OFFICE_HOURS | NOT_ALERTED == {r.value for r in EscalationReason}
    urgent = re.search(r'reason=~"([a-z_|]+)"', rule("InnboksEscalation")["expr"])
    assert urgent and set(urgent.group(1).split("|")) == AROUND_THE_CLOCK
    for name in ("InnboksMediaEscalation", "InnboksMediaEscalationsWhileClosed"):
        assert set(re.findall(r'reason="([a-z_]+)"', rule(name)["expr"])) == OFFICE_HOURS, name


def test_account_alerts_link_to_the_inbox_filtered_to_the_account() -> None:
    for name, state in INBOX_LINKS.items():
        link = rule(name)["annotations"]["inbox_url"]
        base, query = "{{ $externalLabels.inbox_url }}", "{{ $labels.account | urlquery }}"
        assert link == f"{base}/?account={query}&state={state}", name
    assert {r["alert"] for r in alerts() if "inbox_url" in r["annotations"]} == set(INBOX_LINKS)


@pytest.mark.parametrize("config", PROMETHEUS_CONFIGS, ids=lambda p: p.name)
def test_prometheus_sets_the_inbox_base_url_in_one_place(config: Path) -> None:
    base = yaml.safe_load(config.read_text(encoding="utf-8"))["global"]["external_labels"]["inbox_url"]
    assert re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*[^/?#\s])?", base), f"{base}: absolute, no trailing slash"
