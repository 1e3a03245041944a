"""The rule engine: every kind of condition, evidence between reasons and categories, and replies."""

import pytest
from pydantic import ValidationError

from schemas import Category, EscalationReason, Language, ModerationReason
from streams.triage.classifier import Classifier, detect_language, language_scores
from streams.triage.matcher import Features
from streams.triage.ruleset import CategoryRule, Ruleset, load_ruleset


def fires(rule: dict, text: str, pii: frozenset[str] = frozenset()) -> bool:
    return CategoryRule.model_validate({"id": "t", "category": "feedback", **rule}).fires(Features(text, pii))


@pytest.mark.parametrize("rule, text, expected", [
    ({"words": ["gatelys"]}, "Gatelys er mørkt", True),
    ({"words": ["gatelys"]}, "gatelysene er mørke", False),               # whole words only
    ({"words": ["gatelys*"]}, "GATELYSENE er mørke", True),               # prefix, any case
    ({"words": ["hull i veien"]}, "det er et stort hull i veien her", True),  # a phrase
    ({"words": ["melde fra til barnevernet"]}, "jeg vil melde fra til barnevernet nå", True),
    ({"words": ["hull i veien"]}, "hull og veien", False),
    ({"words": ["😂"]}, "haha 😂😂", True),                                  # emoji are words
    ({"all": [["min", "mi"], ["søknad*"]]}, "søknaden er borte, hjelp meg", False),
    ({"all": [["min", "mi"], ["søknad*"]]}, "søknaden min er borte", True),
    ({"words": ["orker ikke mer"], "unless": ["snø"]}, "orker ikke mer snø nå", False),
    ({"words": ["orker ikke mer"], "unless": ["snø"]}, "orker ikke mer av dette", True),
    ({"patterns": [r"\bgnr\.?\s*\d+"]}, "gnr 12 bnr 3", True),
    ({"patterns": ["Ola Nordmann"], "case_sensitive": True}, "ola nordmann", False),
    ({"patterns": ["Ola Nordmann"]}, "ola nordmann", True),
    ({"words": ["konto"], "patterns": [r"\d"]}, "konto nummer", False),    # every condition must hold
    ({"words": ["*faktura"]}, "Vannfaktura er feil", True),               # a compound's head
    ({"words": ["*faktura"]}, "vannfakturaen er feil", False),
    ({"words": ["*faktura*"]}, "vannfakturaen er feil", True),            # an inner part
    ({"words": ["*faktura*"]}, "fak tura", False),
    ({"words": ["*skatt"]}, "skatt er høy", True),                        # the word itself ends in it too
    ({"words": ["søknad*"], "unless_patterns": [r"\?"]}, "søknaden min er borte", True),
    ({"words": ["søknad*"], "unless_patterns": [r"\?"]}, "hvor er søknaden?", False),
])
def test_conditions(rule: dict, text: str, expected: bool) -> None:
    assert fires(rule, text) is expected


@pytest.mark.parametrize("text, expected", [
    ("Naboen min Per Arne Vollan har bygd over grensa", True),
    ("Saksbehandler Grete Myrvold svarer ikke", True),
    ("Kari ringte i går", False),                     # a first name alone is not a full name
    ("kari hansen ringte", False),                    # names are written with capitals
    ("Per Hansen se her!", False),                   # at the start of a short message: a tagged friend
    ("Thea Nilsen i 9B mobber dattera mi hver eneste dag", True),
    ("Du er et fjols, Kari. Les saken", False),      # punctuation between: not one name
    ("Spør @Kari Hansen", False),                    # a handle, not a name in the text
    ("Kjenner noen Roar Mikkelsen?", True),
    ("Per dag koster det 50 kroner", False),          # "Per" the word, followed by a lower-case word
    ("Torsdag Kommunestyret møtes", False),           # not a listed first name
])
def test_full_name_condition(text: str, expected: bool) -> None:
    rule = CategoryRule.model_validate({"id": "t", "category": "feedback", "full_name": True})
    names = frozenset({"per", "grete", "kari", "roar", "thea"})
    assert rule.fires(Features(text), names) is expected


def test_pii_condition() -> None:
    assert fires({"pii": ["fodselsnummer"]}, "x", frozenset({"fodselsnummer"}))
    assert not fires({"pii": ["fodselsnummer"]}, "x", frozenset({"phone"}))


@pytest.mark.parametrize("rule, message", [
    ({}, "needs `words`, `all`, `patterns`, `pii` or `full_name`"),
    ({"words": ["søk om*"]}, r"prefixes and endings \(\*\) are single words"),
    ({"words": ["*søk om"]}, r"prefixes and endings \(\*\) are single words"),
    ({"words": ["søk* om"]}, "plain text with an optional"),
    ({"words": ["**søk"]}, "plain text with an optional"),
    ({"words": ["*ab"]}, "at least three letters"),
    ({"unless_patterns": ["(unclosed"], "words": ["x"]}, "not a valid regular expression"),
    ({"words": ["en to tre fire fem seks"]}, "at most 5 words"),
    ({"all": [[]]}, "at least one word"),
    ({"patterns": ["(unclosed"]}, "not a valid regular expression"),
])
def test_invalid_rules_are_refused(rule: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CategoryRule.model_validate({"id": "t", "category": "feedback", **rule})


def test_evidence_turns_a_reason_into_category_weight() -> None:
    data = load_ruleset().model_dump(mode="json")
    data["categories"] = [{"id": "q", "category": "general_question", "weight": 1, "patterns": [r"\?"]}]
    data["moderation"] = [{"id": "m", "reason": "personal_attack", "words": ["idiot"]}]
    data["escalation"] = []
    data["evidence"] = [{"id": "e", "reasons": ["personal_attack"], "category": "feedback", "weight": 3}]
    triage = Classifier(Ruleset.model_validate(data)).triage("Er du en idiot?")
    assert triage.category is Category.FEEDBACK and triage.rules == ["q", "m", "e"]
    assert triage.moderation == [ModerationReason.PERSONAL_ATTACK]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(load_ruleset())


def test_replies_never_answer_a_threat(classifier: Classifier) -> None:
    triage = classifier.triage("Neste gang kommer jeg på rådhuset med hagla, bare så dere vet det")
    assert EscalationReason.THREAT in triage.escalation_reasons and triage.suggested_reply is None


def test_self_harm_reply_gives_the_helpline(classifier: Classifier) -> None:
    triage = classifier.triage("Jeg orker ikke mer, har ikke lyst til å leve lenger")
    assert triage.escalation_reasons == [EscalationReason.SELF_HARM]
    assert "116 123" in triage.suggested_reply and "113" in triage.suggested_reply


def test_negative_feedback_gets_a_polite_reply_in_nynorsk(classifier: Classifier) -> None:
    triage = classifier.triage("Det er heilt uforsvarleg at det ikkje er brøyta ved skulen. Kva driv de med?")
    assert triage.category is Category.FEEDBACK and triage.language is Language.NYNORSK
    assert triage.suggested_reply.startswith("Hei, og takk for at du seier ifrå")


def test_moderated_comment_reply_explains_the_guideline(classifier: Classifier) -> None:
    triage = classifier.triage("Saksbehandleren er en inkompetent idiot")
    assert triage.moderation and "personangrep" in triage.suggested_reply


def test_general_questions_still_get_no_canned_reply(classifier: Classifier) -> None:
    assert classifier.triage("Når er søknadsfristen for barnehage?").suggested_reply is None


def test_every_reply_template_fills_its_placeholders(classifier: Classifier) -> None:
    replies = classifier.rules.replies
    for name in type(replies).model_fields:
        for language, template in getattr(replies, name).items():
            text = template.format(municipality="M", email="E", web_form="W", postal_address="P")
            assert "{" not in text, (name, language)


@pytest.mark.parametrize("text, expected", [
    ("Eg veit ikkje kva eg skal gjere", Language.NYNORSK),
    ("Jeg vet ikke hva jeg skal gjøre", Language.BOKMAL),
    ("Where can I find the form?", Language.ENGLISH),
    ("Buorre beaivi! Goas lea rabas?", Language.NORTH_SAMI),
    ("Skandale!", Language.BOKMAL),          # letters but no markers: the default language
    ("2026 🎉", Language.UNDETERMINED),       # nothing written
])
def test_language_is_the_language_with_most_marker_evidence(text: str, expected: Language) -> None:
    assert detect_language(text, load_ruleset()) is expected


def test_language_scores_count_exclusive_markers_double_and_sami_letters_twice() -> None:
    rules = load_ruleset()
    scores = language_scores("eg veit", rules)  # "eg" is exclusive to nynorsk, "veit" a plain marker
    assert scores[Language.NYNORSK] == 3 and scores[Language.BOKMAL] == 0
    assert language_scores("đ", rules)[Language.NORTH_SAMI] == 2
    assert language_scores("2026", rules) == {}  # numbers are not words of any language


def test_a_hostile_long_word_makes_a_bounded_number_of_prefixes() -> None:
    from streams.triage.matcher import MAX_PREFIX, Features

    features = Features("a" * 1_000_000 + " byggesøknaden")
    assert len(features.prefixes) == (MAX_PREFIX - 1) + (len("byggesøknaden") - 1)
    assert "byggesøk" in features.prefixes
