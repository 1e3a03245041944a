"""``plain_language``: officialese and very long sentences (klarspråk).

The words are Språkrådet's advice for plain Norwegian ("Klarspråk" and its list of words to
replace: herved, vedrørende, ovennevnte, i henhold til, jf., bes, påse, iverksette, hvorvidt …), the
nynorsk forms of the same habits, and the English legalese a municipality falls into. Each row
says what to write instead. A sentence of more than ``LONG_SENTENCE_WORDS`` words is very long:
Språkrådet's advice is 15–20 words on average.
"""

from __future__ import annotations

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


def check(text: str) -> list[ReplyWarning]:
    found = [ReplyWarning(Code.PLAIN_LANGUAGE, phrase.message, match.start(), match.end())
             for phrase, match in TABLE.find(text)]
    for sentence in sentences(text):
        if sentence.words > LONG_SENTENCE_WORDS:
            found.append(ReplyWarning(
                Code.PLAIN_LANGUAGE, f"Setningen har {sentence.words} ord. Del den opp: setninger på 15–20 ord er "
                "lettere å lese.", sentence.start, sentence.end))
    return found
