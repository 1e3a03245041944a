"""The facts registry (INNBOKS_FACTS): the packaged Alta facts, and errors that name the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from innboks.config.facts import DEFAULT_FACTS_PATH, FactsError, facts_path, load_facts, parse_facts

ALTA = DEFAULT_FACTS_PATH.read_text(encoding="utf-8")


def test_the_packaged_registry_holds_the_demo_facts() -> None:
    facts = load_facts()
    assert facts.municipality == "Alta kommune" and facts.facebook_page.startswith("https://www.facebook.com/")
    assert {"110", "112", "113"} <= {e.number for e in facts.emergency}
    topics = {topic.id: topic for topic in facts.topics}
    assert {"vann-og-avlop", "veg-og-broyting", "barnevern", "legevakt"} <= set(topics)
    assert topics["legevakt"].on_call is not None and topics["legevakt"].on_call.phone == "116 117"
    assert topics["barnevern"].on_call is not None and topics["barnevern"].on_call.phone == "453 96 908"
    assert {"78455000", "45396908", "116117", "175"} <= facts.numbers
    assert "alta.kommune.no" in facts.mail_domains


def test_the_configured_file_is_used_else_the_packaged_one(tmp_path: Path) -> None:
    assert facts_path(None) == DEFAULT_FACTS_PATH
    own = tmp_path / "facts.yaml"
    own.write_text(ALTA.replace("municipality: Alta kommune", "municipality: Loppa kommune"), encoding="utf-8")
    assert load_facts(facts_path(own)).municipality == "Loppa kommune"


@pytest.mark.parametrize(("change", "expected"), [
    (('phone: "78 45 50 60"', 'phone: "ring oss"'), r"facts\.yaml:\d+: topics\.0\.on_call\.phone: a phone number"),
    (("- {number: \"110\", name: {nb: brann,", "- {number: \"110\", name: {nn: brann,"),
     r"facts\.yaml:\d+: emergency\.0\.name: needs a bokmål"),
    (("website: https://www.alta.kommune.no", "website: alta.kommune.no"),
     r"facts\.yaml:\d+: website: a web address starts with https://"),
    (("  - id: bibliotek", "  - id: renovasjon"), r"facts\.yaml:\d+: topics: topic 'renovasjon' is listed twice"),
    (("    keywords: [bibliotek*, library]", "    keywords: ['*ab']"),
     r"facts\.yaml:\d+: topics\.\d+\.keywords\.0: keyword"),
    (("version: 1", "version: 1\nunknown: 2"), r"facts\.yaml:\d+: unknown: Extra inputs are not permitted"),
    (("topics:", "topics: [oops"), r"facts\.yaml:\d+: not valid YAML"),
])
def test_an_error_names_the_file_the_line_and_the_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in ALTA
    path = tmp_path / "facts.yaml"
    path.write_text(ALTA.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FactsError, match=expected):
        load_facts(path)


def test_the_line_is_the_line_of_the_wrong_value(tmp_path: Path) -> None:
    lines = ALTA.splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if 'phone: "78 45 50 60"' in line)
    path = tmp_path / "facts.yaml"
    path.write_text(ALTA.replace('phone: "78 45 50 60"', 'phone: "x"'), encoding="utf-8")
    with pytest.raises(FactsError, match=rf"facts\.yaml:{number}: "):
        load_facts(path)


def test_a_missing_file_a_mapping_and_a_size_limit(tmp_path: Path) -> None:
    with pytest.raises(FactsError, match="cannot read the facts registry"):
        load_facts(tmp_path / "none.yaml")
    with pytest.raises(FactsError, match="expected a mapping"):
        parse_facts("- a\n- b\n", "Fakta")
    with pytest.raises(FactsError, match="larger than"):
        parse_facts("# x\n" * 30_000, "Fakta")
