"""The reply check's families of phrasing (issue #29, generalisation): each row is one member of a
family (blaming the citizen for not reading, repetition, ironic politeness, entitlement, nominal
style, a sensitive fact about a person …) and the clean replies that sit near it. Table-driven: a
new member of a family is a new row."""

from __future__ import annotations

import pytest

from innboks.config.facts import load_facts
from innboks.domain.reply_check import check_reply, context_for
from schemas import Language

FACTS = load_facts()


def codes(text: str, language: str | None = None) -> set[str]:
    checked = check_reply(text, context_for(FACTS, language=Language(language) if language else None))
    return {warning.code.value for warning in checked.warnings}


@pytest.mark.parametrize(("text", "flagged"), [
    # blaming the citizen for not reading or knowing
    ("Hadde du sjekket kalenderen, hadde du sett at tømmingen var flyttet.", True),
    ("Viss du hadde lese brevet, hadde du visst det.", True),
    ("If you had checked the website, you would know.", True),
    ("Du kunne jo ringt oss i åpningstiden.", True),
    ("Du må nesten lese vilkårene selv.", True),
    ("Du har tydeligvis ikke fått med deg endringen.", True),
    ("Dette er visst vanskelig for noen.", True),
    ("Kor vanskeleg kan det vere å sortere glas?", True),
    ("Du har misforstått regelen.", True),
    ("Scroll opp, så finner du svaret.", True),
    ("Med all respekt, du tar feil.", True),
    ("Kjære deg, vi brøyter så fort vi kan.", True),
    # repetition and impatience
    ("For femte gang: parkeringen er stengt.", True),
    ("Igjen: vi behandler ikke saker her.", True),
    ("Vi har sagt dette mange ganger.", True),
    ("Som nevnt i går er hallen stengt.", True),
    ("As we have already explained, the road is closed.", True),
    ("Vi svarer når vi har tid.", True),
    ("Senk skuldrene litt, det ordner seg.", True),
    # ironic politeness and sarcasm markers
    ("Tja, det kan du jo mene.", True),
    ("Takk for foredraget.", True),
    ("Takk for at du tar deg tid til å klage på alt.", True),
    ("Skal vi hente søpla for deg også?", True),
    ("Beklager at du føler det sånn.", True),
    ("Sorry you feel that way.", True),
    ("Du er hjertelig velkommen til å gjøre det bedre selv.", True),
    # refusing responsibility
    ("Det er ikke vår jobb.", True),
    ("Vi har ikke noe med det.", True),
    ("Det får du finne ut av selv.", True),
    ("We are not here to babysit you.", True),
    ("Du kan ikke forvente svar på søndag.", True),
    ("Ingen har lovet deg plass.", True),
    ("Vi har null forståelse for slikt.", True),
    # suggesting the citizen do better, minimising, lecturing, closing the thread
    ("Vi gjør jobben vår. Kanskje du skal gjøre din?", True),
    ("Da kan du kanskje søke jobb hos oss 😉", True),
    ("Et hull i veien er ikke verdens undergang.", True),
    ("Det var mykje oppstyr for ein parkeringsbot.", True),
    ("Nok en gang må vi minne om reglene.", True),
    ("Du skal ikke tro alt du leser på nettet.", True),
    ("Hvilken del av «stengt» er det du ikke forstår?", True),
    ("Dette er ikke en klagemur.", True),
    ("Vi lar tråden ligge nå.", True),
    ("Har du ikke lest innlegget?", True),
    ("Hvorfor ringte du ikke legevakten?", True),
    ("Du har jo fått brev om dette.", True),
    ("Det er ikke vi som har laget reglene.", True),
    ("Bra for deg.", True),
    # capitals and exclamation runs
    ("Det er IKKE lov å parkere her.", True),
    ("Fristen var i går!!", True),
    ("Hva mener du?!", True),
    # near them, clean
    ("Hei igjen! Takk for oppdateringen.", False),
    ("Igjen takk for tålmodigheten.", False),
    ("Once again, thank you for your patience.", False),
    ("Tusen takk!! Så hyggelig 🎉", False),
    ("Hvis du vil lese mer, finner du det på nettsiden.", False),
    ("Du kan ringe oss i åpningstiden.", False),
    ("Dette er ikke en sak for oss, men for fylket. Vi har sendt den videre.", False),
    ("Vi har ikke noe med strømprisene å gjøre, men NAV kan hjelpe.", False),
    ("Vi tar dette på alvor.", False),
    ("Festivalen arrangeres for tredje gang i år.", False),
    ("NAV og SFO har egne nettsider.", False),
    ("Det har flommet flere ganger før, så vi følger med.", False),
    ("Kanskje du kan prøve å logge inn på nytt?", False),
    ("Har du sjekket om sikringen har gått?", False),
    ("Hvorfor ikke ta en tur innom biblioteket?", False),
    ("Vi svarer ikke på enkeltsaker her, men send oss en e-post.", False),
    ("Du har allerede fått svar på e-post, men vi svarer gjerne her også.", False),
])
def test_tone_families(text: str, flagged: bool) -> None:
    assert ("tone" in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "flagged"), [
    ("Du har krav på refusjon av gebyret.", True),
    ("Dere har rett på redusert foreldrebetaling.", True),
    ("You're entitled to a full refund.", True),
    ("Vi har nå godkjent søknaden din.", True),
    ("Vi har etter en ny vurdering kommet fram til at du får dispensasjon.", True),
    ("Kommunen kommer til å betale for reparasjonen.", True),
    ("Du får beholde plassen på sykehjemmet.", True),
    ("Sønnen din kommer inn på Komsa barnehage i august.", True),
    ("Du slipper purregebyret.", True),
    ("Saken din er avgjort.", True),
    ("Søknaden din vert innvilga.", True),
    ("Gebyret ditt vil bli refundert.", True),
    # near them, clean
    ("Du har rett til å klage på vedtaket.", False),
    ("Du har rett i det, og vi beklager.", False),
    ("Når søknaden er behandlet, får du svar.", False),
    ("Hvis klagen blir tatt til følge, får du pengene tilbake.", False),
    ("Saken din er ikke avgjort ennå.", False),
    ("Kommunestyret har vedtatt å bygge ny skole.", False),
    ("Takk for beskjed. Vi har slettet kommentaren og anmeldt forholdet.", False),  # moderation, not a case
    ("Vi har sett på fakturaen din, og den blir trukket tilbake.", True),
    ("We can offer you respite care from March.", True),
])
def test_case_decision_families(text: str, flagged: bool) -> None:
    assert ("case_decision" in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "flagged"), [
    ("Det gjelder andre regler for denne sak.", True),
    ("Etter gjeldende regler kan du ikke bygge her.", True),
    ("Ein ber om at søknaden kjem inn i tide.", True),
    ("Vi vil foreta en vurdering av saken.", True),
    ("Saken vil bli gjenstand for behandling i utvalget.", True),
    ("På bakgrunn av dette kan vi ikke gi tillatelse.", True),
    ("Det er ikke anledning til å parkere her.", True),
    ("Dette kan medføre forsinkelser.", True),
    ("Det er besluttet å stenge badet.", True),
    ("Send søknaden snarest.", True),
    ("We shall not consider late applications.", True),
    ("Søknaden vil bli vurdert og svaret vil bli sendt ut i posten innen fristen.", True),  # impersonal passives
    ("Utarbeiding av planen og behandling av innspillene tar tid.", True),  # nominal style
    # near them, clean
    ("Vi ser på saken og svarer deg i løpet av uka.", False),
    ("Søknaden din blir behandlet i april.", False),
    ("Opptaket skjer fortløpende.", False),
    ("Du får svar innen utgangen av april.", False),
    ("Man kan parkere gratis etter kl. 17.", False),
    ("Selvfølgelig kan du ta med hunden.", False),
])
def test_plain_language_families(text: str, flagged: bool) -> None:
    assert ("plain_language" in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "flagged"), [
    ("Vi vet at mor di har fått demensdiagnose.", True),
    ("Heimesjukepleia kjem oftare til far din no.", True),
    ("Vi har snakket med NAV om sosialhjelpen din.", True),
    ("Du står fortsatt med 3 200 kroner ubetalt.", True),
    ("Gutten din har hatt mye fravær i høst.", True),
    ("Naboen din har levert en klage på deg.", True),
    ("Leiligheten din i Storgata 12 B er feil registrert.", True),
    ("Hei! Jonas Hansen, som bor ved siden av deg, har fått avslag.", True),
    ("We know you've been struggling with depression.", True),
    ("Sønnen din er meldt til barnevernet.", True),
    # near them, clean
    ("Du kan lese mer om demens på nettsiden vår.", False),
    ("Fakturaen går til inkasso hvis den ikke blir betalt.", False),
    ("Vi kan hjelpe dere med søknad om avlastning.", False),
    ("Takk! Vi er glade for at dere er fornøyde med hjemmetjenesten.", False),
    ("Kulturhuset har trinnfri adkomst, så du kommer inn med rullestol.", False),
    ("Alle som mottar sosialhjelp, kan søke om redusert pris.", False),
    ("Hei Jonas Hansen, takk for at du sier fra.", False),
])
def test_personal_data_families(text: str, flagged: bool) -> None:
    assert ("personal_data" in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "language", "flagged"), [
    ("Ikke noe problem!", "nn", True),
    ("Bare hyggelig!", "nn", True),
    ("Vi sjekker det nå.", "nn", True),
    ("Vi har sjekket dette, og fristen står.", "nn", True),
    ("Berre hyggeleg!", "nb", True),
    ("Me ser på det.", "nb", True),
    ("Eg skal sjekke.", "nb", True),
    ("Hei! Vi ser at du mottar brev fra oss.", "nb", False),  # "mottar" is bokmål, not the nynorsk -ar
    ("Hei igjen! Vi har sjekka, og vegen vert brøyta i kveld.", "nn", False),
    ("Vi ser på det.", "nn", False),  # the same in both standards
    ("Vi ser på det.", "en", True),
    ("Takk for meldingen!", "se", True),  # Norwegian only, to a Sámi message
])
def test_language_mismatch_short_replies(text: str, language: str, flagged: bool) -> None:
    assert ("language_mismatch" in codes(text, language)) is flagged, text


@pytest.mark.parametrize(("text", "code", "flagged"), [
    # added after holdout-d's one run (tone 0 of 11): families, each with a clean neighbour
    ("Det er du som velger å bo langt ute.", "tone", True),
    ("Det er du som bestemmer om du vil søke.", "tone", True),
    ("Det er ikke rart du ikke fikk svar, når du skrev til feil adresse.", "tone", True),
    ("Det er ikke rart du er lei, vi forstår det godt.", "tone", False),
    ("Neste gang kan du jo spørre først.", "tone", True),
    ("Neste gang kan du bruke skjemaet, så går det raskere.", "tone", False),
    ("Det hjelper ikke å skrive i store bokstaver.", "tone", True),
    ("Fristen kommer ikke akkurat som en overraskelse.", "tone", True),
    ("Alt er visst kommunens skyld.", "tone", True),
    ("Vi har ikke tenkt å bruke mer tid på dette.", "tone", True),
    ("Vi kan ikkje trylle fram meir mannskap.", "tone", True),
    ("We get it. The road is closed.", "tone", True),
    ("Du må rekne med noko ventetid i sommar.", "tone", False),
    ("Søknaden om utvidet SFO-plass er i orden.", "case_decision", True),
    ("Vi kommer til å erstatte sykkelen.", "case_decision", True),
    ("Kommunen vil dekke utgiftene for alle som ble rammet.", "case_decision", False),
    ("Du har fått ja på søknaden.", "case_decision", True),
    ("Vi sier opp leieavtalen fra 1. mai.", "case_decision", True),
    ("Det påhviler eieren å rydde fortauet.", "plain_language", True),
    ("Kjæresten din sier dere skal flytte fra kommunal bolig.", "personal_data", True),
    ("Broren din er ikke lenger i barnevernets omsorg.", "personal_data", True),
    ("Kommunen har kommunale boliger til utleie; du søker på nettsiden.", "personal_data", False),
])
def test_families_after_holdout_d(text: str, code: str, flagged: bool) -> None:
    assert (code in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "code", "flagged"), [
    # added after holdout-e's one run (tone 1 of 11): the citizen's conduct held against them, and neighbours
    ("Vi kan ikke gjøre noe med at du ikke leste e-posten.", "tone", True),
    ("Det er ikkje vår skuld at du ikkje fekk med deg fristen.", "tone", True),
    ("Om du hadde møtt opp på møtet, hadde du fått svar.", "tone", True),
    ("Hvis du hadde lyst til å komme, er du velkommen neste gang.", "tone", False),
    ("Vi beklager at du ikke fikk svar i tide.", "tone", False),
    ("Hadde det vært så enkelt, hadde vi gjort det.", "tone", True),
    ("Så hyggelig at du endelig har funnet veien hit.", "tone", True),
    ("Folk som klager på brøytingen, kan jo måke selv.", "tone", True),
    ("Vi vet ikke hva du forventer at vi skal gjøre.", "tone", True),
    ("Fortell oss gjerne hva du forventer av møtet.", "tone", False),
    ("Vi har meir enn nok å gjere.", "tone", True),
    ("How many more ways can we say this?", "tone", True),
    ("Fint, da er vi to som syns det.", "tone", True),
    ("Du trenger ikke å betale for å bruke ladestasjonen.", "case_decision", False),
    ("Your application for a housing grant has gone through.", "case_decision", True),
    ("Vi ordnar med assistent på skulen til sonen din.", "case_decision", True),
    ("Kommunen forbeholder seg retten til å fjerne sykler.", "plain_language", True),
    ("Det vert med dette orientert om at plassen er stengd.", "plain_language", True),
])
def test_families_after_holdout_e(text: str, code: str, flagged: bool) -> None:
    assert (code in codes(text)) is flagged, text


@pytest.mark.parametrize(("text", "code", "flagged"), [
    # added after holdout-f's one run (tone 2 of 11, personal data 1 of 6, case 5 of 9)
    ("Vi svarer i tur og orden, uansett hvor mange ganger du purrer.", "tone", True),
    ("Vi registrerer at du er misfornøyd, for tiende gang denne uka.", "tone", True),
    ("Snøen faller ikke etter din timeplan.", "tone", True),
    ("Det er faktisk vi som har fagkunnskapen.", "tone", True),
    ("Det er nok ikkje så dramatisk som du skal ha det til.", "tone", True),
    ("Vet ikke hva mer vi kunne gjort.", "tone", True),
    ("Tror du at du kan gjøre en bedre jobb, kan du søke.", "tone", True),
    ("Vi tilpasser tiden etter ditt ønske.", "tone", False),
    ("Sykehjemmet sier at faren din er blitt mye dårligere.", "personal_data", True),
    ("Dere får gratis SFO fordi dere har lav inntekt.", "personal_data", True),
    ("Naboen din i Gamle Kåfjordvei 8 har klaget.", "personal_data", True),
    ("Sidan du er ufør, får du redusert pris.", "personal_data", True),
    ("Eleven som ble skadet, heter Lina Solberg.", "personal_data", True),
    ("Ved manglende innbetaling går kravet til inkasso.", "personal_data", False),
    ("Barna dine har fått gratis SFO.", "case_decision", True),
    ("Alle elever i 1. klasse får gratis SFO 12 timer i uka.", "case_decision", False),
    ("We've agreed to cover the cost of the fence.", "case_decision", True),
    ("Vi har bestemt oss for å gi deg en ny frist.", "case_decision", True),
    ("Your home care visits will be reduced to twice a week.", "case_decision", True),
    ("Det gjøres med dette kjent at vannet stenges.", "plain_language", True),
    ("Klagen må være kommunen i hende innen tre uker.", "plain_language", True),
    ("Ved manglende innbetaling sendes kravet videre uten ytterligere varsel.", "plain_language", True),
    ("Flott, da ordner vi det!", "language_mismatch", True),
])
def test_families_after_holdout_f(text: str, code: str, flagged: bool) -> None:
    language = "nn" if code == "language_mismatch" else None
    assert (code in codes(text, language)) is flagged, text


@pytest.mark.parametrize(("text", "code", "flagged"), [
    # fourth round (outside-1..3): personal data as a sensitive fact of a category tied to a person
    ("Fastlegen din har sendt henvisningen til psykiatrisk poliklinikk.", "personal_data", True),
    ("Spør fastlegen din om henvisning til fysioterapeut.", "personal_data", False),
    ("Faren din får dialyse tre dager i uka.", "personal_data", True),
    ("Dialysen på sykehuset har egne parkeringsplasser.", "personal_data", False),
    ("Your blood test results came back fine.", "personal_data", True),
    ("Blood tests are taken at the health centre on weekdays.", "personal_data", False),
    ("Vi har sagt fra til legevakten at du har brystsmerter.", "personal_data", True),
    ("Har du brystsmerter, ring 113 med en gang.", "personal_data", False),
    ("Svogeren din sliter med spilleavhengighet.", "personal_data", True),
    ("Vi bekrefter at din mor får langtidsplass fra mars.", "personal_data", True),
    ("Spørsmål om langtidsplass tar du med tildelingskontoret.", "personal_data", False),
    ("Vi gir deg medhold, og avslaget på brukerstyrt personlig assistanse blir omgjort.", "personal_data", True),
    ("Vi kan hjelpe deg med søknad om brukerstyrt personlig assistanse.", "personal_data", False),
    ("Saka om guten din hos barnevernet er ikkje lukka enno.", "personal_data", True),
    ("Er du bekymra for eit barn, kan du melde frå til barnevernet.", "personal_data", False),
    ("Politiet har vært hos naboen din to ganger i helga.", "personal_data", True),
    ("Politiet har vært på stedet og sperret av veien.", "personal_data", False),
    ("Your son has been absent 14 days this term.", "personal_data", True),
    ("Pupils who are absent must bring a note from home.", "personal_data", False),
    ("Eiendomsskatten for Fjellveien 12 står fortsatt ubetalt.", "personal_data", True),
    ("Eiendomsskatten forfaller 20. mars og 20. september.", "personal_data", False),
    ("Dere skylder for to terminer renovasjonsgebyr.", "personal_data", True),
    ("Vi skylder deg et svar, og beklager ventetiden.", "personal_data", False),
    ("Du har fortsatt ikke betalt de tre siste fakturaene.", "personal_data", True),
    ("Hvis fakturaen ikke er betalt innen fristen, sender vi en purring.", "personal_data", False),
    ("Det er registrert ulovlig bygging på gnr. 22 bnr. 145.", "personal_data", True),
    ("Saken har nummer 24/1873, gnr. 12 bnr. 345.", "personal_data", False),
    ("Skriv gårds- og bruksnummer i søknaden.", "personal_data", False),
    ("Brøytebilen er sendt til deg i Gamle Kåfjordvei 14 nå.", "personal_data", True),
    ("Hei Anna! Vi kan dessverre ikke diskutere helsespørsmål her.", "personal_data", False),
    ("8-åringen din ble påkjørt og er utskrevet fra sykehuset.", "personal_data", True),
    ("Beklager at bilen din ble skadet i brøytingen.", "personal_data", False),
    ("Eiendomsskatten kan betales til kommunens kontonummer 4740 15 12345.", "personal_data", False),
    ("Barnevernvakta når du hele døgnet på 478 00 450.", "personal_data", False),
    ("Du trenger ingen henvisning for å bestille time.", "personal_data", False),
    # after fresh-d/e's one run: guidance with the topic first and "du" after the verb
    ("Trygghetsalarm søker du om hos tildelingskontoret.", "personal_data", False),
    ("Friplass kan du søke om hvis husstanden har lav inntekt.", "personal_data", False),
    # the packaged facts' own suggestion (test_suggestions): "you" who will find something is anyone
    ("You will find information about the child welfare service at our website.", "personal_data", False),
    ("Vi ser at du har lav inntekt, så friplassen er din.", "personal_data", True),
    # case decisions
    ("Dispensasjonen går gjennom, dere kan begynne å grave.", "case_decision", True),
    ("Dispensasjonen kan gå gjennom hvis naboene ikke har merknader.", "case_decision", False),
    ("Takstnemnda kommer til å sette ned taksten på huset ditt.", "case_decision", True),
    ("Takstnemnda behandler klager på taksten i mai.", "case_decision", False),
    ("Renovasjonsgebyret ditt blir halvert fra neste termin.", "case_decision", True),
    ("Kulturmidlene: dere får 25 000 til festivalen.", "case_decision", True),
    ("Du får 10 % rabatt med studentbevis.", "case_decision", False),
    ("Dere får hallen hele helga, det er ordnet!", "case_decision", True),
    ("Du får leie hallen via bookingsystemet.", "case_decision", False),
    ("Dottera di får byte skule til Elvebakken frå januar.", "case_decision", True),
    ("Vi krediterer deg selvfølgelig for bildet.", "case_decision", False),
    ("Kommentaren er slettet fordi den nevnte en annen person.", "case_decision", False),
    # tone
    ("Dunken sto ikke ute. Så nei.", "tone", True),
    ("Parkerer du i gangfeltet får du bot, enkelt og greit.", "tone", True),
    ("Skiltet står der av en grunn.", "tone", True),
    ("Vi har tre strøbiler og 200 km vei. Gjør matematikken selv.", "tone", True),
    ("Det er ikke kommunens ansvar. Ta det med fylket.", "tone", True),
    ("Det er fylket som har ansvaret, og vi har sendt meldingen videre til dem.", "tone", False),
    ("Vi har svart deg på PM. Tre ganger.", "tone", True),
    ("Det vises til tidligere svar i tråden.", "tone", True),
    ("Se forrige innlegg for kart over omkjøringen.", "tone", False),
    ("We must reiterate that we are under no obligation to respond.", "tone", True),
    ("Vi minner igjen om at påmeldingsfristen er fredag.", "tone", False),
    ("Vær så snill å slutte å tagge oss i alt.", "tone", True),
    ("Du kan stoppe abonnementet på Min side.", "tone", False),
    ("Du kan ringe oss hver dag mellom 8 og 15.", "tone", False),
    ("Vi forventer at folk holder styr på fristene sine selv.", "tone", True),
    ("Vi regner med at du får svar innen fredag.", "tone", False),
    ("Spekulasjonene er lite konstruktive, for å si det forsiktig.", "tone", True),
    ("Please use the proper channels, as any reasonable person would.", "tone", True),
    ("Påstandene bygger på manglende kjennskap til saken.", "tone", True),
    ("Mange har lite kunnskap om ordningen, så vi minner om den her.", "tone", False),
    ("Det var åpenbart en feil fra vår side, og vi beklager.", "tone", False),
    ("Litt tålmodighet hadde vært fint!", "tone", True),
    ("Det hadde vært fint om du sendte oss adressen på melding.", "tone", False),
    ("Hvis alle hadde måkt sin egen snø, hadde vi vært ferdige.", "tone", True),
    ("Hvis noen har sett noe, ta kontakt med politiet.", "tone", False),
    ("Ok. Da får du bare ringe sentralbordet.", "tone", True),
    ("Da får du svar innen en uke.", "tone", False),
    ("Bare så det er sagt: vi driver ikke leksehjelp.", "tone", True),
    ("Stopp gjerne innom biblioteket og hent skjemaet.", "tone", False),
])
def test_families_after_outside(text: str, code: str, flagged: bool) -> None:
    assert (code in codes(text)) is flagged, text
