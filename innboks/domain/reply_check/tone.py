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
from innboks.domain.reply_check.text import Phrase, PhraseTable, sentence_at, sentences, without_overlaps

_OBVIOUS = ("Svaret sier at det burde vært åpenbart for innbyggeren. Gi heller informasjonen vennlig, gjerne med "
            "lenke: «Du finner det på …».")
_REPEATED = ("Svaret minner innbyggeren om at det er sagt før. Svar på nytt, vennlig, uten å påpeke det.")
_NOT_OURS = ("Svaret avviser innbyggeren. Si heller hvem som kan hjelpe og hvordan de kan nås.")
_STOP = ("Svaret ber innbyggeren holde munn. Takk for henvendelsen og svar saklig, også når den er negativ.")
_MOCKING = ("Svaret kan oppfattes som hån eller ironi. Skriv vennlig og saklig, også til negative innlegg.")
_BLAME = ("Svaret legger skylden på innbyggeren. Forklar heller hva som gjelder og hva de kan gjøre nå.")
_RUDE = ("Svaret er uhøflig. Kommunens svar skal være høflige, også til negative henvendelser.")

_PERSON = r"(?:du|dere|de|dykk|dokker|you)"
#: Having read, checked, called or asked: what the citizen is blamed for not having done.
_DONE = (r"(?:lest|lese|sjekket|sjekka|sett|sjått|ringt|ringd|spurt|tenkt|fulgt med|følgt med|undersøkt|"
         r"satt deg inn|sett deg inn|satt dere inn|brydd deg|giddet|gidd|prøvd|googlet|googla|read|checked|looked|"
         r"called|asked|bothered|paid attention|listened)")
#: What the citizen did or did not do, held against them ("du ikke leste", "du ikkje fekk med deg").
_CONDUCT = (r"(?:leste|lest|las|lese|sjekket|sjekka|møtte|møtt|fulgte|fulgt|følgde|følgt|betalte|betalt|søkte|søkt|"
            r"meldte|husket|huska|hugsa|glemte|gløymde|gløymte|fikk med deg|fekk med deg|fått med deg|fikk med dere|"
            r"fekk med dykk|brydde|brydd|gadd|giddet|svarte|svara|sendte|leverte|levert|registrerte|read|check|checked|"
            r"pay|paid|apply|applied|show up|showed up|bother|bothered|notice|noticed|listen|listened|follow|followed)")
_ORDINAL = (r"(?:andre|tredje|fjerde|femte|sjette|sjuande|sjuende|tiende|tjuende|hundrede|hundrade|ørtende|"
            r"n-te|x-te|\d+\.)")
#: What may follow "Igjen, …" or "Once again, …" without it being impatience.
_KIND = r"(?! (?:takk|tusen takk|thanks|thank|sorry|we apologi[sz]e|we're sorry|beklager|beklagar|unnskyld|velkommen))"

#: The families of condescension, not single phrasings: each row covers a way of talking down to the
#: citizen in bokmål, nynorsk and English (see the module docstring).
FAMILIES = [
    # blaming the citizen for not reading or not knowing: "hvis du hadde lest …", "du kunne jo sjekket …"
    Phrase(rf"(?:hvis|viss|om|dersom|if) {_PERSON} (?:bare |berre |just |only )?(?:hadde|had|'d) (?:\w+ )?{_DONE}",
           _OBVIOUS),
    Phrase(r"(?:if|had) you(?:'d| had)? (?:only |just )?(?:bothered|checked|read|looked|paid attention|listened)",
           _OBVIOUS),
    Phrase(rf"{_PERSON} (?:kunne|burde|skulle|could|should|might) (?:jo |vel |heller |bare |berre |have |ha |nok )*"
           rf"{_DONE}", _BLAME),
    Phrase(rf"{_PERSON} (?:må|får|bør|burde) (?:nesten|jo|vel|faktisk|da) (?:\w+ )?(?:lese|lesa|sjekke|skjønne|"
           rf"skjøne|forstå|lære|tenke|tenkje|følge med|følgje med)", _OBVIOUS),
    Phrase(r"(?:har|hadde) (?:tydeligvis|tydelegvis|åpenbart|openbert|visst|nok) (?:ikke|ikkje) (?:\w+ ){0,2}?"
           r"(?:lest|lese|sjekket|sjekka|fått med|forstått|skjønt|skjøna|satt deg inn|sett deg inn|fulgt med|"
           r"følgt med)", _OBVIOUS),
    Phrase(r"(?:tydeligvis|tydelegvis|apparently|evidently) (?:\w+ ){0,3}?(?:vanskelig|vanskeleg|vrient|for mye|"
           r"for mykje|too much|too hard|difficult|hard)|(?:vanskelig|vanskeleg|vrient|uforståelig|uforståeleg|hard|"
           r"difficult|too much) for (?:noen|nokon|enkelte|somme|some people|some)(?!\w| av| of)", _OBVIOUS),
    Phrase(r"(?:hvor|kor) (?:vanskelig|vanskeleg|komplisert|vrient|mange ganger|mange gonger) (?:kan|skal) "
           r"(?:det|dette|vi) (?:være|vere|vera|egentlig|eigentleg|\w+)|how (?:hard|difficult) can it be|"
           r"how many times do (?:we|i)|(?:hvorfor|kvifor|why) (?:det|dette|this|it) (?:skal være|skal vere|er|is|"
           r"should "
           r"be) (?:så|so) (?:vanskelig|vanskeleg|komplisert|hard|difficult)", _OBVIOUS),
    Phrase(r"(?:ikke|ikkje|not) (?:så|særlig|særleg|that|so) (?:vanskelig|vanskeleg|komplisert|hard|difficult|"
           r"complicated)(?=[.!,]|$)", _OBVIOUS),
    Phrase(r"(?:hva|kva) (?:tror|trur|tenker|tenkjer|trodde|trudde) (?:du|dere|de|dykk) (?:selv|sjølv)|"
           r"tenk (?:litt )?(?:selv|sjølv)|(?:du|dere|de) (?:skal|bør|burde|må|får) (?:kanskje |nok )?(?:tenke|tenkje) "
           r"(?:deg|dykk|dere|dokker) (?:om|godt om)|(?:bruk|bruke) (?:hodet|huet|vettet|sunn fornuft)|"
           r"use (?:your head|common sense)", _OBVIOUS),
    Phrase(rf"{_PERSON} (?:har|hadde|have|'ve) (?:\w+ )?(?:misforstått|mistolket|mistolka|misunderstood|got it wrong)",
           _BLAME),
    Phrase(r"(?:scroll|scrolle|scrolla|rull|rulle|bla) (?:litt )?(?:opp|oppover|lenger opp|lengre opp)|"
           r"scroll up|see (?:my|our) (?:previous|earlier) (?:reply|answer|comment)s?", _REPEATED),
    Phrase(r"(?:med all respekt|med all mogleg respekt|with all due respect|no offence|ikke for å være frekk|"
           r"ikkje for å vere frekk)", _MOCKING),
    Phrase(r"(?:^|(?<=[.!?] )|(?<=\n))(?:kjære deg|kjære dere|kjære dykk|kjære vene|my dear|dear me|vennen min)[,!.]",
           _MOCKING),
    # said before, impatience: "For tredje gang:", "Igjen:", "x antall ganger", "som sagt i …"
    Phrase(rf"(?:for|nok en|nok ein) {_ORDINAL} (?:gang|gong|time)(?=\s*[:!]|,? (?:sier|seier|skriver|skriv|gjentar|"
           rf"gjentek|svarer|svarar|vi|me|we|i say))", _REPEATED),
    Phrase(rf"(?:^|(?<=[.!?] )|(?<=\n))(?:igjen|atter|again|once again|once more|nok en gang|nok ein gong|"
           rf"en gang til|ein gong til)(?:[:,!]| (?:og|and) (?:igjen|again))(?!\w){_KIND}", _REPEATED),
    Phrase(r"(?:svart|sagt|skrevet|skrive|forklart|informert|opplyst|gjentatt|gjenteke|nevnt|nemnt|said|told you|"
           r"answered|explained|written|posted|repeated) (?:\w+ ){0,4}?(?:x|\d+|mange|flere|fleire|hundre|tusen|"
           r"utallige|talrike|many|several|countless|so many) (?:antall )?(?:ganger|gonger|times|kommentarer|"
           r"kommentarar|innlegg|comments|posts)", _REPEATED),
    Phrase(r"(?:skrevet|skrive|informert|opplyst|sagt|forklart|posted|written) (?:om )?(?:dette |det |this |it )?"
           r"(?:\w+ ){0,3}?(?:i|for) (?:flere|fleire|mange|several|many) (?:uker|veker|måneder|månader|weeks|months)"
           r"(?: allerede| allereie| alt| already| now| nå| no)?", _REPEATED),
    Phrase(r"(?:forklart|sagt|svart|skrevet|skrive|explained|said|answered) (?:dette |det |this |it )?(?:før|tidligere|"
           r"tidlegare|before|already),? (?:men|but)", _REPEATED),
    Phrase(r"(?:vi |me )?(?:tar|tek) (?:det|den|dette) (?:en|ein) (?:gang|gong) til|(?:let's|we'll) (?:try|go over) "
           r"(?:this|it) (?:one more time|once more|again)", _REPEATED),
    Phrase(r"som (?:sagt|nevnt|nemnt|skrevet|skrive|forklart|påpekt|svart|opplyst) (?:i|over|ovenfor|lenger opp|"
           r"tidligere|tidlegare|før|flere|fleire|mange|allerede|allereie|i forrige|i går|sist)|"
           r"as (?:we(?:'ve| have)?|i(?:'ve| have)?) (?:already |previously |clearly )?(?:said|mentioned|stated|"
           r"explained|told you|pointed out|answered|written)|as (?:already|previously) (?:said|mentioned|stated|"
           r"explained)|^as (?:said|mentioned|stated)(?=[ ,])", _REPEATED),
    Phrase(r"(?:når|nå) (?:vi|me) (?:har|får) tid|when we (?:have|get) (?:the )?time|(?:vi|me) (?:har|hev) "
           r"(?:faktisk )?(?:viktigere|viktigare|bedre|betre) (?:ting|saker|oppgåver|oppgaver)", _STOP),
    Phrase(r"(?:ro|roe|roa|senk|senke|senka) (?:deg|dere|dykk|dokker|skuldrene)(?: litt| ned| nå| no)?|"
           r"(?:chill|take a breath|take a deep breath|settle down)(?=[.!,])", _STOP),
    # ironic politeness and sarcasm markers
    Phrase(r"(?:^|(?<=[.!?] )|(?<=\n))(?:tja|ehm+|øhm+|æhm+|jaha+|javel|jasså|neivel|ok då|okei da|sure|"
           r"yeah right|well well|jo takk)[,.!]", _MOCKING),
    Phrase(r"(?:takk|tusen takk|thanks|thank you) (?:for|til) (?:the |your |den |det |dei |de |din |di |ditt )?"
           r"(?:lecture|lesson|foredraget|leksen|belæringen|belæringa|preken|preika|moralpreken|moralpreika|"
           r"ekspertuttalelsen|ekspertrådet|expert advice)", _MOCKING),
    Phrase(r"(?:tar|tek|bruker|brukar|take|takes) (?:deg|dykk|dere|you) (?:\w+ )?tid (?:til|på|to) (?:å )?(?:klage|"
           r"klaga|kritisere|kritisera|mase|syte|sutre|complain|criticise|criticize)", _MOCKING),
    Phrase(r"(?:meninger|meiningar|meining|mening|opinions?) om (?:alt|absolutt alt|everything)|(?:klage|klager|klagar|"
           r"mase|maser|syte|syter|complain|complaining) (?:på|om|about) (?:alt|everything)|(?:lettere|lettare|"
           r"enklere|enklare|easier) å (?:klage|klaga|kritisere|mase|syte|sutre|kommentere|skrive)|"
           r"easier to (?:complain|criticise|criticize|moan)", _MOCKING),
    Phrase(r"(?:fint|flott|godt|hyggelig|great|nice) (?:at|that) (?:du|dere|you) (?:bryr deg|bryr dykk|bryr dere|"
           r"care),? (?:men|but)", _MOCKING),
    Phrase(r"skal (?:vi|me) (?:kanskje |liksom |bare |berre )?(?:\w+ ){1,5}?(?:for|til) (?:deg|dere|dykk|"
           r"dokker) (?:også|òg)\?|(?:should|shall) we (?:also |just )?(?:\w+ ){1,4}?for you(?: too| as well)\?|"
           r"(?:vil|skal) (?:du|dere) (?:kanskje |liksom )?(?:at|ha) (?:vi|me|oss) (?:skal )?(?:\w+ ){1,4}?"
           r"(?:også|òg)\?", _MOCKING),
    Phrase(r"(?:vi|me) (?:sitter|sit|sitt) (?:bare|berre) (?:her )?og|(?:tvinner|tvinnar) tommeler|"
           r"(?:drikker|drikk) (?:kaffe|kaffi) (?:hele|heile) dagen|we just sit (?:here|around)", _MOCKING),
    Phrase(r"(?:vi|me) (?:vet|veit|kan) (?:godt |faktisk |nok |da |jo )?(?:hvordan|korleis|åssen) (?:man|ein|vi|me|"
           r"en) (?:\w+ ){0,2}?(?:brøyter|brøytar|gjør|gjer|gjøre|gjere|jobben|jobber|jobbar)|we (?:do )?know how "
           r"to do (?:our|the) job", _MOCKING),
    Phrase(r"(?:beklager|beklagar|sorry|we're sorry|we are sorry) (?:at |that |if )?(?:du|dere|de|you) (?:føler|føl|"
           r"opplever|synes|syns|meiner|mener|feel|see it|see things)(?: \w+)? (?:det |it )?(?:sånn|slik|that way|like "
           r"that)|(?:beklager|beklagar|sorry) (?:at|that) (?:virkeligheten|verkelegheita|røyndomen|reality|the facts|"
           r"fakta|the truth|sannheten)", _MOCKING),
    Phrase(r"(?:du er|dere er|de er|you are|you're) (?:hjertelig |hjarteleg |more than |very )?(?:velkommen|velkomen|"
           r"welcome) (?:til|to) (?:å )?(?:\w+ ){0,3}?(?:bedre|betre|better)|(?:gjør|gjer|gjøre|gjere|do) "
           r"(?:det|jobben|it|the job) (?:bedre|betre|better) (?:selv|sjølv|yourself)|(?:gjør|gjer|do) (?:jobben|"
           r"the job) (?:selv|sjølv|yourself)", _MOCKING),
    Phrase(r"(?:ikke|ikkje|not) (?:tar|tek|take) (?:\w+ )?(?:seriøst|alvorlig|alvorleg|seriously)|"
           r"(?:kan|can) (?:ikke|ikkje|not|n't) (?:ta|take) (?:\w+ )?(?:seriøst|alvorlig|seriously)", _RUDE),
    # refusing responsibility without pointing anywhere
    Phrase(r"(?:(?:ikke|ikkje|not) (?:vår|vårt|min|mitt|our|my) (?:jobb|greie|business|job|concern)|(?:ikke|ikkje) "
           r"(?:en|ei|ein) (?:sak|oppgave|oppgåve) for (?:oss|meg)|(?:ikke|ikkje) (?:noe|noko) for oss|"
           r"not something (?:we|the council|the municipality|i) (?:deal|deals|bother|care) (?:with|about))"
           r"(?!,? (?:men|but|–|-))", _NOT_OURS),
    Phrase(r"(?:vi|me|kommunen) har (?:ikke|ikkje) (?:noe|noko|nokon ting|ingenting) med (?:det|dette|den|den saka|den "
           r"saken)(?: å gjøre| å gjere| å gjera)?(?=[.!]|$)|(?:ta|tek|tar) (?:det|dette|den) (?:opp )?med "
           r"(?:noen|nokon) andre|(?:det|dette) (?:får|må) (?:du|dere|de|dykk) (?:ta|finne ut av|ordne|løse) "
           r"(?:\w+ )?(?:selv|sjølv|med noen andre|med nokon andre)", _NOT_OURS),
    Phrase(r"(?:vi er|me er|we're|we are) (?:ikke|ikkje|not) (?:her )?(?:for å|til å|here to|your) (?:\w+ ){0,2}?"
           r"(?:passe|babysit|babysitter|barnevakt|holde deg i hånda|halde deg i handa|hold your hand|servant|"
           r"personal)", _NOT_OURS),
    Phrase(r"(?:that's|that is|it's|it is) (?:just |simply )?(?:how it is|the way it is|life)(?=[.!]|$)|"
           r"it is what it is|(?:sånn|slik) er (?:det|livet|reglane|reglene)(?: (?:bare|berre|nå|no|eingong|en gang))?"
           r"(?=[.!]|$)|(?:lev|leve) med det", _NOT_OURS),
    Phrase(r"(?:du|dere|de|you) (?:kan|kan jo|kan vel|can) (?:ikke|ikkje|not|'t|n't) (?:\w+ )?(?:forvente|vente "
           r"deg|vente dykk|expect|kreve|krevje|demand)", _BLAME),
    Phrase(r"(?:ingen|ikkje nokon|ikke noen|nobody|no one) (?:som )?(?:har|hev) (?:\w+ )?(?:lovet|lova|lovt|promised) "
           r"(?:deg|dere|dykk|you)", _BLAME),
    Phrase(r"(?:null|ingen|lite|zero|no) (?:forståelse|forståing|sympati|medkjensle|tålmodighet|tolmod|patience|"
           r"sympathy|understanding) (?:for|med|with)", _BLAME),
    Phrase(r"(?:folk|enkelte|somme|people|some people) (?:som )?(?:ikke|ikkje|don't|can't|cannot|won't) "
           r"(?:\w+ )?(?:klarer|greier|gidder|gidd|skjønner|skjønar|forstår|bother|manage)", _BLAME),
    Phrase(r"det (?:var|er) (?:du|dere|dykk|de|you) som [^.!?]{1,60}, (?:ikke|ikkje|not) (?:vi|oss|me|kommunen|us|"
           r"the council)", _BLAME),
    # suggesting the citizen do better, ironic invitations: "Kanskje du skal gjøre din?", "søk jobb hos oss da"
    Phrase(r"kanskje (?:du|dere|de|dykk) (?:heller |sjøl |selv )?(?:skal|skulle|burde|bør|får|må)(?! gjerne)|"
           r"(?:maybe|perhaps) you (?:should|ought to|need to)", _BLAME),
    Phrase(r"(?:søke|søk|søkje|søkja) (?:\w+ )?(?:jobb|stilling|stillinga|stillingen) (?:hos oss|her|i kommunen)"
           r"(?: da| då)?(?=[.!?😉🙂]|\s*$|\s+[\U0001F300-\U0001FAFF])|"
           r"apply for (?:a|the|my|our) job(?: here| with us)?",
           _MOCKING),
    # minimising what the citizen is worried about
    Phrase(r"(?:ikke|ikkje|not) (?:akkurat |just )?(?:verdens|verdas|the) (?:undergang|ende|end of the world)|"
           r"(?:ikke|ikkje) (?:noen|nokon|ei|en|ein) (?:krise|katastrofe)(?=[.!,])|"
           r"(?:mye|masse|voldsomt|voldsamt|veldig|svært|svært mykje|litt vel mye|litt mykje|så mye|så mykje|"
           r"mykje|for mye|for mykje) (?:til )?(?:styr|oppstyr|bråk|ståhei|drama|oppstuss|mas)(?: for| om| over)|"
           r"storm i (?:et|eit) (?:vannglass|vassglas)|(?:such a|a lot of|so much|a big) fuss|overreact\w*|"
           r"(?:blåser|blæs) (?:dette|det|saka|saken) opp", _MOCKING),
    # reminding "again"
    Phrase(r"(?:nok en gang|nok ein gong|igjen|atter en gang|atter ein gong|once again|yet again|for the last time)"
           r",? (?:må|skal|vil|må vi|must|have to|need to) (?:vi|me|we)? ?(?:minne|gjenta|gjente|presisere|understreke|"
           r"si|remind|repeat|stress)|(?:må|must|have to) (?:vi|me|we) (?:igjen|nok en gang|nok ein gong|again) "
           r"(?:minne|gjenta|remind|repeat)", _REPEATED),
    Phrase(r"(?:les|leser|leste|lese|se|ser|sjå|sjekk|sjekker|read|check) (?:\w+ ){0,2}?(?:en|ein) (?:gang|gong) til|"
           r"read (?:it|the post|the letter) again", _OBVIOUS),
    # lecturing: "du skal ikke tro alt du leser", "hvilken del av … forstår du ikke"
    Phrase(r"(?:tro|tru|trust|believe|stole på|stola på) (?:på )?(?:alt|everything) (?:du|dere|dykk|you) (?:leser|les|"
           r"read|hører|høyrer|hear|ser|ser på|see)", _OBVIOUS),
    Phrase(r"(?:hvilken|hvilke|kva|kva for ein|what) (?:del|delar|deler|part|parts) (?:av|of) [^.?!]{1,40}?(?:forstår|"
           r"skjønner|skjønar|understand|is unclear|are unclear|is so hard)|"
           r"(?:visste|kjente) (?:du|dere|de|dykk) (?:ikke|ikkje) (?:at|om|til)[^.!?]*\?|"
           r"(?:hvem|kven|who) (?:tror|trur|do you think) (?:du |dere |de )?(?:betaler|skal betale|pays|is paying)",
           _OBVIOUS),
    Phrase(r"(?:try to |please |just )keep up|følg med i timen", _OBVIOUS),
    # the channel is not for complaints; closing the discussion
    Phrase(r"(?:ikke|ikkje|not) (?:en|ei|ein|a|an) (?:klagemur|klagemure|klagemuren|sutreside|klageside|complaints? "
           r"(?:board|wall|box|department))|(?:ikke|ikkje) (?:stedet|staden|plassen) (?:for|til) (?:å klage|å klaga|"
           r"å syte|å sutre|klaging|klager|sutring)|not the place (?:to complain|for complaints|to moan)", _NOT_OURS),
    Phrase(r"(?:lar|lèt|let|legger|leggjer|lar vi) (?:tråden|diskusjonen|debatten|saka|saken|dette|det) (?:ligge|vere|"
           r"være|død)|(?:svarer|svarar|kommenterer|kommenterar|svare|kommentere) (?:ikke|ikkje) (?:mer|meir|lenger|"
           r"lenger på|meir på|mer på|videre|vidare)(?! enn)|we (?:won't|will not) (?:respond|reply|comment|answer) "
           r"(?:further|any further|again|any more|anymore)|(?:this|the) (?:discussion|thread|conversation) is "
           r"(?:closed|over)", _STOP),
    # reproachful questions and reminders: "Har du ikke lest innlegget?", "Hvorfor ringte du ikke?"
    Phrase(rf"(?:har|hadde|did|have|had) (?:du|dere|dykk|you) (?:ikke|ikkje|not|even) (?:\w+ )?{_DONE}[^.!?]*\?|"
           rf"(?:didn't|haven't|hadn't) you (?:even )?(?:\w+ )?{_DONE}[^.!?]*\?", _OBVIOUS),
    Phrase(r"(?:hvorfor|kvifor|why) (?:har |hadde |did |didn't |haven't )?(?:du|dere|dykk|you) (?:ikke|ikkje|not) "
           r"(?:bare |berre |just )?(?:\w+ )?(?:ringte|ringde|ringt|leste|lest|las|sjekket|sjekka|spurte|spurt|sendte|"
           r"sendt|søkte|søkt|søkje|call|read|check|ask|apply|look)|(?:hvorfor|kvifor) (?:ringte|ringde|leste|las|"
           r"sjekket|sjekka|spurte|sendte|søkte|gjorde|fulgte|følgde|meldte) (?:du|dere|dykk) (?:ikke|ikkje)", _BLAME),
    Phrase(r"(?:du|dere|dykk|you) (?:har|hadde|fikk|fekk|got|have|had) (?:jo|faktisk|da|vel) (?:fått |allerede |"
           r"allereie |"
           r"alt )?(?:\w+ )?(?:brev|beskjed|informasjon|svar|melding|varsel|e-post|sms|a letter|the letter|notice)",
           _OBVIOUS),
    Phrase(r"hold (?:deg|dere|dykk|dokker) (?:til saken|til saka|saklig|sakleg|for god|for god til)|"
           r"(?:stay|keep it) on topic|behave yourself", _RUDE),
    Phrase(r"(?:bra|fint|godt|flott|good|great) for (?:deg|dere|dykk|you)(?=[.!]|$)|(?:fint|godt|nice|good) "
           r"(?:forsøk|forsøkt|prøvd|try)(?=[.!,]|$)|ok boomer", _MOCKING),
    Phrase(r"(?:ikke|ikkje|not) (?:vi|oss|me|us|we) som (?:har |hev )?(?:laget|lagd|laga|lagde|bestemt|bestemmer|"
           r"vedtok|vedtatt|vedteke|made|make|decided) (?:reglene|reglane|regelen|loven|lova|lovene|the rules|the law)|"
           r"(?:we|vi) (?:only|bare|berre) (?:follow|følger|følgjer) (?:the rules|reglene|reglane|ordre|orders)",
           _NOT_OURS),
    # shifting the blame and telling the citizen what to expect: "det er du som velger …", "da må du regne med"
    Phrase(r"det (?:er|var) (?:du|dere|dykk|you) (?:selv |sjølv |yourself )?som (?:velger|valgte|vel|valde|bestemte|"
           r"bestemmer|har valgt|har vald|glemte|gløymde|gløymte|ikke|ikkje|chose|choose|decided|forgot|didn't)|"
           r"(?:du|dere|dykk|you) (?:må|får|have to|must|will have to) (?:bare |berre |just )?(?:ta|bere|live|take|"
           r"accept) (?:konsekvensene|følgjene|følgene|the consequences|with it)", _BLAME),
    Phrase(r"(?:ikke|ikkje|no|not) (?:rart|rar|wonder|surprise)(?:,)? (?:at |that )?(?:du|dere|dykk|you) (?:ikke|ikkje|"
           r"didn't|did not|couldn't|weren't|wasn't|got)", _BLAME),
    Phrase(r"(?:du|dere|dykk) (?:må|burde|bør|skulle|har|hadde|fikk|fekk|får|kan|kunne|vet|veit) (?:jo|vel)(?!\w)|"
           r"(?:kan|kunne|må|burde|bør|skulle|vet|veit|har|hadde|fikk|fekk|får) (?:du|dere|dykk) (?:jo|vel)(?! gjerne)",
           _BLAME),
    Phrase(r"(?:neste gang|next time|i framtida|for framtida|in future|for the future),? (?:kan|bør|må|burde|skal|"
           r"could|should|might) (?:du|dere|dykk|you) (?:jo|vel|heller|kanskje|faktisk|actually|just|want to) "
           r"(?:\w+ )?(?:spørre|spørje|lese|sjekke|ringe|tenke|tenkje|ask|read|check|call|think|look)?", _BLAME),
    # scolding the citizen's behaviour
    Phrase(r"(?:det )?hjelper (?:ikke|ikkje) (?:å|at du|at dere) (?:\w+ ){0,3}?(?:skrive|skrike|rope|kjefte|banne|"
           r"klage|mase|true|store bokstaver)|(?:shouting|yelling|swearing|screaming|being rude) (?:at \w+ (?:\w+ )?)?"
           r"(?:won't|will not|doesn't|does not)|(?:skrike|rope|kjefte|banne|skjelle) (?:på|til|ut) (?:oss|de ansatte|"
           r"dei tilsette|personalet|folk)", _BLAME),
    # ironic understatement: "kommer ikke akkurat som en overraskelse"
    Phrase(r"(?:ikke|ikkje|not|hardly) (?:akkurat |precisely |exactly |really )?(?:som )?(?:en |ei |ein |a )?"
           r"(?:stor )?(?:overraskelse|overrasking|nyhet|nyheit|news|surprise|hemmelighet|hemmelegheit|løyndom|secret)"
           r"(?=[.!,]| for| to| at| that)|(?:burde|skulle|should|shouldn't) (?:ikke |ikkje |not |have )?(?:komme|kome|"
           r"vere|være|be|come|have come) (?:som )?(?:en |ei |ein |a )?(?:overraskelse|overrasking|"
           r"surprise)", _MOCKING),
    Phrase(r"(?:alt|alltid|everything|always) (?:er |is |blir |var |was )?(?:\w+ ){0,2}?(?:kommunens|vår|vårt|our|the "
           r"council's|the municipality's) (?:skyld|feil|fault)", _MOCKING),
    # no more time for it; we cannot work miracles
    Phrase(r"(?:ikke|ikkje) (?:tenkt|planar om|planer om|lyst) (?:å )?(?:bruke|bruka|kaste bort|sløse) (?:mer |meir |"
           r"noe mer |noko meir |lenger )?(?:tid|energi)|(?:won't|will not) (?:waste|spend) (?:any )?(?:more )?"
           r"(?:time|energy)", _STOP),
    Phrase(r"(?:kan|kan jo|can|cannot|can't) (?:ikke |ikkje |not )?(?:trylle|trylla|heksa|hekse|do magic|perform "
           r"miracles|work miracles)|(?:vi|me|we) (?:er|are) (?:ikke|ikkje|not) (?:trollmenn|trollmenner|"
           r"tryllekunstnarar|tryllekunstnere|magikere|magikarar|magicians|miracle workers)|(?:ingen|ikkje nokon|no) "
           r"(?:tryllestav|magic wand)", _MOCKING),
    Phrase(r"(?:we get it|we've got it|we got it|vi har (?:skjønt|skjøna|forstått|fått med oss) det)(?=[.!,])|"
           r"(?:maybe|perhaps|kanskje) (?:ask|try asking|complain to|spør|klag til) (?:the people|those|folk|dei|de) "
           r"(?:who|som)", _MOCKING),
    # the citizen's own conduct held against them: "at du ikke leste e-posten", "om du hadde møtt opp …"
    Phrase(rf"(?:du|dere|dykk|you) (?:\w+ ){{0,2}}?(?:ikke|ikkje|aldri|not|never|didn't|did not|haven't|hadn't) "
           rf"(?:\w+ )?{_CONDUCT}", _BLAME),
    Phrase(r"(?:hvis|om|viss|dersom|if) (?:du|dere|dykk|you) (?:bare |berre |only |just )?(?:hadde|had|'d) "
           r"(?:\w+ )?(?!lyst|behov|tid|rett|mulighet|moglegheit|time|the )\w{3,}(?:et|t|tt|d|dd|a|te|de|ed)(?!\w)|"
           r"(?:^|(?<=[.!?] )|(?<=, ))hadde (?:du|dere|dykk) (?:bare |berre )?(?!lyst|behov|tid|rett)\w{3,}(?:et|t|tt|"
           r"d|"
           r"dd|a|te|de)(?!\w)", _BLAME),
    Phrase(r"(?:hadde|om|if) det (?:vært|vore|var|been|were) (?:så|like|that|so) (?:enkelt|lett|greit|simple|easy)|"
           r"if (?:only )?it were (?:that|so) (?:simple|easy)", _MOCKING),
    Phrase(r"(?:du|dere|dykk|you) (?:har |have )?(?:endelig|endeleg|finally) (?:\w+ )?(?:funnet|funne|fant|fann|kom|"
           r"kome|"
           r"kommet|dukket|dukka|oppdaget|oppdaga|fått med deg|fått med dykk|våknet|vakna|found|noticed|made it|"
           r"showed up|woke up|discovered)", _MOCKING),
    Phrase(r"(?:folk|noen|nokon|enkelte|somme|de|dei|people|those) som (?:alltid |berre |bare |always |just )?"
           r"(?:klager|klagar|maser|syter|sutrer|sutrar|kritiserer|kritiserar|complain|moan|whine)", _MOCKING),
    Phrase(r"(?:burde|bør|skulle|should|ought to) (?:\w+ )?(?:prøve|prøva|try) (?:å |og |to )?\w+ (?:\w+ )?(?:selv|"
           r"sjølv|"
           r"yourself|themselves)", _BLAME),
    Phrase(r"(?:hva|kva|what) (?:\w+ )?(?:du|dere|dykk|you) (?:egentlig |eigentleg |really |actually )?(?:forventer|"
           r"forventar|venter deg|ventar deg|expect) (?:at (?:vi|me|kommunen) skal|(?:av|fra|frå) oss|us to|from us)",
           _BLAME),
    Phrase(r"(?:mer|meir|more) enn nok (?:å gjøre|å gjere|å gjera|to do)|(?:hver|kvar|every) (?:eneste|einaste|single) "
           r"(?:kommentar|klage|klage|melding|innlegg|comment|complaint|message|post)", _STOP),
    Phrase(r"how many (?:more )?(?:ways|times) (?:(?:can|do|must|should|will|have) (?:we|i)|(?:we|i) (?:can|have to|"
           r"must|need to|should))|(?:på )?(?:hvor|kor) mange (?:måter|ganger|gonger) (?:skal|må|kan) (?:vi|me)|"
           r"(?:da|då) er (?:vi|me) to(?: som)?|that makes two of us", _REPEATED),
    Phrase(r"not our (?:call|decision|department)(?=[.!]|$)|(?:ikke|ikkje) (?:vår|vårt) (?:avgjørelse|avgjerd|bord)"
           r"(?=[.!]|$)|feel free to (?:take it up|complain|write to|contact your)", _NOT_OURS),
    # after holdout-f: "uansett hvor mange ganger du purrer", "som du skal ha det til", "vi vet best"
    Phrase(r"(?:hvor|kor|how) (?:mange ganger|mange gonger|ofte|mye|mykje|many times|often|much) (?:du|dere|dykk|you) "
           r"(?:enn )?(?:purrer|purrar|maser|masar|klager|klagar|spør|skriver|skriv|ringer|ringjer|chase|complain|ask|"
           r"write|call)", _REPEATED),
    Phrase(rf"for {_ORDINAL} (?:gang|gong|time) (?:denne uka|denne uken|denne veka|i dag|idag|på kort tid|i dag|this "
           rf"week|today|this month|denne måneden|denne månaden)", _REPEATED),
    Phrase(r"litt (?:for sent|for seint|sent|seint) (?:å klage|å klaga|å kome med|å komme med|å ombestemme)|"
           r"a bit late to (?:complain|change your mind)", _BLAME),
    Phrase(r"(?:ikke|ikkje|not|doesn't|does not|won't) (?:\w+ )?(?:etter|on|according to|around) (?:din|di|ditt|dine|"
           r"your) "
           r"(?:timeplan|tidsplan|schedule|behov|ønske|ønsker|kalender|calendar)|(?:verden|verda|the world) (?:dreier|"
           r"dreiar|"
           r"går|revolves|doesn't revolve) (?:seg )?(?:ikke |ikkje |not )?(?:rundt|around) (?:deg|dykk|dere|"
           r"you)", _MOCKING),
    Phrase(r"det er (?:faktisk |jo |nå |no )?(?:vi|me|we) som (?:har|kan|vet|veit|har greie på|har peiling på) "
           r"(?:\w+ )?(?:fagkunnskapen|kompetansen|kunnskapen|greie|peiling|best)|(?:vi|me) (?:vet|veit|"
           r"kan) (?:faktisk )?"
           r"best|we know best|we're the experts|we are the experts", _MOCKING),
    Phrase(r"(?:vi|me) (?:registrerer|registrerar|noterer|noterar|tar til etterretning) (?:oss )?at (?:du|dere|dykk) "
           r"(?:er (?:misfornøyd|misnøgd|uenig|usamd|sint|sur|lei|skuffa|skuffet)|mener|meiner|syns|synes)|"
           r"(?:^|(?<=[.!?] ))(?:duly noted|noted)[.!]", _NOT_OURS),
    Phrase(r"(?:kan|kunne|can|could) (?:gjøre|gjere|gjera|do) (?:en |ei |ein |a )?(?:bedre|betre|better) (?:jobb|job)",
           _MOCKING),
    Phrase(r"(?:vet|veit|know) (?:ikke|ikkje|not) (?:hva|kva|what) (?:mer|meir|more|else) (?:vi|me|we) (?:kunne|skulle|"
           r"could|should|can)", _NOT_OURS),
    Phrase(r"(?:ikke|ikkje|not) (?:så|like|that|as) (?:dramatisk|farlig|farleg|ille|galt|gale|bad|dramatic|"
           r"serious) som "
           r"(?:du|dere|dykk|you)|(?:som|as) (?:du|dere|dykk|you) (?:skal|vil|would|want to) (?:ha det til|make (?:it|"
           r"out))",
           _MOCKING),
    Phrase(r"halvparten (?:så mye tid|av tida|av tiden|så mykje tid)|half as much (?:time|effort)", _BLAME),
    # fourth round (outside-1..3), by family
    # curt finality: "Så nei.", "enkelt og greit", "simple as that", "står der av en grunn"
    Phrase(r"(?:^|(?<=[.!?] )|(?<=\n))(?:så|altså|og) (?:nei|nope)[.!]|(?:enkelt og greit|så enkelt er det|"
           r"så einfelt er det|så enkelt er det bare|simple as that|end of story|that's that|that is that|"
           r"det er det hele|ferdig snakka|ferdig snakket|nuff said)(?=\s*[.!]|\s*$)|(?:står|stend|er|finnes|"
           r"is|are) (?:der|det|there) (?:av en grunn|av ein grunn|for a reason)", _NOT_OURS),
    # do it yourself: "Gjør matematikken selv.", "Regn ut selv.", "Google it yourself."
    Phrase(r"(?:gjør|gjer|regn|rekn|sjekk|finn|les|google|tenk|do|check|figure) (?:\w+ ){0,3}?"
           r"(?:selv|sjølv|yourself)(?=\s*[.!]|\s*$)|(?:gjør|gjer|do) (?:matematikken|regnestykket|reknestykket|"
           r"the math|the maths)", _BLAME),
    # a curt redirect, the whole sentence: "Ta det med fylket.", "Take it up with the county."
    Phrase(r"(?:^|(?<=[.!?] )|(?<=\n))(?:ta det|ta det opp|klag|take it up) (?:med|til|with) (?:\w+)"
           r"(?=[.!]?\s*$|[.!]\s)", _NOT_OURS),
    # repeated and counted: "Tre ganger.", "Det vises til tidligere svar", "we must reiterate"
    Phrase(r"(?:^|(?<=[.!?] )|(?<=\n))(?:to|tre|fire|fem|seks|sju|ti|\d+|two|three|four|five|mange|flere|fleire) "
           r"(?:ganger|gonger|times)[.!]", _REPEATED),
    Phrase(r"(?:viser|vises|visast|se|sjå|see|refer to|as per) (?:\w+ ){0,2}?(?:tidligere|tidlegare|forrige|previous|"
           r"earlier|our previous|our earlier) (?:svar|svaret|svarene|svara|correspondence|answers?|replies|"
           r"reply|responses?)|(?:ikke|ikkje|not) (?:\w+ ){0,4}?(?:gjenta|gjente|repeat|reiterate) (?:informasjonen|"
           r"svaret|svara|svarene|dette|det|oss|meg|oss selv|oss sjølv|the information|ourselves|this|it|what)|"
           r"(?:must|have to|need to|må|nødt til å|naudt til å) (?:\w+ )?(?:reiterate|gjenta|gjente)|"
           r"(?:gjentatte|gjentekne) (?:ganger|gonger) (?:\w+ ){0,2}?(?:informert|sagt|svart|opplyst|forklart|skrevet|"
           r"skrive|presisert)|(?:informert|sagt|svart|opplyst|forklart|presisert) (?:\w+ ){0,2}?(?:gjentatte|"
           r"gjentekne) "
           r"(?:ganger|gonger)|(?:repeatedly|time and again) (?:said|told|explained|informed|answered)|"
           r"repeated (?:enquiries|inquiries|questions|requests|messages)|gjentatte henvendelser|"
           r"gjentekne førespurnader",
           _REPEATED),
    Phrase(r"(?:remind|minne|minna|påminne)\w* (?:\w+ )?(?:you|deg|dere|dykk|om)?,? (?:once again|yet again|"
           r"nok en gang|nok ein gong)|(?:vennligst|venlegst) merk deg|under no obligation|"
           r"(?:ikke|ikkje) (?:forpliktet|plikta|forplikta) til å (?:svare|svara)|not obliged to (?:respond|reply|"
           r"answer)", _REPEATED),
    # telling the citizen to stop: "Vær så snill å slutte å tagge oss", "kan du kanskje slutte å ringe"
    Phrase(r"(?:slutte|slutta|stoppe|stoppa|la være|late vere|slutt|stopp|kutt|kutte) (?:å|med å|og) (?:\w+ )?"
           r"(?:tagge|tagga|ringe|ringje|skrive|skriva|mase|masa|sende|senda|poste|kommentere|kommentera|spamme|klage|"
           r"klaga|purre|purra|spørre|spørje|sutre|syte|kjefte|banne|rope|skrike|true|plage)|stop (?:\w+ )?(?:tagging|"
           r"calling|messaging|spamming|posting|asking|writing|commenting|sending|complaining|pestering|nagging)",
           _STOP),
    Phrase(r"(?:du|dere|dykk|you) (?:\w+ )?(?:ringer|ringjer|ringte|ringde|skriver|skriv|skrev|spør|spurte|maser|"
           r"masar|purrer|purrar|klager|klagar|tagger|taggar|sender|sendte|call|write|complain|tag|message) (?:oss |"
           r"meg "
           r"|inn |us |me )?(?:hver|kvar|every) (?:eneste |einaste |single )?(?:dag|time|uke|veke|day|hour|week)",
           _STOP),
    # what we expect of the citizen: "Vi forventer at folk holder styr på fristene sine selv"
    Phrase(r"(?:vi|me|kommunen|we) (?:\w+ )?(?:forventer|forventar|expect) (?:at )?(?:folk|du|dere|"
           r"dykk|innbyggerne|innbyggjarane|alle|voksne|vaksne|people|you|residents|everyone) (?:\w+ ){0,2}?(?:holder|"
           r"held|følger med|følgjer med|leser|les|sjekker|sjekkar|setter seg inn|set seg inn|tar ansvar|skjønner|"
           r"skjønar|forstår|vet|veit|husker|hugsar|klarer|greier|keep|read|check|follow|know|understand|remember|"
           r"manage|take)|(?:holder|held|hold|keep) (?:selv |sjølv )?(?:styr|track) (?:på|of) (?:\w+ ){0,2}?(?:selv|"
           r"sjølv|yourself|themselves)", _BLAME),
    # sarcastic asides: "som for øvrig er åpne for alle", "for å si det forsiktig", "as any reasonable person would"
    Phrase(r"som (?:for øvrig|forresten|faktisk|jo|elles) er (?:\w+ )?(?:åpen|åpne|ope|opne|open|tilgjengelig\w*|"
           r"tilgjengeleg\w*|lett å finne|lette å finne|gratis)|(?:for å si det|for å seie det) (?:forsiktig|mildt|"
           r"pent|diplomatisk)|mildt sagt|to put it (?:mildly|politely|nicely)|to say the least|"
           r"(?:as|like) (?:any|every) (?:reasonable|sensible|normal|rational|grown|thinking) (?:\w+ )?(?:person|"
           r"people|adult|human)|(?:som|slik) (?:enhver|ein kvar|kvar|alle|de fleste|dei fleste) (?:fornuftig\w*|"
           r"voksne?|vaksne?|normale?|oppegående|rimelig\w*|rimeleg\w*|tenkende|tenkjande) (?:\w+ )?(?:person|"
           r"menneske|folk|ville|vil|gjør|gjer)|lite (?:konstruktiv\w*|saklig\w*|sakleg\w*|gjennomtenkt\w*)", _MOCKING),
    # accusing the citizen of ignorance: "påstander som åpenbart bygger på manglende kjennskap"
    Phrase(r"(?:bygger|bygg|byggjer|tyder|viser|vitner|based|built|rests?|shows?) (?:\w+ ){0,2}?(?:på|om|on|an?) "
           r"(?:\w+ )?(?:manglende|manglande|mangel på|lack of|limited|poor) (?:\w+ )?(?:kjennskap|kunnskap|forståelse|"
           r"forståing|innsikt|knowledge|understanding)|(?:din|dykkar|your|deres) (?:manglende|manglande|lack of) "
           r"(?:kjennskap|kunnskap|forståelse|forståing|knowledge|understanding)|"
           r"(?:finner|finn|ser|find) (?:det )?(?:lite|ikke|ikkje|not) (?:\w+ )?(?:hensiktsmessig|formålstjenlig|"
           r"nødvendig|naudsynt|meningsfullt|useful|necessary|worthwhile) (?:å|to) (?:kommentere|svare|gå inn på|"
           r"diskutere|gjenta|comment|respond|reply|engage)|(?:åpenbart|openbert|obviously|clearly) "
           r"(?:\w+ ){0,2}?(?:misforstått|misunderstood|uten grunnlag|utan grunnlag|grunnlaust)", _BLAME),
    # passive-aggressive wishes: "Litt tålmodighet hadde vært fint!"
    Phrase(r"(?:litt|lite|noe|noko|a little|a bit of|some) (?:mer |meir |more )?(?:tålmodighet|tolmod|tålmod|"
           r"forståelse|forståing|respekt|folkeskikk|høflighet|høflegheit|patience|understanding|respect|manners)"
           r" (?:hadde|ville|would|could|kunne) (?:\w+ )?(?:vært|vore|være|vere|be|have been|hjulpet|hjelpt|help|gått)",
           _BLAME),
    # blaming everyone: "hvis alle hadde måkt sin egen snø i stedet for å skrive på Facebook"
    Phrase(r"(?:hvis|om|viss|dersom|if) (?:alle|folk|flere|fleire|everyone|people|innbyggerne|innbyggjarane)"
           r" (?:bare |berre |just |only )?(?:hadde|had|'d)(?= \w)|(?:i stedet for|istedenfor|"
           r"i staden for|heller enn|instead of) (?:å )?(?:skrive|skriva|klage|klaga|mase|sitte|sitja|syte|kommentere|"
           r"kommentera|complain\w*|post\w*|writ\w*|moan\w*|whin\w*) (?:\w+ )?(?:på|om|i|on|about)", _BLAME),
    # brushed off: "Da får du bare ringe sentralbordet da.", "Bare så det er sagt"
    Phrase(r"(?:ok|okei|okay|javel|vel)[.,]? (?:da|så|då) (?:får|må) (?:du|dere|dykk|de) (?:bare|berre|vel) \w+|"
           r"(?:da|så|då) (?:får|må) (?:du|dere|dykk|de) (?:bare|berre|vel) [^.!?]{1,60} (?:da|då)[.!]|(?:bare|berre) "
           r"så det er sagt|just so we're clear", _NOT_OURS),
    # rude words
    Phrase(r"(?:patetisk\w*|barnslig\w*|barnsleg\w*|umoden\w*|hjernedød\w*|pathetic|childish|clueless)", _RUDE),
]

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
    Phrase(r"(?:flere|fleire|mange) (?:ganger|gonger) (?:allerede|alt|allereie)", _REPEATED),
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
    Phrase(r"(?:det er|det var) (?:ikke|ikkje) (?:vår|kommunens|kommunen si) (?:feil|skyld|skuld) at (?:du|dere|de|"
           r"dykk)",
           _BLAME),
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
    *FAMILIES,
])

#: Two or more words in capitals (not abbreviations): shouting.
_SHOUTING = re.compile(r"(?<![\w])(?:[A-ZÆØÅ]{3,}[!.,]?\s+){1,}[A-ZÆØÅ]{3,}(?![\w])")
_ABBREVIATIONS = frozenset({"NAV", "SFO", "NRK", "PDF", "BPA", "VTA", "UKM", "FAU", "SMS", "GPS", "LNF", "KID", "BUP",
                            "DPS", "IKT", "PPT", "NVE", "TV", "FHI", "CEO", "USA", "EU", "AKS", "OBS", "NB", "ALTA",
                            "KOMMUNE", "TT", "NN"})


#: Words that, written in capitals in a sentence otherwise in lower case, are shouted: the little words
#: people stress when they are impatient ("det er INGEN parkering", "as we've said MANY times").
_STRESSED = frozenset({
    "ikke", "ikkje", "ingen", "ingenting", "aldri", "alle", "alt", "må", "skal", "er", "har", "var", "stengt", "stengd",
    "allerede", "allereie", "igjen", "før", "etter", "selv", "sjølv", "hele", "heile", "alltid", "bare", "berre", "kun",
    "nei", "du", "deg", "dere", "dykk", "les", "lese", "nå", "mye", "mykje", "mange", "fleire", "flere", "hver", "kvar",
    "fortsatt", "framleis", "not", "never", "any", "all", "many", "must", "again", "already", "closed",
    "only", "every", "always", "nothing", "read", "you", "still", "before", "don't", "won't", "can't", "is", "are",
})
_CAPITAL_WORD = re.compile(r"(?<![\w'])[A-ZÆØÅ][A-ZÆØÅ']+(?![\w'])")
#: Two or more ! or ? in a row, or ?! and !?: impatience, unless the sentence is a happy one.
_EXCLAMATIONS = re.compile(r"[!?]*(?:!{2,}|\?{2,}|!\?|\?!)[!?]*")
_HAPPY = re.compile(r"(?<!\w)(?:takk|tusen takk|gratulerer|gratulera|hurra|velkommen|velkomen|gleder|gler|glad|flott|"
                    r"fantastisk|kjempe\w*|supert|så fint|god jul|godt nyttår|yay|thanks|thank you|congrat\w*|welcome|"
                    r"great|awesome|amazing|happy)(?!\w)|[\U0001F389\U0001F38A\u2764\U0001F60A\U0001F600-\U0001F606]",
                    re.IGNORECASE)
_SHOUTED = "Store bokstaver leses som roping. Skriv med vanlige bokstaver."
_IMPATIENT = "Flere utropstegn eller spørsmålstegn på rad leses som irritasjon. Bruk ett, eller ingen."


def _mostly_lower(sentence: str) -> bool:
    """A sentence mostly in lower case: one word in capitals in it is stressed, not a heading."""
    return sum(c.islower() for c in sentence) > sum(c.isupper() for c in sentence)


def check(text: str) -> list[ReplyWarning]:
    found = [ReplyWarning(Code.TONE, phrase.message, match.start(), match.end()) for phrase, match in TABLE.find(text)]
    for match in _SHOUTING.finditer(text):
        words = re.findall(r"[A-ZÆØÅ]{3,}", match.group(0))
        if sum(word not in _ABBREVIATIONS for word in words) >= 2:
            found.append(ReplyWarning(Code.TONE, _SHOUTED, match.start(), match.end()))
    parts = sentences(text)
    for match in _CAPITAL_WORD.finditer(text):
        if match.group(0).lower() in _STRESSED and len(match.group(0)) >= 2:
            sentence = sentence_at(parts, match.start())
            if sentence is not None and _mostly_lower(sentence.text):
                found.append(ReplyWarning(Code.TONE, _SHOUTED, match.start(), match.end()))
    for match in _EXCLAMATIONS.finditer(text):
        sentence = sentence_at(parts, max(0, match.start() - 1))
        if sentence is None or not _HAPPY.search(sentence.text):
            found.append(ReplyWarning(Code.TONE, _IMPATIENT, match.start(), match.end()))
    return without_overlaps(found)
