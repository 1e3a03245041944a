"""Norwegian for staff beyond single labels: triage rules in words, deadlines a person understands, and
plurals by the CLDR rules for bokmål (Babel), so a page never says "1 meldinger"."""

from __future__ import annotations

from babel import Locale

NB = Locale.parse("nb")

#: What each triage rule noticed (streams/triage/rules.yaml and the context rules), as staff read it.
RULES = {
    "case.own_case_noun": "nevner sin egen sak", "case.relative_needs_service": "en pårørende trenger en tjeneste",
    "case.applied": "har søkt om noe", "case.reference_number": "oppgir et saksnummer",
    "case.identity_number_given": "oppgir et personnummer", "case.account_number_given": "oppgir et kontonummer",
    "case.identity_words": "nevner personnummer eller lignende", "case.access_request": "ber om innsyn",
    "case.concern_report": "melder bekymring", "case.billing_problem": "spør om en regning eller faktura",
    "case.own_waiting": "venter på svar i egen sak", "case.may_i_have": "ber om noe til seg selv",
    "case.call_me": "ber om å bli ringt", "case.first_person_need": "beskriver et eget behov",
    "question.mark": "stiller et spørsmål", "question.impersonal": "spør generelt",
    "question.facts": "spør om fakta", "question.opening_word": "begynner med et spørreord",
    "question.media_facts": "pressen spør om fakta",
    "feedback.praise": "ros", "feedback.criticism": "kritikk", "feedback.fault_report": "melder en feil",
    "feedback.opinion": "en mening", "feedback.emergency_report": "melder om en akutt hendelse",
    "feedback.statement_about_us": "en uttalelse om kommunen",
    "other.thanks_for_info": "takker for informasjonen", "other.interview_or_comment_request": "ber om intervju",
    "other.spam_or_sale": "reklame eller søppel", "other.missing_or_accident": "savnet eller ulykke",
    "other.tagging_people": "tagger andre", "other.commenter_dispute": "krangel mellom kommentatorer",
    "other.addressing_a_commenter": "svarer en annen kommentator", "other.greeting": "en hilsen",
    "moderation.insult_noun": "skjellsord", "moderation.insult_adjective_at_person": "nedsettende om en person",
    "moderation.named_person_exposed": "henger ut en navngitt person",
    "moderation.full_name_exposed": "fullt navn på en tredjeperson", "moderation.threat": "trussel",
    "moderation.knows_where": "antyder å vite hvor noen bor", "moderation.hate_speech": "hatefulle ytringer",
    "moderation.slur": "slengord om en gruppe",
    "escalation.threat": "trussel (eskalert)", "escalation.knows_where": "antyder å vite hvor noen bor (eskalert)",
    "escalation.media": "pressehenvendelse", "escalation.media_outlet_asks": "en redaksjon spør",
    "escalation.self_harm": "fare for selvskading", "escalation.child_welfare": "bekymring for et barn",
    "escalation.concern_report": "bekymringsmelding", "escalation.emergency": "nødsituasjon",
    "evidence.hostile_is_feedback": "fiendtlig tone (teller som tilbakemelding)",
    "evidence.child_concern_is_case": "bekymring for et barn (teller som saksbehandling)",
    "context.crisis": "kom inn under krisemodus", "context.crisis_off_channel": "krisemodus: utenfor krisekanalen",
    "context.spike": "mye negativ oppmerksomhet nå",
}

#: SLA policies by their configured names, as a deadline staff understand.
POLICIES = {"standard": "vanlig frist: én arbeidsdag (7,5 timer i åpningstiden)",
            "crisis": "krisefrist: én time, hele døgnet",
            "direct-messages": "frist for direktemeldinger"}

CLOSE_REASONS = {"no_reply_needed": "Trenger ikke svar", "answered_elsewhere": "Besvart et annet sted",
                 "spam": "Søppel eller reklame", "duplicate": "Duplikat"}

#: How a closed or answered inquiry ended (``SlaEvent.resolution``).
RESOLUTIONS = {"reply": "besvart", "forwarded": "videresendt til saksbehandling", "hidden": "skjult",
               "deleted": "slettet", "closed_without_reply": "lukket uten svar"}

#: Words with their singular and plural forms (bokmål).
FORMS = {
    "henvendelse": ("henvendelse", "henvendelser"), "melding": ("melding", "meldinger"),
    "versjon": ("versjon", "versjoner"), "tråd": ("tråd", "tråder"), "notat": ("notat", "notater"),
    "svar": ("svar", "svar"), "time": ("time", "timer"), "minutt": ("minutt", "minutter"),
    "godkjenning": ("godkjenning", "godkjenninger"), "samtale": ("samtale", "samtaler"),
    "treff": ("treff", "treff"), "endring": ("endring", "endringer"), "kollega": ("kollega", "kolleger"),
}


def plural(count: int, word: str) -> str:
    """``count`` and the word in the form bokmål takes for it: "1 melding", "3 meldinger", "0 meldinger"."""
    one, other = FORMS.get(word, (word, word))
    return f"{count} {one if NB.plural_form(abs(count)) == 'one' else other}"


def rule(rule_id: str) -> str:
    """A triage rule in words; an unknown rule by its area ("eskaleringsregel")."""
    if rule_id in RULES:
        return RULES[rule_id]
    area = rule_id.split(".", 1)[0]
    return {"case": "tegn på saksbehandling", "question": "spørsmål", "feedback": "tilbakemelding",
            "other": "annet", "moderation": "moderering", "escalation": "eskalering", "evidence": "samlet vurdering",
            "context": "situasjonen nå"}.get(area, "annen regel")


def policy(name: str | None) -> str:
    if not name:
        return ""
    return POLICIES.get(name, f"egen frist ({name})")
