"""Suggested replies that point to the facts registry (innboks/domain/suggestions.py) and the classifier
that uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from innboks.config.facts import load_facts
from innboks.domain.reply_check import check_reply, context_for
from innboks.domain.suggestions import (
    case_reply,
    child_welfare_reply,
    emergency_reply,
    every_suggestion,
    match_topics,
    question_reply,
)
from schemas import Category, EscalationReason, Language
from streams.triage.classifier import Classifier
from streams.triage.ruleset import load_ruleset

FACTS = load_facts()
DEMO = Path(__file__).parents[2] / "innboks" / "demo" / "data" / "alta_facebook.json"


def _demo_texts() -> list[str]:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("message"), str):
                found.append(node["message"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


def test_the_demos_emergency_inquiry_gets_the_on_call_number_for_water_and_sewage() -> None:
    [inquiry] = [text for text in _demo_texts() if "fosser vann opp av asfalten" in text]
    assert "kveldstid" in inquiry
    triage = Classifier(load_ruleset(), facts=FACTS).triage(inquiry)
    assert EscalationReason.EMERGENCY in triage.escalation_reasons
    water = FACTS.topic("vann-og-avlop")
    assert water is not None and water.on_call is not None
    reply = triage.suggested_reply or ""
    assert f"vakttelefonen for vann og avløp på {water.on_call.phone}, den er åpen hele døgnet" in reply
    assert "113" in reply and "takk for at du sier ifra" not in reply.lower()
    # Without a registry the suggestion is the old thank-you (triage's decisions are unchanged).
    assert "Vi har sendt tilbakemeldingen din videre" in (Classifier(load_ruleset()).triage(inquiry).suggested_reply
                                                          or "")


def test_topics_are_matched_by_keywords_most_hits_first() -> None:
    assert [t.id for t in match_topics(FACTS, "Vannledningen har sprukket og vannet fosser ut i veien")][:2] == [
        "vann-og-avlop", "veg-og-broyting"]
    assert [t.id for t in match_topics(FACTS, "når tømmes søppeldunkene i Elvebakken?")] == ["renovasjon"]
    assert match_topics(FACTS, "Gratulerer med dagen!") == []


@pytest.mark.parametrize(("language", "expected"), [
    (Language.BOKMAL, "Ring vakttelefonen for vann og avløp på 78 45 50 60, den er åpen hele døgnet."),
    (Language.NYNORSK, "Ring vakttelefonen for vatn og avløp på 78 45 50 60. Telefonen er open heile døgnet."),
    (Language.ENGLISH, "Call the on-call line for water and sewage on 78 45 50 60, open day and night."),
    (Language.NORTH_SAMI, "Ring vakttelefonen for vann og avløp på 78 45 50 60"),  # bokmål where we have no Sámi
])
def test_an_emergency_in_each_language(language: Language, expected: str) -> None:
    assert expected in emergency_reply(FACTS, "det fosser vann fra en kum", language)


def test_an_emergency_without_a_topic_gets_the_emergency_numbers_and_the_switchboard() -> None:
    reply = emergency_reply(FACTS, "Det brenner i et hus!", Language.BOKMAL)
    assert "110 (brann), 112 (politi) eller 113 (ambulanse)" in reply and FACTS.phone in reply


def test_a_child_welfare_concern_gets_the_service_and_barnevernvakta() -> None:
    reply = child_welfare_reply(FACTS, "ungene i nabohuset er alene hjemme hver kveld", Language.BOKMAL) or ""
    assert "barneverntjenesten" in reply and "barnevernvakta på 453 96 908" in reply


def test_a_question_gets_the_topics_page_and_phone_and_the_on_call_number_after_hours() -> None:
    day = question_reply(FACTS, "Hvem har ansvaret for brøyting av veien vår?", Language.BOKMAL) or ""
    evening = question_reply(FACTS, "Hvem ringer jeg om brøyting på kvelden?", Language.BOKMAL) or ""
    assert "https://www.alta.kommune.no/vei-og-trafikk" in day and "78 45 50 00" in day
    assert "78 45 50 70" not in day and "78 45 50 70" in evening
    assert question_reply(FACTS, "Hva synes dere om været?", Language.BOKMAL) is None


def test_a_case_points_to_the_channel_for_that_kind_of_case() -> None:
    reply = case_reply(FACTS, "Når får jeg svar på byggesøknaden min?", Language.NYNORSK) or ""
    assert "enkeltsak" in reply and "Byggjesøknader og spørsmål om ei byggjesak sender du til" in reply
    assert case_reply(FACTS, "Jeg vil klage på noe", Language.BOKMAL) is None  # no matching channel: the template


def test_the_classifier_points_cases_and_questions_to_the_facts() -> None:
    classifier = Classifier(load_ruleset(), facts=FACTS)
    case = classifier.triage("Fakturaen min er feil, jeg har betalt den to ganger")
    assert case.category is Category.CASE_HANDLING and "faktura@alta.kommune.no" in (case.suggested_reply or "")
    question = classifier.triage("Når er søknadsfristen for barnehage?")
    assert question.category is Category.GENERAL_QUESTION
    assert "https://www.alta.kommune.no/barnehage" in (question.suggested_reply or "")
    threat = classifier.triage("Jeg skal drepe rådmannen, jeg vet hvor han bor")
    assert threat.suggested_reply is None  # how to answer a threat is for the leader to decide


def test_every_suggestion_of_the_packaged_registry_passes_the_reply_check() -> None:
    suggestions = list(every_suggestion(FACTS))
    assert len(suggestions) > 40
    for suggestion in suggestions:
        assert suggestion.text, suggestion
        result = check_reply(suggestion.text, context_for(FACTS, language=suggestion.language))
        assert not result.warnings, (suggestion, result.to_json())
