"""The rules file and the first classifier built on it."""

from pathlib import Path

import pytest

from schemas import Category, EscalationReason, Language, ModerationReason
from streams.triage.classifier import Classifier, ReplyContext
from streams.triage.ruleset import RulesError, load_ruleset


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(load_ruleset(), ReplyContext(email="post@test.kommune.no"))


@pytest.mark.parametrize("text, category", [
    ("Hei, når får jeg svar på byggesøknaden min? Saksnr 24/1234", Category.CASE_HANDLING),
    ("Jeg vil klage på vedtaket om barnehageplass for datteren min", Category.CASE_HANDLING),
    ("Jeg ber om innsyn i saken om reguleringsplanen", Category.CASE_HANDLING),
    ("Hva er åpningstidene på servicetorget i romjula?", Category.GENERAL_QUESTION),
    ("Hvor finner jeg skjema for søknad om parkeringstillatelse?", Category.GENERAL_QUESTION),
    ("Tusen takk til brøytemannskapene, kjempebra jobba i natt!", Category.FEEDBACK),
    ("Gatelyset utenfor nr 12 har vært gått i to uker", Category.FEEDBACK),
    ("😂😂", Category.OTHER),
])
def test_categories(classifier: Classifier, text: str, category: Category) -> None:
    assert classifier.triage(text).category is category


@pytest.mark.parametrize("text, language", [
    ("Eg lurer på kva tid biblioteket er ope", Language.NYNORSK),
    ("Jeg lurer på hva tid biblioteket er åpent", Language.BOKMAL),
    ("Where can I find the form for a parking permit?", Language.ENGLISH),
    ("Buorre beaivi! Goas lea suohkana bálvalusguovddáš rabas?", Language.NORTH_SAMI),
    ("👍", Language.UNDETERMINED),
])
def test_language(classifier: Classifier, text: str, language: Language) -> None:
    assert classifier.triage(text).language is language


def test_rules_that_fired_are_listed(classifier: Classifier) -> None:
    triage = classifier.triage("Saksnr 24/1234: når får jeg svar?")
    assert "case.reference_number" in triage.rules


def test_case_reply_in_the_citizens_language_with_configured_address(classifier: Classifier) -> None:
    nn = classifier.triage("Eg har søkt om startlån og lurer på kvifor eg ikkje har fått svar på søknaden min")
    assert nn.category is Category.CASE_HANDLING and nn.language is Language.NYNORSK
    assert "ikkje" in nn.suggested_reply and "post@test.kommune.no" in nn.suggested_reply
    en = classifier.triage("I applied for a permit and my application has no answer, when do I get a decision?")
    assert en.suggested_reply.startswith("Hello")


def test_personal_data_gets_the_hidden_comment_reply(classifier: Classifier) -> None:
    triage = classifier.triage("Her er fnr mitt 15057812378, kan dere sjekke søknaden min?")
    assert [f.type.value for f in triage.pii] == ["fodselsnummer"]
    assert "skjult" in triage.suggested_reply


def test_general_questions_and_feedback_get_no_canned_reply(classifier: Classifier) -> None:
    assert classifier.triage("Hva er åpningstidene?").suggested_reply is None


def test_escalation_and_moderation(classifier: Classifier) -> None:
    threat = classifier.triage("Jeg vet hvor du bor, og jeg skal brenne ned rådhuset")
    assert threat.escalate and EscalationReason.THREAT in threat.escalation_reasons
    assert ModerationReason.UNLAWFUL in threat.moderation
    media = classifier.triage("Hei, jeg er journalist i Altaposten og ønsker en kommentar til saken")
    assert media.escalation_reasons == [EscalationReason.MEDIA]
    gas = classifier.triage("Det lukter gass i hele oppgangen i Markveien!")
    assert EscalationReason.EMERGENCY in gas.escalation_reasons


def test_harsh_criticism_is_not_a_moderation_reason(classifier: Classifier) -> None:
    assert classifier.triage("Dette vedtaket er en skandale og sløseri med skattepengene våre").moderation == []


def test_invalid_rules_file_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    text = load_ruleset().model_dump(mode="json")
    text["categories"][0]["category"] = "gossip"
    import yaml

    path.write_text(yaml.safe_dump(text), encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules.yaml: categories\.0\.category"):
        load_ruleset(path)


def test_broken_regex_and_yaml_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_ruleset(path)
    base = (Path(__file__).parents[2] / "streams/triage/rules.yaml").read_text(encoding="utf-8")
    path.write_text(base.replace("patterns: ['\\?']", "patterns: ['(unclosed']"), encoding="utf-8")
    with pytest.raises(RulesError, match="not a valid regular expression"):
        load_ruleset(path)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_ruleset(tmp_path / "absent.yaml")
