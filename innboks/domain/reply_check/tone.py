"""``tone``: dismissive, rude or sarcastic phrasing.

The guideline: "Alle henvendelser bør besvares med en høflig tone. Også de negative." The table
holds what makes a reply talk down to the citizen: pointing out that it is obvious ("det står jo
tydelig på nettsidene"), that we have said it before ("som vi allerede har svart"), that it is not
our problem, telling them to stop ("slutt å mase"), mockery (scare quotes, laughter, eye-rolling
emoji) and shouting in capitals. Each row says what to do instead.
"""

from __future__ import annotations

import re

from innboks.domain.reply_check.model import Code, ReplyWarning
from innboks.domain.reply_check.text import Phrase, PhraseTable, without_overlaps

_OBVIOUS = ("Svaret sier at det burde vært åpenbart for innbyggeren. Gi heller informasjonen vennlig, gjerne med "
            "lenke: «Du finner det på …».")
_REPEATED = ("Svaret minner innbyggeren om at det er sagt før. Svar på nytt, vennlig, uten å påpeke det.")
_NOT_OURS = ("Svaret avviser innbyggeren. Si heller hvem som kan hjelpe og hvordan de kan nås.")
_STOP = ("Svaret ber innbyggeren holde munn. Takk for henvendelsen og svar saklig, også når den er negativ.")
_MOCKING = ("Svaret kan oppfattes som hån eller ironi. Skriv vennlig og saklig, også til negative innlegg.")
_BLAME = ("Svaret legger skylden på innbyggeren. Forklar heller hva som gjelder og hva de kan gjøre nå.")
_RUDE = ("Svaret er uhøflig. Kommunens svar skal være høflige, også til negative henvendelser.")

TABLE = PhraseTable([
    # obvious / read it yourself
    Phrase(r"(?:det|dette|som det) står (?:jo |da |faktisk )?(?:helt )?(?:tydelig|klart|tydeleg|svart på hvitt|"
           r"klart og tydelig|klart og tydeleg)", _OBVIOUS),
    Phrase(r"står jo (?:på|i|tydelig|tydeleg|klart)", _OBVIOUS),
    Phrase(r"(?:hvis|viss|om) du (?:bare |berre )?(?:gidder|gidd|hadde gidd|hadde giddet|orker|hadde lest|les|leser|"
           r"hadde sjekket|hadde sjekka|hadde fulgt med|hadde følgt med)", _OBVIOUS),
    Phrase(r"hadde du (?:bare |berre )?(?:lest|sjekket|sjekka|fulgt med|følgt med)", _OBVIOUS),
    Phrase(r"(?:les|lese|sjekk) (?:nettsiden|nettsidene|nettsida|saken|saka|brevet|informasjonen|innlegget|"
           r"vedtaket)(?: (?:før|først|selv|sjølv|da|nå|no)\b)?[.!]", _OBVIOUS),
    Phrase(r"(?:LES|SJEKK) [A-ZÆØÅ]{3,}", _OBVIOUS, case_sensitive=True),
    Phrase(r"(?:det er (?:bare|berre) å lese|før du (?:spør|spør oss|kommenterer|klager|skriv|skriver))", _OBVIOUS),
    Phrase(r"(?:burde|bør) (?:du |dere |de )?(?:egentlig |eigentleg |jo )?(?:vite|visst|veta|kjenne til)"
           r"(?: \w+)?(?: selv| sjølv)?", _OBVIOUS),
    Phrase(r"(?:er jo|jo helt|jo heilt|da helt|vel helt) (?:åpenbart|opplagt|openbert|innlysende|innlysande)|"
           r"(?:helt|heilt) (?:åpenbart|opplagt|openbert)(?=[.!])", _OBVIOUS),
    Phrase(r"(?:vel|jo) ikke så (?:vanskelig|vanskeleg|komplisert)|(?:vel|jo) ikkje så (?:vanskeleg|vanskelig)|"
           r"ikke (?:så |særlig )?vanskelig å (?:forstå|skjønne|finne)|"
           r"ikkje (?:så )?vanskeleg å (?:forstå|skjøne|finne)",
           _OBVIOUS),
    Phrase(r"(?:vanskelig|vanskeleg) for deg å (?:forstå|skjønne|skjøne)", _OBVIOUS),
    Phrase(r"(?:alle andre|alle andre har) (?:har )?(?:klart|greid|funnet|funne|skjønt|forstått)", _OBVIOUS),
    Phrase(r"(?:it'?s|it is) (?:literally|clearly|right there|all) (?:on|in|stated)", _OBVIOUS),
    Phrase(r"(?:try reading|read (?:the|our) (?:website|post|letter|information)(?: first)?[.!]|if you had (?:read|"
           r"bothered)|as the \w+ clearly says|clearly (?:says|states)|obviously)", _OBVIOUS),
    Phrase(r"not that (?:hard|difficult)|not rocket science", _OBVIOUS),
    # said before
    Phrase(r"som (?:vi |det )?(?:allerede|alt|tidligere|tidlegare|før|flere ganger|fleire gonger|mange ganger) "
           r"(?:har )?(?:svart|sagt|skrevet|skrive|forklart|informert|opplyst|nevnt|nemnt|påpekt)", _REPEATED),
    Phrase(r"som (?:vi )?(?:har )?(?:svart|sagt|skrevet|skrive|forklart|informert) (?:\w+ ){0,2}(?:flere|fleire|mange|"
           r"tre|fire|x) (?:ganger|gonger)", _REPEATED),
    Phrase(r"(?:flere|fleire|mange) (?:ganger|gonger) (?:allerede|alt|allereie|før|tidligere)", _REPEATED),
    Phrase(r"(?:nok en gang|nok ein gong|for (?:n-te|ørtende|femtende|tiende|tjuende|hundrede) gang|igjen og igjen|"
           r"atter en gang)"
           r"(?:[:,!]| \w+ er)", _REPEATED),
    Phrase(r"(?:har|har vi) (?:informert|skrevet|skrive|sagt|opplyst) om (?:dette |det )?i (?:ukevis|vekevis|"
           r"månedsvis|månadsvis|lang tid)", _REPEATED),
    Phrase(r"skriv det (?:ned|bak øret)", _REPEATED),
    Phrase(r"(?:as (?:we|we've|we have) (?:already|previously) (?:said|explained|told|stated|written|answered)|"
           r"(?:several|many) times (?:already|before)|posted (?:this |it )?(?:several|many) times|once again:)",
           _REPEATED),
    Phrase(r"(?:vi )?(?:har )?(?:svart|sagt|skrevet|skrive|forklart|informert) (?:på |om )?(?:dette|det|det samme|"
           r"dette spørsmålet) (?:før|tidligere|tidlegare|allerede|allereie|alt|mange ganger|mange gonger)", _REPEATED),
    Phrase(r"(?:andre|tredje|fjerde|femte|n-te) (?:gang|gong|gangen|gongen) (?:du|dere|de) (?:spør|spør om|skriver|"
           r"skriv|klager|klagar|maser)", _REPEATED),
    Phrase(r"(?:vi |du |dere )?(?:forstår|skjønner|skjønar) (?:ikke|ikkje) (?:hva|kva) (?:du|dere|de) "
           r"(?:klager|klagar|maser|mener|meiner|vil|snakker|snakkar)", _NOT_OURS),
    Phrase(r"(?:trodde|trudde|regnet med at|rekna med at) alle (?:visste|vet|veit|kjente til|har fått med seg)|"
           r"som alle (?:vet|veit|vel vet)", _OBVIOUS),
    Phrase(r"(?:lese|les) (?:deg|dykk|dere) opp", _OBVIOUS),
    Phrase(r"før (?:du|dere|de) (?:uttaler|uttalar|kommenterer|kommenterar|skriver|skriv|klager|klagar|spør)"
           r"(?: (?:deg|dykk|dere|oss))?", _OBVIOUS),
    Phrase(r"(?:faktisk|egentlig|eigentleg) (?:ikke|ikkje) så (?:vanskelig|vanskeleg|komplisert)", _OBVIOUS),
    Phrase(r"(?:du er|de er|dere er) (?:ikke|ikkje) (?:den eneste|den einaste|alene|åleine)", _BLAME),
    Phrase(r",? vet du[.!]|,? veit du[.!]|,? you know[.!]", _BLAME),
    Phrase(r"det kan (?:du|dere|de) (?:bare |berre )?(?:glemme|gløyme)|forget it", _STOP),
    Phrase(r"(?:vente|stå i kø|ta det|finne deg i det) som alle andre", _BLAME),
    Phrase(r"(?:hvis|viss|om|if) (?:du|dere|de|you) (?:ikke|ikkje|don't|do not) (?:liker|likar|like|er fornøyd|"
           r"er nøgd) (?:det|dette|it)", _NOT_OURS),
    Phrase(r"(?:joda|jaja|ja ja|javel)[,.!]", _MOCKING),
    Phrase(r"^\s*(?:igjen|nok en gang|again)[.!]\s*$|\.\s+(?:igjen|again)[.!]", _REPEATED),
    Phrase(r"(?:read|check) (?:the|our) (?:post|website|letter|information|page) (?:before|first before) "
           r"(?:commenting|posting|asking|complaining)", _OBVIOUS),
    Phrase(r"(?:we don't|we do not) make the rules|deal with it|(?:you're|you are) not the only one|"
           r"that's not how it works", _NOT_OURS),
    Phrase(r"(?:du|dere|de) (?:vet|veit|skjønner|skjønar|ser|forstår|kan) (?:vel |nok )?jo|som (?:du|dere|de) jo "
           r"(?:vet|veit|ser)", _OBVIOUS),
    Phrase(r"(?:ikke|ikkje) tid til(?=[.!])|(?:bedre|betre) ting å (?:gjøre|gjere)", _STOP),
    Phrase(r"punktum[.!]|ferdig diskutert|diskusjonen er (?:avsluttet|avslutta|over)|(?:ikke|ikkje) mas\b|"
           r"gi (?:deg|dere|dykk)(?=[.!])", _STOP),
    Phrase(r"for det er jo|hva (?:hadde|har) (?:du|dere) (?:egentlig |nå )?(?:forventet|venta|trodd)|"
           r"kva (?:hadde|har) (?:du|de) (?:eigentleg |no )?(?:venta|forventa|trudd)", _MOCKING),
    Phrase(r"(?:du|dere|de) (?:overdriver|overdriv|sutrer|syter|maser)", _BLAME),
    Phrase(r"(?:latterlig|tåpelig|tåpeleg|tullete|useriøs)\w*", _RUDE),
    Phrase(r"(?:whatever|sigh|seriously\?|as everyone knows|not our job)", _MOCKING),
    Phrase(r"(?:vet|veit|skjønner|skjønar|ser|forstår|kjenner) vel (?:alle|de fleste|du|dere|de)|det (?:vet|veit) vel "
           r"alle", _OBVIOUS),
    Phrase(r"^\s*som sagt[:,]|[.!?]\s+som sagt[:,]|^\s*as (?:stated|said|mentioned) (?:before|earlier|above)[:,]",
           _REPEATED),
    Phrase(r"(?:gidder|gidd|gider|gadd|giddet|gidde)", _STOP),
    Phrase(r"(?:prøv|prøve) (?:å|og) (?:lese|lesa|finne|sjekke|sjå|se)|(?:les|lese|se|sjå|sjekk) (?:\w+ ){0,2}?"
           r"(?:en|ein) (?:gang|gong) til", _OBVIOUS),
    Phrase(r"(?:klarer|greier|kan) (?:du|dere|de) (?:ikke|ikkje) (?:å )?(?:lese|lesa|lese deg)|lær (?:deg|dere|dykk) "
           r"(?:å|og)", _RUDE),
    Phrase(r"(?:ditt|deres|dykkar) (?:eget|eige) (?:ansvar|problem|valg|val)|(?:faktisk|altså) (?:ditt|deres|dykkar) "
           r"(?:ansvar|problem|feil)|your (?:own )?problem", _BLAME),
    Phrase(r"(?:sånn|slik) er det(?: bare)?[.!]|det er (?:sånn|slik) det er|får (?:du|dere|de) (?:bare |berre )?leve "
           r"med|(?:ingenting|ikke noe|ikkje noko) å diskutere|tankelesere|get over it", _NOT_OURS),
    Phrase(r"(?:ikke|ikkje) (?:noe|noko) vi (?:kommer til å|skal|vil|kjem til å) bruke tid på", _NOT_OURS),
    Phrase(r"(?:får|kan) (?:du|dere) (?:nesten|vel) (?:skjønne|forstå|skjøne)", _OBVIOUS),
    Phrase(r"det var jo det vi (?:sa|skrev)|hadde vi aldri tenkt på|hvordan vi skal gjøre jobben|korleis vi skal "
           r"gjere jobben", _MOCKING),
    Phrase(r"did you (?:even )?read|(?:we've|we have) been (?:over|through) this", _OBVIOUS),
    # not our problem
    Phrase(r"(?:ikke|ikkje|itj) (?:vårt|vår) (?:problem|bord|ansvar|feil|sak)|(?:ikke|ikkje|itj) (?:vårt|vår)(?=[.!])",
           _NOT_OURS),
    Phrase(r"(?:ikke|ikkje) noe vi bryr oss om|vi bryr oss (?:ikke|ikkje)|(?:don't|do not) care", _NOT_OURS),
    Phrase(r"(?:not our (?:problem|fault|responsibility|job))", _NOT_OURS),
    Phrase(r"(?:klag|klage|send det|ta det) til (?:noen|nokon) andre|complain to someone else", _NOT_OURS),
    Phrase(r"(?:kan|får) (?:du |dere )?(?:jo |vel )?(?:bare |berre )?flytte", _NOT_OURS),
    Phrase(r"(?:da |så )?får (?:du|dere|de) vel (?:bare |berre )?(?:klage|klaga|ringe|ringje|flytte|finne)", _NOT_OURS),
    Phrase(r"(?:take it up with|not our department)", _NOT_OURS),
    # stop
    Phrase(r"slutt (?:å|og) (?:mase|maste|klage|klaga|spørre|spørje|sutre|syte|kommentere|skrive|grine)", _STOP),
    Phrase(r"(?:stop|quit) (?:complaining|asking|whining|moaning|posting|saying)", _STOP),
    Phrase(r"(?:vi gidder|vi gidd|vi orker) (?:ikke|ikkje)|(?:gidder|gidd) (?:ikke|ikkje) (?:å )?(?:diskutere|svare)",
           _STOP),
    Phrase(r"(?:ikke|ikkje) tid til (?:å svare på )?(?:slike|sånne|slikt|sånt|dette|deg)|(?:viktigere|viktigare) "
           r"ting å (?:gjøre|gjere|bruke tida på)|(?:don't|do not) have time for|better things to do", _STOP),
    Phrase(r"(?:ta det med ro|ro deg ned|roe deg ned|slapp av|calm down|relax,)", _STOP),
    Phrase(r"(?:verden|verda) går (?:ikke|ikkje) under|(?:it'?s|it is) just a bit of", _STOP),
    # blame
    Phrase(r"(?:du )?(?:får|kan) (?:du )?(?:takke|skylde|skulde) (?:deg selv|deg sjølv)", _BLAME),
    Phrase(r"(?:det er|det var) (?:ikke|ikkje) (?:vår|kommunens) (?:feil|skyld) at (?:du|dere|de)", _BLAME),
    Phrase(r"(?:it'?s|it is) not our fault (?:you|that you)|(?:you|you've) (?:should have|only have yourself)", _BLAME),
    Phrase(r"kanskje (?:du|dere) (?:skulle|burde|kunne) (?:ha )?(?:ringt|ringe|sjekket|sjekka|sjekke|lest|lese|spurt|"
           r"tenkt)", _BLAME),
    Phrase(r"maybe you should (?:have )?(?:read|check|call|ask|think)", _BLAME),
    Phrase(r"(?:like|så) (?:utålmodig|utolmodig|masete|sutrete|sur|negativ)e? (?:som|som deg)", _BLAME),
    Phrase(r"(?:hvorfor|kvifor) spør (?:du|dere) (?:oss|om dette)", _BLAME),
    Phrase(r"(?:du tar|du tek) (?:rett og slett |heilt |helt |bare )?feil", _BLAME),
    Phrase(r"(?:you are|you're) (?:simply |just )?wrong", _BLAME),
    Phrase(r"(?:gjerne|godt) mene (?:det|hva du vil|kva du vil)", _BLAME),
    # mockery and rudeness
    Phrase(r"[«\"'“]\s*(?:konstruktiv|konstruktive|hyggelig|hyggelege|nyttig|nyttige|saklig|saklege|saklige|morsom|"
           r"flott|hjelpsom|smart|helpful|constructive|nice|useful)\s*[»\"'”]", _MOCKING),
    Phrase(r"(?:takk for nok en|takk for nok ein|thanks for yet another|thank you for yet another)", _MOCKING),
    Phrase(r"(?:så fint|så flott|så kjekt|gratulerer|great|congratulations)[,!]? (?:at )?(?:du|dere|you) (?:endelig|"
           r"endeleg|finally|har endelig|har endeleg)", _MOCKING),
    Phrase(r"(?:lykke til med det|lukke til med det|good luck with that)", _MOCKING),
    Phrase(r"(?:haha+|hehe+|hihi+|lol|lmao|😂|🤣|🙄|🙃|🤦\S*|🤷\S*|😏|😒)", _MOCKING),
    Phrase(r"(?:bare tull|berre tull|tullprat|tøv|nonsense|rubbish|idiot\w*|dust|teit\w*|dumt spørsmål|dumme spørsmål|"
           r"stupid question\w*|silly question\w*)", _RUDE),
    Phrase(r"(?:ærlig talt|ærleg talt|seriøst)[,:!?]", _RUDE),
])

#: Two or more words in capitals (not abbreviations): shouting.
_SHOUTING = re.compile(r"(?<![\w])(?:[A-ZÆØÅ]{3,}[!.,]?\s+){1,}[A-ZÆØÅ]{3,}(?![\w])")
_ABBREVIATIONS = frozenset({"NAV", "SFO", "NRK", "PDF", "BPA", "VTA", "UKM", "FAU", "SMS", "GPS", "LNF", "KID", "BUP",
                            "DPS", "IKT", "PPT", "NVE", "TV", "FHI", "CEO", "USA", "EU", "AKS", "OBS", "NB", "ALTA",
                            "KOMMUNE", "TT", "NN"})


def check(text: str) -> list[ReplyWarning]:
    found = [ReplyWarning(Code.TONE, phrase.message, match.start(), match.end()) for phrase, match in TABLE.find(text)]
    for match in _SHOUTING.finditer(text):
        words = re.findall(r"[A-ZÆØÅ]{3,}", match.group(0))
        if sum(word not in _ABBREVIATIONS for word in words) >= 2:
            found.append(ReplyWarning(Code.TONE, "Store bokstaver leses som roping. Skriv med vanlige bokstaver.",
                                      match.start(), match.end()))
    return without_overlaps(found)
