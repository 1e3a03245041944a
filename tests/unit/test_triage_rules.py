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


@pytest.mark.parametrize("text, reason", [
    # veiled threats, dialect and English (written for this test, not taken from the corpora)
    ("Det hadde vært synd om noe skjedde med bilen til rektor", EscalationReason.THREAT),
    ("Æ vet kor byggesjefen bor, bare så det er sagt", EscalationReason.THREAT),
    ("Legger dere ned skolen kommer dere til å angre 🔪", EscalationReason.THREAT),
    ("You will regret this, watch your back", EscalationReason.THREAT),
    ("Eg orkar ikkje meir og ser ikkje poenget med noko lenger", EscalationReason.SELF_HARM),
    ("whats the point anymore, im done", EscalationReason.SELF_HARM),
    ("Naboungen på 6 er aleine heime heile natta og mora ruser seg", EscalationReason.CHILD_WELFARE),
    ("Elva går over breidda og vatnet står inn i kjellaren", EscalationReason.EMERGENCY),
    ("Bestefar kom ikke hjem fra turen i går kveld", EscalationReason.EMERGENCY),
    ("Harstad Tidende her: vil kommunen kommentere rapporten?", EscalationReason.MEDIA),
])
def test_escalation_lexicons(classifier: Classifier, text: str, reason: EscalationReason) -> None:
    assert reason in classifier.triage(text).escalation_reasons


@pytest.mark.parametrize("text", [
    "Vet noen hvor man bor billigst i sentrum?",            # a question, not "I know where you live"
    "Hvordan melder man bekymring til barnevernet?",        # guidance, no concern reported yet
    "Jeg har kontakter i VG, bare så dere vet det",         # bluster, not a threat
    "Leste i avisa at biblioteket får nye åpningstider",    # reading the paper is not a press inquiry
    "Søsteren min klarer ikke mer snø i år 😂",              # a joke about snow
])
def test_lookalikes_do_not_escalate(classifier: Classifier, text: str) -> None:
    assert classifier.triage(text).escalation_reasons == []


@pytest.mark.parametrize("text, reason", [
    ("Naboen min Per Arne Vollan har bygd garasje over grensa vår", ModerationReason.THIRD_PARTY),
    ("Disse folkene er dyr som bare kommer hit for å stjele", ModerationReason.UNLAWFUL),
    ("Muslimer er en pest som må jages ut", ModerationReason.UNLAWFUL),
    ("Du er en patetisk liten mann. Hold kjeft.", ModerationReason.PERSONAL_ATTACK),
])
def test_moderation_lexicons(classifier: Classifier, text: str, reason: ModerationReason) -> None:
    assert reason in classifier.triage(text).moderation


@pytest.mark.parametrize("text", [
    "Dette vedtaket er en skandale og sløseri med skattepengene våre",
    "Kommunen er totalt udugelig og politikerne har ikke peiling",
    "Tusen takk til Kari Hansen på servicetorget for god hjelp!",
    "Ordføreren har brutt valgløftet om skolen, det er uansvarlig",
])
def test_harsh_criticism_and_praise_are_not_moderation_reasons(classifier: Classifier, text: str) -> None:
    assert classifier.triage(text).moderation == []


def test_arguments_between_commenters_are_other(classifier: Classifier) -> None:
    assert classifier.triage("Du som skriver over her burde lese saken før du uttaler deg").category == Category.OTHER


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
