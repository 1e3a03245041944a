"""``plain_language``: officialese and very long sentences (klarspråk).

The words are Språkrådet's advice for plain Norwegian ("Klarspråk" and its list of words to
replace: herved, vedrørende, ovennevnte, i henhold til, jf., bes, påse, iverksette, hvorvidt …), the
nynorsk forms of the same habits, and the English legalese a municipality falls into. Each row
says what to write instead. A sentence of more than ``LONG_SENTENCE_WORDS`` words is very long:
Språkrådet's advice is 15–20 words on average.
"""

from __future__ import annotations

import re

from innboks.domain.reply_check.model import Code, ReplyWarning
from innboks.domain.reply_check.text import Phrase, PhraseTable, sentences

#: More words than this in one sentence is a very long sentence.
LONG_SENTENCE_WORDS = 40

TABLE = PhraseTable([
    # bokmål and nynorsk
    Phrase(r"herved", "«herved» er kansellistil. Stryk det: «Vi bekrefter …» i stedet for «Vi bekrefter herved …»."),
    Phrase(r"(?:vedrørende|vedr\.|vedkomande)", "Skriv «om» eller «når det gjelder» i stedet for «vedrørende»."),
    Phrase(r"(?:ovennevnte|ovenfor nevnte|overnevnte|førnevnte|tidligere nevnte|ovannemnde|nevnte tiltak|"
           r"nemnde tiltak)", "Gjenta hva det gjelder («fristen», «tiltaket») i stedet for «ovennevnte»."),
    Phrase(r"(?:i henhold til|i hht\.?|iht\.?)", "Skriv «etter», «slik … sier» eller «ifølge» i stedet for "
           "«i henhold til»."),
    Phrase(r"jfr?\.|jamfør", "Forklar sammenhengen med ord («etter», «se») i stedet for «jf.»."),
    Phrase(r"(?:bes|anmodes|vert bed(?:en|ne)|blir bed(?:en|ne))", "Passiv «bes» er stivt: skriv «Vi ber deg …» eller "
           "bare «Send …»."),
    Phrase(r"påse", "Skriv «sørge for» eller «passe på» i stedet for «påse»."),
    Phrase(r"iverks[ae]tt\w*", "Skriv «sette i gang», «starte» eller «gjennomføre» i stedet for «iverksette»."),
    Phrase(r"(?:hvorvidt|kor vidt|korvidt)", "Skriv «om» i stedet for «hvorvidt»."),
    Phrase(r"anmod\w*", "Skriv «be om» i stedet for «anmode»/«anmodning»."),
    Phrase(r"(?:undertegnede|undertegna)", "Skriv «jeg» (eller navnet ditt) i stedet for «undertegnede»."),
    Phrase(r"(?:foreligger|foreligge|føreligg|føreligge)", "Skriv «er klar», «finnes» eller «har» i stedet for "
           "«foreligger»."),
    Phrase(r"(?:tilskrive|tilskriv|tilsende|tilsendt|tilsendes)", "Skriv «skrive til» eller «sende» i stedet for "
           "«tilskrive»/«tilsende»."),
    Phrase(r"til orientering", "Skriv «til informasjon» eller si hva mottakeren skal gjøre."),
    Phrase(r"for ordens skyld", "«For ordens skyld» kan strykes: si det rett ut."),
    Phrase(r"(?:gjøres det oppmerksom|gjøres oppmerksom|gjør oppmerksom|gjer merksam|vert gjort merksam)",
           "Skriv «Merk at …» eller «Husk at …» i stedet for «det gjøres oppmerksom på»."),
    Phrase(r"(?:med hensyn til|med omsyn til|mht\.)",
           "Skriv «om» eller «når det gjelder» i stedet for «med hensyn til»."),
    Phrase(r"samtlige", "Skriv «alle» i stedet for «samtlige»."),
    Phrase(r"(?:besvare|besvares|besvart|besvarer)", "Skriv «svare på» i stedet for «besvare»."),
    Phrase(r"(?:foreta|foretas|foretatt|foretar)", "Skriv «gjøre» eller verbet selv («tømme», «måle») i stedet for "
           "«foreta»."),
    Phrase(r"(?:således|hvorledes)", "Skriv «slik», «derfor» eller «hvordan»."),
    Phrase(r"herunder", "Skriv «blant annet» eller «for eksempel» i stedet for «herunder»."),
    Phrase(r"i påvente av", "Skriv «mens vi venter på» eller «til … er klar»."),
    Phrase(r"(?:opplyses det om|opplyses om|det opplyses|kan med dette opplyse|med dette opplyse|kan vi opplyse)",
           "Si det rett ut: «Saken er …» i stedet for «det opplyses om at saken er …»."),
    Phrase(r"(?:kan rettes til|rettes til undertegnede|kan rettast til)", "Skriv «Har du spørsmål, kan du kontakte …» "
           "i stedet for «spørsmål kan rettes til»."),
    Phrase(r"(?:i medhold av|i medhald av|hjemlet i|heimla i)", "Forklar regelen med vanlige ord i stedet for "
           "«i medhold av»/«hjemlet i»."),
    Phrase(r"(?:fremlagt|fremlegges|framlagt for|fremsette|fremsatt)", "Skriv «lagt fram» eller «komme med»."),
    Phrase(r"(?:angjeldende|nærværende|etterkomme|etterkommes|påberope\w*|tilstrebe\w*|meddele\w*)",
           "Velg et vanlig ord: «denne», «gjøre som du ber om», «vise til», «prøve», «si fra»."),
    Phrase(r"(?:De|Dem|Deres)(?= (?:bes|søknad|henvendelse|anmodning|brev|sak))",
           "Skriv «du», «deg» og «din» i stedet for høflighetsformen «De», «Dem» og «Deres».", case_sensitive=True),
    Phrase(r"(?<=[a-zæøå,] )(?:Deres|Dem)", "Skriv «deg» og «din» i stedet for høflighetsformen «Dem» og «Deres».",
           case_sensitive=True),
    Phrase(r"(?:under handsaming|handsaming av)", "Skriv «vi behandlar» eller «vi ser på» i stedet for «under "
           "handsaming»."),
    Phrase(r"(?:tillater oss å|tillet oss å)", "Skriv rett ut: «Husk at …» i stedet for «vi tillater oss å minne om»."),
    Phrase(r"(?:det presiseres|presiseres det|det understrekes|det bemerkes|det nevnes|det vert presisert)",
           "Passiv kansellistil: skriv «Merk at …» eller si det rett ut."),
    Phrase(r"(?:oss i hende|oss i hende innen|vere oss i hende)", "Skriv «Vi må ha søknaden innen …»."),
    Phrase(r"(?:vi|me) (?:viser|syner) til (?:din|di|deres|Deres|dykkar|ditt|dine) ?(?:\w+)?|"
           r"(?:vi|me) (?:viser|syner) til (?:henvendelsen|førespurnaden|e-posten|brevet|meldinga|meldingen) "
           r"(?:din|di|dykkar|deres|fra deg)",
           "Start med svaret, ikke med «Vi viser til din henvendelse»."),
    Phrase(r"(?:forfaller|forfell) til betaling",
           "Skriv «Du må betale innen …» i stedet for «forfaller til betaling»."),
    Phrase(r"(?:inntrufne|inntrufne situasjonen|inntrådte)",
           "Si hva som skjedde i stedet for «den inntrufne situasjonen»."),
    Phrase(r"(?:per|pr\.) dags dato", "Skriv «nå» eller «i dag» i stedet for «per dags dato»."),
    Phrase(r"(?:avventer|avventes|avvente|avventa|avventar)", "Skriv «venter på» i stedet for «avventer»."),
    Phrase(r"(?:med atterhald om|med forbehold om)",
           "Skriv «hvis …» eller «så lenge …» i stedet for «med forbehold om»."),
    Phrase(r"(?:påregne|påregnes|påreknast|besørge|besørges|forestå|forestås)",
           "Skriv «regne med», «sørge for» eller «ta seg av»."),
    Phrase(r"(?:fremkommer av|fremgår av|framgår av|fremkommer|påløper|påløpe|ilegges|ilagt|rekvirere\w*)",
           "Velg et vanlig ord: «står i», «kommer i tillegg», «må betale», «bestille»."),
    Phrase(r"(?:i sin helhet|hva angår|hva gjelder|med virkning fra|med verknad frå|herav|derav|hvorav|"
           r"i sakens anledning|ad din|ad deres)", "Kansellistil: skriv det enklere («hele», «om», «fra …»)."),
    Phrase(r"(?:vedlagt følger|følger vedlagt|bekreftes mottatt|tas til etterretning|til etterretning)",
           "Skriv rett ut: «Vi har fått …», «Vi legger ved …», «Vi merker oss …»."),
    Phrase(r"vennligst", "«Vennligst» er stivt: skriv «Send oss gjerne …» eller bare «Send …»."),
    Phrase(r"grunnet", "Skriv «på grunn av» eller «fordi» i stedet for «grunnet»."),
    Phrase(r"(?:for øvrig|forøvrig|korrespondanse\w*|innkomne|innkommer|innkommet|innkomme)",
           "Kansellistil: skriv «ellers», «brev og e-post» eller «kommer inn»."),
    Phrase(r"(?:fremkommelighet\w*|framkommelighet\w*|besitter|besitte|henstill\w*|angående|ang\.)",
           "Velg et vanlig ord: «så det er lett å komme fram», «har», «be om», «om»."),
    Phrase(r"(?:det vises til|det vert vist til|det blir vist til|"
           r"(?:vi|me) (?:viser|syner) (?:for øvrig |forøvrig )?til)",
           "Skriv «Se …» eller start med svaret i stedet for «vi viser til»."),
    Phrase(r"(?:det (?:bekreftes|meddeles|anmodes|henstilles)|(?:bekreftes|meddeles) (?:herved|med dette))",
           "Passiv kansellistil: skriv «Vi bekrefter …», «Vi ber deg …»."),
    # Språkrådet's Kansellisten and its list of old words for laws (bokmål; the nynorsk forms beside them)
    Phrase(r"(?:besiktig\w*|beskikke\w*|bevirke\w*|erleggelse\w*|forefinnes|forevis\w*|henstand\w*|likeledes|tillike|"
           r"oppebære\w*|påkrevd|påkravd|underretning\w*|underrett\w*|utferdig\w*|ovenstående|nedenstående|"
           r"beliggende|hjemmehørende|heimehøyrande|saksforholdet|saksforholda|saksforhold|redegjørelse\w*|"
           r"utgreiing av|tiltakshaver\w*|tiltakshavar\w*|hjemmelshaver\w*|heimelshavar\w*|forekomme\w*)",
           "Kansellistil (Språkrådets Kanselliliste): velg et vanlig ord («finnes», «også», «beskjed», «saken», "
           "«forklaring», «du»)."),
    Phrase(r"(?:inneha|innehar|innehas|innehatt|innehava|innehaver\w*|innehavar\w*)",
           "Skriv «ha» eller «har» i stedet for «inneha»."),
    Phrase(r"(?:forbeholde\w*|forbeheld\w*|hensatt\w*|hensette\w*|henstilt|(?:vert|blir|bli|er|blitt) (?:med dette )?"
           r"orientert|orienteres|orienterast|med dette (?:orientert|opplyst|meddelt|varslet|varsla|informert|"
           r"bekreftet|"
           r"stadfesta|gjort|kjent|kunngjort)|(?:gjøres|gjerast|vert gjort|blir gjort) (?:med dette )?kjent|kunngjøres|"
           r"kunngjerast|(?:i|den|det|de|dei|ovenfor|tidligere|tidlegare|over) (?:nevnte|nemnde)(?! (?:en|ei|ein|et|"
           r"eit|"
           r"noe|noko|noen|nokon|at|deg|meg|oss|dere|dykk|han|henne|ho|navnet|namnet|a|an|the|that))|\w+ i hende|"
           r"i hende "
           r"(?:innen|innan|senest|seinast))", "Kansellistil: skriv «vi kan …», «satt igjen», «vi vil fortelle at …», "
           "«dette tidsrommet», «vi må ha … innen»."),
    Phrase(r"(?:ved manglende|ved manglande|ytterligere|ytterlegare|oversend\w*|tilbakeføre\w*)",
           "Skriv «hvis du ikke betaler», «mer», «sende» i stedet for «ved manglende innbetaling», «ytterligere», "
           "«oversende»."),
    Phrase(r"(?:påhvile\w*|påkvile\w*|påligge\w*|påligg|påhviler)",
           "Skriv «… har ansvaret for» eller «… må» i stedet for «det påhviler»."),
    Phrase(r"(?:forelig\w*|førelig\w*|gjeldende|gjeldande|foreliggende)",
           "Partisippformer som «gjeldende» og «foreliggende» er kansellistil: skriv «reglene som gjelder», «det vi "
           "har»."),
    Phrase(r"(?:denne|dette|disse|desse|nevnte|nemnde) (?:sak|søknad|henvendelse|klage|vedtak|brev|dokument|"
           r"forespørsel|"
           r"forhold|førespurnad|tiltak)",
           "«denne sak», «dette vedtak» er gammel stil: skriv «saken», «vedtaket»."),
    Phrase(r"(?:^|(?<=[.!?] )|(?<=\n))(?:man|ein|en) (?:ber|bed|viser|gjør|gjer|minner|tillater|tillet|ønsker|ønskjer|"
           r"anmoder|presiserer|presiserar|understreker|understrekar|vil gjøre|vil gjere|må be|må be om)",
           "Skriv «vi» (og «du») i stedet for det upersonlige «man»/«ein»: «Vi ber deg …»."),
    # nominal style: a verb turned into a noun and an empty verb carrying it ("foreta en vurdering av")
    Phrase(r"(?:foreta\w*|gjennomfør\w*|utfør\w*|iverks\w*|igangsett\w*|igangsatt\w*) (?:en|ei|ein|et|eit) (?:\w+ )?"
           r"(?:vurdering|gjennomgang|kartlegging|undersøkelse|undersøking|evaluering|befaring|behandling|handsaming|"
           r"saksbehandling|kontroll|utbetaling|endring|oppfølging|prioritering)",
           "Substantivstil: skriv verbet selv («vi vurderer», «vi går gjennom») i stedet for «foreta en vurdering»."),
    Phrase(r"(?:bli|blir|vil bli|vere|være|er|vert|vart|ble) (?:\w+ )?gjenstand for|(?:komme|kome|kommer|kjem) til "
           r"(?:anvendelse|bruk|utbetaling)|(?:tas|takast|blir tatt|vert teken) under (?:behandling|handsaming|"
           r"vurdering)|realitetsbehandl\w*|ferdigstill\w*",
           "Substantivstil: skriv enkelt («vi behandler saken», «vi gjør ferdig», «etter hvert»)."),
    Phrase(r"(?:med bakgrunn i|på bakgrunn av|på grunnlag av|med grunnlag i|i lys av|som følge av|som følgje av)",
           "Skriv «fordi», «etter» eller «på grunn av» i stedet for «på bakgrunn av»."),
    Phrase(r"(?:det|der) (?:er|vil være|vil vere|blir|gis|gjevast|vert gjeve) (?:ikke |ikkje |dessverre |diverre )?"
           r"(?:\w+ )?(?:anledning|høve) til|(?:gis|gjevast) (?:\w+ )?(?:anledning|høve|mulighet|moglegheit)",
           "Upersonlig: skriv «Du kan (ikke) …» i stedet for «det er (ikke) anledning til»."),
    Phrase(r"(?:fremmes|fremmet|framsett\w*|fremme (?:en |ei )?(?:søknad|klage|krav|sak)|fremmer (?:en |ei )?"
           r"(?:søknad|klage|krav))", "Skriv «sende» eller «søke» i stedet for «fremme en søknad»."),
    Phrase(r"(?:medføre\w*|medfør|medført|måtte (?:medføre|innebære|føre til|oppstå|ha)|berørte parter|dei berørte "
           r"partane|de berørte partene)",
           "Skriv «føre til» og «de som blir berørt» i stedet for «medføre» og «berørte parter»."),
    Phrase(r"(?:beslutte\w*|besluttet|besluttes|helhetlig vurdering|heilskapleg vurdering|helhetsvurdering\w*)",
           "Skriv «bestemme»/«bestemt» og si hva dere la vekt på, i stedet for «besluttet etter en helhetlig "
           "vurdering»."),
    Phrase(r"(?:snarest|snarast)(?: (?:råd|mulig|mogleg))?|(?:den|det|dei|de) (?:fastsatte|fastsette|fastsett)|"
           r"(?:tar|tek) sikte på|inneværende|inneverande|i tidsrommet|i forkant av|"
           r"i etterkant av",
           "Skriv det enkelt: «så fort som mulig», «fristen», «vil», «i år», «mellom», «før», «etter»."),
    Phrase(r"(?:er|var|blir|vert) å (?:anse|betrakte|regne|rekne|sjå|se) som|anses som|(?:av|av ei|av en) (?:denne|"
           r"slik|"
           r"sådan) art|i besittelse av|besittelse|tilsier|tilseier|følgelig|følgjeleg|(?:avgi|avgje|avgitt|avgjeve) "
           r"(?:en |ei |ein )?(?:uttalelse|uttale|svar|erklæring)",
           "Kansellistil: skriv «er», «slik», «har», «tyder på», «derfor», «svare»."),
    Phrase(r"(?:accede\w*|at this juncture|at this point in time|revert (?:to you|back)?|acknowledge receipt|"
           r"in receipt of|subsequent(?:ly)? to|(?:are|is) (?:hereby )?requested to|receptacles?|we would advise|"
           r"shall (?:not|be)|should you (?:require|wish|have)|facilitate\w*|remit\w*|aforesaid|whilst|"
           r"upon receipt|in order to ensure|with immediate effect)",
           "Stivt engelsk: skriv det enkelt («agree», «now», «reply», «we have received», «after», «please», «bin»)."),
    # English
    Phrase(r"(?:hereby|herewith|hereof|thereof|whereby|forthwith|notwithstanding)",
           "Juridisk engelsk: stryk ordet eller si det rett ut («We confirm …»)."),
    Phrase(r"(?:pursuant to|in accordance with|in respect of|further to)",
           "Stivt engelsk: skriv «under», «about» eller «following»."),
    Phrase(r"(?:aforementioned|aforesaid|above-mentioned)", "Gjenta hva det gjelder («the deadline») i stedet for "
           "«aforementioned»."),
    Phrase(r"(?:please be advised|be advised that|kindly be informed|please be informed|kindly note|please note that|"
           r"kindly)",
           "Stryk «please be advised» og si det rett ut."),
    Phrase(r"(?:refrain from|prior to|commence\w*|in the event that)",
           "Stivt engelsk: skriv «not …», «before», «start» eller «if»."),
    Phrase(r"(?:confirm receipt of|receipt of your)", "Skriv «We have received your …»."),
    Phrase(r"(?:hereinafter|henceforth|heretofore|in lieu of|utili[sz]e\w*|endeavou?r\w*|in due course|"
           r"per our records|the undersigned)", "Stivt engelsk: skriv det enkelt («use», «try», «soon», «we»)."),
    Phrase(r"(?:would like to inform you|wish to inform you|we are writing to inform you|do not hesitate to|"
           r"at your earliest convenience|with reference to|with regard to your|in relation to your)",
           "Stivt engelsk: si det rett ut («The pool is closed …», «Contact us …»)."),
])


#: A passive: "blir behandlet", "vil bli gitt", "må sendes", "skal sendast".
_PASSIVE = re.compile(
    r"(?<!\w)(?:(?:blir|ble|blei|vert|vart|bli|vil bli|skal bli|kan bli|må bli|har blitt|har vorte|er blitt|er vorte)"
    r" (?:ikke |ikkje |\w+ )?(?!ikke|ikkje|det|dette|dei|den|der|noe|noko|mye|mykje|flere|fleire)[a-zæøå]{3,}"
    r"(?:et|t|d|a|e|ne|te|de)|(?:må|skal|kan|bør|vil|skulle|kunne|ønskes) (?:ikke |ikkje |\w+ )?[a-zæøå]{3,}"
    r"(?:es|ast))(?!\w)", re.IGNORECASE)
#: Someone who acts in the sentence: then a passive or two is not an impersonal chain.
_AGENT = re.compile(r"(?<!\w)(?:du|deg|dere|dykk|vi|me|oss|jeg|eg|de|dei|you|we|(?-i:I))(?!\w)", re.IGNORECASE)
#: The heavier passive: "vil bli vurdert", "har blitt sendt", "skal bli gitt".
_PERIPHRASTIC = re.compile(r"(?<!\w)(?:vil|skal|kan|må|har|er|hadde) (?:bli|blitt|vorte|verte)(?!\w)", re.IGNORECASE)


def _passive_chain(sentence: str) -> bool:
    """Two passives or more, one of them "vil bli …", and nobody acting: "Søknaden vil bli vurdert og
    svaret vil bli sendt ut". Plain "Søknaden må sendes innen 1. mars" is left alone."""
    passives = _PASSIVE.findall(sentence)
    return len(passives) >= 2 and any(_PERIPHRASTIC.search(p) for p in passives) and not _AGENT.search(sentence)


#: A noun made of a verb followed by "av": "behandling av", "gjennomgang av", "utarbeiding av".
_NOMINAL = re.compile(r"(?<!\w)\w{3,}(?:ing|ingen|else|elsen|sjon|sjonen|gang|gangen|nad|naden|ering|eringen) av(?!\w)",
                      re.IGNORECASE)
#: Words that open a subordinate clause: three or more in a long sentence make it hard to follow.
_SUBORDINATE = re.compile(r"(?<!\w)(?:som|der|hvor|kor|hvilket|hvilken|at|ettersom|idet|dersom|fordi|slik at|noe som|"
                          r"noko som|which|whereby|whom)(?!\w)", re.IGNORECASE)
#: A sentence this long with that many subordinate clauses is nested.
NESTED_WORDS, NESTED_CLAUSES = 28, 3


def check(text: str) -> list[ReplyWarning]:
    found = [ReplyWarning(Code.PLAIN_LANGUAGE, phrase.message, match.start(), match.end())
             for phrase, match in TABLE.find(text)]
    for sentence in sentences(text):
        if sentence.words > LONG_SENTENCE_WORDS:
            found.append(ReplyWarning(
                Code.PLAIN_LANGUAGE, f"Setningen har {sentence.words} ord. Del den opp: setninger på 15–20 ord er "
                "lettere å lese.", sentence.start, sentence.end))
        elif sentence.words > NESTED_WORDS and len(_SUBORDINATE.findall(sentence.text)) >= NESTED_CLAUSES:
            found.append(ReplyWarning(
                Code.PLAIN_LANGUAGE, f"Setningen har {sentence.words} ord og flere innskutte ledd. Del den opp i "
                "korte setninger med én opplysning hver.", sentence.start, sentence.end))
        elif _passive_chain(sentence.text):
            found.append(ReplyWarning(
                Code.PLAIN_LANGUAGE, "Flere passive verb uten at noen handler («vil bli behandlet», «må sendes»). "
                "Skriv hvem som gjør hva: «Vi behandler søknaden …», «Send …».", sentence.start, sentence.end))
        elif len(_NOMINAL.findall(sentence.text)) >= 2:
            found.append(ReplyWarning(
                Code.PLAIN_LANGUAGE, "Substantivstil («gjennomgang av», «behandling av»). Bruk verb: «Vi går "
                "gjennom …», «Vi behandler …».", sentence.start, sentence.end))
    return found
