"""The reply check (innboks/domain/reply_check): the awkward cases of each code, table-driven, and that
everything Innboks itself suggests or sends passes it."""

from __future__ import annotations

import pytest

from innboks.config.facts import load_facts
from innboks.domain.reply_check import MAX_REPLY_CHARS, CheckContext, Code, check_reply, context_for
from innboks.domain.reply_variables import ALTA
from schemas import Language

FACTS = load_facts()


def codes(text: str, language: str | None = None, **context: object) -> set[str]:
    checked = check_reply(text, context_for(FACTS, language=Language(language) if language else None,
                                            **context))  # type: ignore[arg-type]
    return {warning.code.value for warning in checked.warnings}


@pytest.mark.parametrize(("text", "flagged"), [
    ("Vi fant saken på fødselsnummeret ditt, 12038433154.", True),
    ("Vi fant saken på fødselsnummeret ditt, 120384 33154.", True),  # with the usual space
    ("D-nummeret 45119140467 er registrert.", True),
    ("Fakturanummer 12038433155 gjelder vann.", False),  # 11 digits, wrong check digits
    ("Saken har nummer 24/1873, gnr. 12 bnr. 345.", False),
    ("Vi ringte deg på 412 34 567.", True),
    ("Ring vakttelefonen på 78 45 50 60, eller sentralbordet på +47 78 45 50 00.", False),  # the facts registry
    ("Barnevernvakta har telefon 453 96 908.", False),
    ("Skriv til postmottak@alta.kommune.no eller kari.nordmann@alta.kommune.no.", False),  # our domain
    ("Vefas svarer på post@vefas.no.", False),  # an organisation's role address
    ("Vi sendte svaret til ola.hansen82@gmail.com.", True),
    ("Pengene kommer på konto 1503.09.01220.", True),
    ("Siden du bor i Markveien 23 B, hører dere til Komsa skolekrets.", True),
    ("Vannet blir stengt i Markveien 10–24 tirsdag.", False),  # a stretch of road, not a home
    ("Servicetorget ligger i Markveien 5.", False),
    ("Naboen din, Per Johansen, har også klaget.", True),
    ("Hei Per Johansen! Takk for at du sier fra.", False),  # the citizen, greeted
    ("Vi ser på saken.\n\nVennlig hilsen\nKari Hansen\nKommunikasjonsenheten", False),  # a signature
    ("Ordfører Kari Hansen svarer på torsdag.", False),  # a person in their public role
    ("Gratulerer til Ole Hansen med kulturprisen!", False),
    ("Sønnen din har ADHD og skal få tilrettelegging.", True),
    ("Hvis du er sykmeldt, gir du bare beskjed til skolen.", False),
    ("Du kan søke om sosialhjelp hos NAV.", False),
    ("Siden dere mottar økonomisk sosialhjelp, får dere redusert pris.", True),
    ("Vi skylder deg et svar, og beklager at det har tatt tid.", False),
    ("Du skylder fortsatt 2 300 kroner på SFO.", True),
    ("Moren din står på venteliste til sykehjemsplass.", True),
    ("Vi har et tilbud til personer med demens og deres pårørende.", False),
    ("Vi ser at du er født 12.03.1984.", True),
    ("Barnevernet har allerede en sak på familien dykkar.", True),
    ("Hærverket på skolen er anmeldt til politiet.", False),
])
def test_personal_data(text: str, flagged: bool) -> None:
    assert ("personal_data" in codes(text)) is flagged, text


def test_the_citizen_answered_by_full_name_is_not_a_third_person() -> None:
    text = "Takk, Kari Hansen, for at du sier fra om gatelyset."
    assert "personal_data" in codes(text)
    assert "personal_data" not in codes(text, citizen_name="Kari Hansen")


def test_only_personal_data_blocks_and_the_span_is_the_number() -> None:
    text = "Som vi allerede har svart: vi fant saken på 12038433154."
    checked = check_reply(text, context_for(FACTS))
    assert checked.blocked
    data = [w for w in checked.warnings if w.code is Code.PERSONAL_DATA]
    assert [text[w.start:w.end] for w in data if w.start is not None] == ["12038433154"]
    assert "12038433154" not in data[0].message  # the message never repeats the data
    assert not check_reply("Det står jo tydelig på nettsidene.").blocked


@pytest.mark.parametrize(("text", "flagged"), [
    ("Søknaden din om barnehageplass er innvilget.", True),
    ("Dessverre blir søknaden om dispensasjon avslått.", True),
    ("Du får refundert hele beløpet.", True),
    ("Klagen din tas til følge.", True),
    ("Du får plass i barnehagen til høsten, det kan vi love.", True),
    ("Du slipper å betale purregebyret.", True),
    ("Kommunen dekker skaden på bilen din.", True),
    ("Søknaden din er innvilga.", True),
    ("Your application has been approved.", True),
    ("Hvis søknaden blir innvilget, får du beskjed i brev.", False),
    ("Vi kan ikke love noe om utfallet, men saksbehandleren tar kontakt.", False),
    ("Alle barn som har rett til plass, får tilbud i hovedopptaket.", False),
    ("Reguleringsplanen ble godkjent av kommunestyret i juni.", False),
    ("Du har rett til å klage på vedtaket innen tre uker.", False),
    ("Du kan søke om refusjon på skjemaet på nettsiden.", False),
    ("Når kommer svaret, og blir søknaden innvilget?", False),  # a question decides nothing
])
def test_case_decision(text: str, flagged: bool) -> None:
    assert ("case_decision" in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "flagged"), [
    ("Det står jo tydelig på nettsidene våre.", True),
    ("Slutt å mase, vi har hørt deg.", True),
    ("Det er ikke vårt problem.", True),
    ("Som vi allerede har svart: tømmingen er torsdag.", True),
    ("Tusen takk for nok en «konstruktiv» kommentar 🙄", True),
    ("LES SAKEN før du kommenterer.", True),
    ("Dette er ikkje vårt problem, du får ta det med huseigaren.", True),
    ("As we have already explained several times, the answer is no.", True),
    ("Vi forstår at du er skuffet, og vi beklager.", False),
    ("Informasjonen står på nettsiden vår under Renovasjon.", False),
    ("NAV og SFO har egne sider.", False),  # abbreviations are not shouting
    ("Det er ikke tillatt å brenne bål, med mindre det er helt åpenbart at det ikke kan føre til brann.", False),
    ("Takk for de fine ordene! 😍", False),
])
def test_tone(text: str, flagged: bool) -> None:
    assert ("tone" in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "flagged"), [
    ("Vi beklager herved ulempene.", True),
    ("Vedrørende brøyting vil dette bli utført i henhold til plan, jf. vedtak.", True),
    ("Ovennevnte tiltak vil bli iverksatt.", True),
    ("Vi vil vurdere hvorvidt det er grunnlag for tiltak.", True),
    ("Søker bes påse at vedleggene er med.", True),
    ("Vi viser til førespurnaden din vedkomande brøyting.", True),
    ("Please be advised that the permit must be obtained.", True),
    ("Vi ber deg sende vedleggene innen fredag.", False),
    ("Du får svar i brev, og fristen står der.", False),
])
def test_plain_language(text: str, flagged: bool) -> None:
    assert ("plain_language" in codes(text)) is flagged, text


def test_a_very_long_sentence_is_plain_language_with_its_span() -> None:
    sentence = ("Vi har sett på saken, og fordi det har kommet mye snø de siste dagene samtidig som flere av "
                "brøytebilene har vært på verksted og vi har hatt sykdom blant mannskapene, har vi ikke rukket å "
                "brøyte alle boligfeltene, men vi regner med å være ferdige i Elvebakken og på Kronstad i "
                "løpet av morgendagen hvis været holder seg.")
    text = f"Hei! {sentence} Takk for tålmodigheten."
    [warning] = [w for w in check_reply(text).warnings if w.code is Code.PLAIN_LANGUAGE]
    assert text[warning.start:warning.end] == sentence
    assert "plain_language" not in codes("Hei! Vi brøyter Elvebakken i dag og Kronstad i morgen tidlig.")


@pytest.mark.parametrize(("text", "language", "flagged"), [
    ("Hei! Biblioteket har åpent til kl. 19 på torsdager. Velkommen innom!", "nn", True),
    ("Hei! Svømmehallen er stengd i romjula. Vi opnar att måndag.", "nb", True),
    ("Hei! Svømmehallen er stengd i romjula. Vi opnar att måndag.", "nn", False),
    ("Takk for at du tek kontakt! Vi har sendt saken videre.", "nn", True),  # mixed
    ("Hi! The pool is closed during the Christmas holidays.", "nb", True),
    ("Hei! Vi har sendt saka di vidare til rett avdeling.", "en", True),
    ("Thanks for your message! We'll look into it.", "en", False),
    ("Takk for meldingen. Vi har sendt den videre.", "se", True),
    ("Bures! Giitu go čálát midjiide. Mii leat sádden du dieđu viidáseappot.", "se", False),
    ("Hei! Biblioteket har åpent til kl. 19 på torsdager.", None, False),  # the citizen's language unknown
    ("Kommunen vil erstatte skaden på gjerdet ditt.", "nn", False),  # valid in both
    ("Skriv til oss på online.no eller www.alta.kommune.no.", "nb", False),  # addresses say nothing
])
def test_language_mismatch(text: str, language: str | None, flagged: bool) -> None:
    assert ("language_mismatch" in codes(text, language)) is flagged, (text, language)


def test_crisis_mode_warns_a_reply_from_an_account_that_is_not_a_crisis_channel() -> None:
    text = "Vi har åpent som vanlig i dag."
    [warning] = check_reply(text, context_for(FACTS, crisis_active=True, crisis_channel=False)).warnings
    assert warning.code is Code.CRISIS_CHANNEL and warning.start is None
    assert FACTS.website in warning.message and FACTS.facebook_page in warning.message
    assert not check_reply(text, context_for(FACTS, crisis_active=True, crisis_channel=True)).warnings
    assert not check_reply(text, context_for(FACTS, crisis_active=False, crisis_channel=False)).warnings


def test_a_hostile_length_is_cut_and_checked_quickly() -> None:
    checked = check_reply("herved " * 200_000, CheckContext())
    assert all((w.end or 0) <= MAX_REPLY_CHARS for w in checked.warnings)


def _filled(template: str) -> str:
    return template.format(municipality=ALTA.municipality, email=ALTA.case_email, web_form=ALTA.case_web_form,
                           postal_address=ALTA.case_postal_address)


def test_every_reply_innboks_itself_writes_passes_the_check() -> None:
    """The triage rules' templates (case forwarding, personal data, moderation, self-harm, feedback,
    out-of-hours acknowledgements) and the packaged saved replies: what the executor sends unasked
    must never be stopped by its own guard, and staff should not see warnings on our own texts."""
    from innboks.inbox.saved_replies import DEFAULTS
    from streams.triage.ruleset import load_ruleset

    replies = load_ruleset().replies
    checked = 0
    for name in type(replies).model_fields:
        for language, template in getattr(replies, name).items():
            result = check_reply(_filled(template), context_for(FACTS, language=language,
                                                                extra_emails=(ALTA.case_email,)))
            assert not result.warnings, (name, language, result.to_json())
            checked += 1
    for title, language, body in DEFAULTS:
        result = check_reply(ALTA.fill(body, "Alta kommune"), context_for(FACTS, language=Language(language)))
        assert not result.warnings, (title, result.to_json())
        checked += 1
    assert checked >= 20
