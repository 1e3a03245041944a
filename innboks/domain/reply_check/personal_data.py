"""``personal_data`` (blocks the reply): personal data about the citizen or a third person in our
public reply.

- Identity numbers (fødselsnummer, D-nummer, with valid check digits) and bank accounts, always
  (``innboks.domain.pii``).
- Phone numbers and e-mail addresses, unless they are the municipality's own or a public service's
  (the facts registry), an address at the municipality's mail domain, or a role address
  (postmottak@, post@ …); a phone number introduced as a service's ("vakttelefonen …") is one too.
- A home address: a street and house number said to be where someone lives ("du bor i …",
  "adressen din …") or said of a neighbour or a named person.
- A third person named in full (a listed first name and a surname), except the citizen we answer,
  a greeting or signature, and a person named by their public role ("ordfører Kari Hansen").
- A person's health, care services, finances, child-welfare case, police matter or employment, said
  of the citizen or someone else ("sønnen din har ADHD", "moren din står på venteliste til
  sykehjemsplass", "du har en restanse på …", "barnevernet har en sak på familien dykkar", "… er
  ikke lenger ansatt"); a birth date, a child's name with age ("Emma (7)"), a number plate.
"""

from __future__ import annotations

import re

from innboks.domain.names import first_names
from innboks.domain.pii import find_pii
from innboks.domain.reply_check.model import CheckContext, Code, ReplyWarning
from innboks.domain.reply_check.text import Phrase, PhraseTable, any_of, sentence_at, sentences, without_overlaps
from schemas import PiiType

_BLOCKS = "Personopplysninger skal aldri stå i et offentlig svar."
_MESSAGES = {
    PiiType.FODSELSNUMMER: f"Svaret inneholder et fødselsnummer. {_BLOCKS} Fjern det.",
    PiiType.D_NUMMER: f"Svaret inneholder et D-nummer. {_BLOCKS} Fjern det.",
    PiiType.BANK_ACCOUNT: f"Svaret inneholder et kontonummer. {_BLOCKS} Fjern det.",
    PiiType.PHONE: f"Svaret inneholder et telefonnummer som ikke er kommunens (ikke i faktaregisteret). {_BLOCKS} "
                   "Gi heller kommunens eget nummer.",
    PiiType.EMAIL: f"Svaret inneholder en privat e-postadresse. {_BLOCKS} Vis heller til kommunens adresse.",
}
_ADDRESS = f"Svaret sier hvor noen bor. {_BLOCKS} Fjern adressen."
_NAME = (f"Svaret nevner en person med fullt navn. {_BLOCKS} Navngi ikke andre enn den du svarer (og ansatte i sin "
         "rolle).")
_SENSITIVE = (f"Svaret sier noe om en persons helse, økonomi, barnevernssak, politisak eller arbeidsforhold. {_BLOCKS} "
              "Svar generelt, eller ta det i en lukket kanal.")

#: Role mailboxes: post@, postmottak@, kontakt@ … are an organisation's, not a person's.
_ROLE_MAILBOX = re.compile(r"^(?:post|postmottak|postkasse|kontakt|info|firmapost|service|kundeservice|support|"
                           r"servicetorget|sentralbord|booking|faktura|innsyn|personvern|personvernombud|presse|"
                           r"kommunikasjon|nav|no-reply|noreply)[.\-_]?\w*@", re.IGNORECASE)
#: A phone number introduced as a service's, not a person's.
_SERVICE_NUMBER = re.compile(r"(?<!\w)(?:vakt\w*|sentralbord\w*|servicetorg\w*|kundeservice\w*|kundesenter\w*|"
                             r"hjelpetelefon\w*|telefontid\w*|døgnåpen|døgnope|on-call|helpline|hotline|"
                             r"switchboard|emergency line)(?!\w)[^.!?\n]{0,30}$", re.IGNORECASE)
_PERSONAL_NUMBER = re.compile(r"(?<!\w)(?:deg|din|ditt|dine|di|dykk|mobil\w*|privat\w*|you|your|meg|min|mitt|"
                              r"hans|hennes|hennar|naboen)(?!\w)", re.IGNORECASE)

_STREET = (r"[A-ZÆØÅ][a-zæøåé]+(?:-[A-ZÆØÅ]?[a-zæøå]+)?(?:veien|vegen|veg|vei|gata|gate|gaten|stien|stigen|bakken|"
           r"lia|lien|åsen|tunet|allé|alleen|plassen|svingen|ringen|haugen|jordet|feltet|brinken|kroken|toppen|moen|"
           r"myra|vollen|sletta|hagen|neset|holmen|berget|dalen|bukta|fjæra|tun|kaia|brygga|løkka|enga|marka|road|"
           r"street|lane)")
#: A street and a house number (not a range "10–24"), optionally with a letter.
_ADDRESS_PATTERN = re.compile(rf"(?<!\w){_STREET}\s+\d{{1,4}}(?:\s?[A-Za-z](?!\w))?(?!\s*(?:[-–]|til)\s*\d)")
#: A person just before the address: "naboen din i Storgata 4", "Per Hansen i Storgata 4".
_RESIDENT = re.compile(r"(?:naboen|naboane|naboene|nabo|familien|neighbour|[A-ZÆØÅ][a-zæøå]+ [A-ZÆØÅ][a-zæøå]+)"
                       r"[^.!?]{0,20}(?:i|på|in|at),?\s*$")
_LIVES = re.compile(r"(?<!\w)(?:bor|bur|bodde|budde|busett|bosatt|adresse\w*|heimeadresse\w*|hjemmeadresse\w*|"
                    r"hjemme hos|heime hos|huset (?:ditt|hans|hennes|hennar|deira|deres)|lives?|living|address)(?!\w)",
                    re.IGNORECASE)

#: A listed first name followed by a capitalised surname.
_FULL_NAME = re.compile(r"(?<![\w@#])([A-ZÆØÅÁČĐŊŠŦŽ][a-zæøåäöüáčđŋšŧž]+)(?:-[A-ZÆØÅ][a-zæøå]+)?"
                        r"(?: [A-ZÆØÅ][a-zæøå]+)? ([A-ZÆØÅ][a-zæøåäöü]+(?:-[A-ZÆØÅ][a-zæøå]+)?)")
_GREETING = re.compile(r"(?:^|[.!?\n]\s*)(?:hei|hallo|heisann|kjære|god morgen|god dag|god kveld|hi|hello|dear|"
                       r"bures|buorre beaivi)[,!]?\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"(?:hilsen|helsing|mvh|med vennlig hilsen|vennlig hilsen|venleg helsing|regards|best|"
                        r"kind regards|cheers|–|-|/)\s*,?\s*$", re.IGNORECASE)
_ROLE = re.compile(r"(?:ordfører(?:en)?|varaordfører(?:en)?|rådmann(?:en)?|kommunedirektør(?:en)?|kommunalsjef(?:en)?|"
                   r"rektor(?:en)?|styrer(?:en)?|enhetsleder(?:en)?|einingsleiar(?:en)?|virksomhetsleder(?:en)?|"
                   r"avdelingsleder(?:en)?|leder|leiar|sjef(?:en)?|kommuneoverlege(?:n)?|kommunelege(?:n)?|"
                   r"saksbehandler(?:en)?|saksbehandlar(?:en)?|rådgiver|rådgjevar|seniorrådgiver|konsulent|"
                   r"kommunikasjonsrådgiver|kommunikasjonssjef|pressekontakt|informasjonssjef|daglig leder|"
                   r"kontaktperson(?:en)?|prosjektleder|prosjektleiar|mayor|chief executive|head teacher|"
                   r"principal|case officer|advisor)(?: for [\w ]{1,40}?)?(?: er| is)?[,:]?\s*$", re.IGNORECASE)
#: Naming someone to thank or congratulate them in public is not exposing them.
_PRAISE = re.compile(r"(?:gratulerer|gratulere|gratulasjon\w*|takk|thanks|thank you|congratulations)(?: til| to| med)?"
                     r"\s*$", re.IGNORECASE)

#: Someone the sentence is about: the citizen, a relative of theirs, a third person.
_RELATIVE = any_of([r"moren", r"mora", r"mor", r"faren", r"far", r"sønnen", r"sonen", r"datteren", r"dottera",
                    r"barnet", r"barna", r"borna", r"mannen", r"kona", r"samboeren", r"svigermor", r"svigerfar",
                    r"bestemor", r"bestefar", r"broren", r"bror", r"søsteren", r"syster", r"søster", r"naboen",
                    r"naboane", r"naboene"])
_POSSESSIVE = any_of([r"din", r"di", r"ditt", r"dine", r"hans", r"hennes", r"hennar", r"deres", r"dykkar", r"deira",
                      r"sin", r"si", r"sitt", r"your", r"his", r"her", r"their"])
#: The listed first names, capitalised: a name as the subject of a sentence.
_NAMES = "(?-i:" + any_of(sorted((name[0].upper() + name[1:] for name in first_names()), key=len, reverse=True)) + ")"
_SUBJECT = (rf"(?:du|dere|de|dykk|dokker|han|hun|ho|vedkommende|vedkomande|personen|eleven|den ansatte|den tilsette|"
            rf"læreren|læraren|naboen|he|she|you|{_NAMES}|{_RELATIVE}(?: {_POSSESSIVE})?|"
            rf"your (?:son|daughter|mother|father|neighbour|husband|wife|child))")
_HEALTH = any_of([r"diagnose\w*", r"adhd", r"autisme", r"autist\w*", r"asperger\w*", r"demens", r"dement",
                  r"kreft", r"kreftsyk\w*", r"sykmeldt", r"sjukmeld\w*", r"sykemeldt", r"psykisk syk", r"psykisk sjuk",
                  r"psykiske (?:problem\w*|lidel\w*|plager|vanskar)", r"depresjon", r"deprimert", r"rusproblem\w*",
                  r"rusavhengig", r"alkoholiker", r"innlagt", r"ferdigbehandl\w*", r"utskrevet", r"operert",
                  r"diabetes", r"epilepsi", r"hjerneslag", r"diagnosed", r"on sick leave", r"depressed",
                  r"dementia", r"cancer", r"autism", r"disabled", r"funksjonshemm\w*", r"utviklingshemm\w*"])
_CARE = any_of([r"sykehjemsplass\w*", r"sjukeheimsplass\w*", r"sykehjem\w*", r"sjukeheim\w*", r"hjemmesykepleie\w*",
                r"heimesjukepleie\w*", r"hjemmetjenest\w*", r"heimeteneste\w*", r"trygghetsalarm\w*",
                r"tryggleiksalarm\w*", r"avlastning\w*", r"avlasting\w*", r"støttekontakt\w*", r"bpa",
                r"omsorgsbolig\w*", r"omsorgsbustad\w*", r"dagsenter\w*", r"langtidsplass\w*", r"korttidsplass\w*",
                r"omsorgsstønad\w*", r"assistent på skolen", r"spesialundervisning\w*", r"ppt", r"home care",
                r"care home", r"nursing home"])
_GENERAL_START = re.compile(r"^\W*(?:er|har|vil|skal|kan|må|får|treng|trenger|\w+er|\w+ar) (?:du|dere|de|dykk)\b",
                            re.IGNORECASE)
#: A condition or a general statement before a sensitive word takes the person out of it.
_GENERAL = re.compile(r"(?<!\w)(?:hvis|dersom|viss|if|om du|når du|alle|taushetsplikt\w*|teieplikt\w*|"
                      r"enkeltpersoner|enkeltpersonar|enkeltsaker|ingen|trenger ikke|treng ikkje|kan søke|kan søkje|"
                      r"can apply)(?!\w)", re.IGNORECASE)

#: A person's health, care, finances, child-welfare case, police matter or employment, and what
#: identifies a child or a car.
SENSITIVE = PhraseTable([
    Phrase(rf"{_SUBJECT},? (?:[\w,]+ ){{0,4}}?(?:har|hadde|fikk|fekk|har fått|er|var|ble|blei|vart|har vært|har vore|"
           rf"lider av|sliter med|strever med|has|had|is|was|suffers from|has been) (?:\w+ ){{0,2}}?{_HEALTH}",
           _SENSITIVE),
    Phrase(rf"(?:diagnosen|sykdommen|sjukdomen|sjukdommen|plagene|medisinene|medisinane|operasjonen) "
           rf"(?:{_POSSESSIVE})|(?:din|hans|hennes|your|his|her) (?:diagnose|sykdom|diagnosis|illness|medication)",
           _SENSITIVE),
    Phrase(rf"(?:(?:mottatt|motteke|fått|sett|lest|received|seen|read) (?:\w+ ){{0,2}}?)?"
           rf"(?:legeerklæring\w*|sykmelding\w*|sjukmelding\w*|legeattest\w*|helseopplysning\w*|journalen|"
           rf"epikrise\w*|doctor's (?:certificate|note)|medical (?:certificate|records)|sick note)"
           rf" (?:{_POSSESSIVE}|om deg|om han|om henne|om ho)|(?:your|his|her) (?:doctor's (?:certificate|note)|"
           rf"medical (?:certificate|records)|sick note)", _SENSITIVE),
    Phrase(rf"(?:snakket|snakka|pratet|vært i kontakt|vore i kontakt|hatt kontakt|fått beskjed|fått brev|spoken|"
           rf"talked) (?:med|fra|frå|with|to) (?:legen|fastlegen|psykologen|helsesykepleieren|helsesøster|"
           rf"behandleren|sykehuset|sjukehuset|barnevernet|your doctor|your gp)(?: {_POSSESSIVE}| til \w+)?",
           _SENSITIVE),
    Phrase(rf"{_RELATIVE} (?:{_POSSESSIVE}) (?:[\w,]+ ){{0,8}}?{_CARE}|{_CARE} (?:\w+ ){{0,2}}?(?:for|til|hos|to) "
           rf"{_RELATIVE}(?: {_POSSESSIVE})?", _SENSITIVE),
    Phrase(rf"{_SUBJECT} (?:\w+ ){{0,2}}?(?:mottar|mottek|får|fikk|fekk|har fått|har|går på|lever av|har søkt om|"
           rf"søkte om|receives?|gets?) (?:\w+ ){{0,2}}?(?:økonomisk )?(?:sosialhjelp|sosialstønad|uføretrygd|"
           rf"arbeidsavklaringspenger|aap|bostøtte|social assistance|welfare|disability benefit)", _SENSITIVE),
    Phrase(rf"{_SUBJECT} (?:\w+ ){{0,3}}?(?:skylder|skuldar|står med|står oppført med|står registrert med|"
           rf"har|hadde|still owe|owe|owes) (?:\w+ ){{0,4}}?(?:restanse\w*|gjeld|inkasso\w*|ubetalt\w*|\d[\d ]* "
           rf"(?:kroner|kr)|betalingsanmerkning\w*|utestående|debt|arrears|unpaid)", _SENSITIVE),
    Phrase(r"(?:sendt|gått|oversendt|gone|sent) (?:\w+ ){0,2}?(?:til|to) (?:inkasso|debt collection)", _SENSITIVE),
    Phrase(rf"barnevernet (?:har|hadde|kjenner) (?:\w+ ){{0,4}}?(?:sak|kontakt|undersøkelse|undersøking|tiltak|"
           rf"oppfølging|bekymringsmelding\w*) (?:\w+ ){{0,2}}?(?:på|med|hos|om|i) (?:familien|dere|dykk|deg|dei|dem|"
           rf"han|henne|ho|barnet|barna|borna|{_RELATIVE})", _SENSITIVE),
    Phrase(r"(?:sak|undersøkelsessak\w*|undersøking|bekymringsmelding\w*) (?:\w+ ){0,1}?(?:på|om|hos) (?:familien|"
           r"dere|dykk|deg|han|henne|ho|dem|dei|den familien|naboen|barnet|barna)", _SENSITIVE),
    Phrase(rf"{_SUBJECT} (?:\w+ ){{0,3}}?(?:er|bor|bur|har vært|har vore|blir|ble|vart) (?:\w+ ){{0,2}}?"
           rf"(?:fosterhjem\w*|beredskapshjem\w*|beredskapsheim\w*|institusjon|akuttplassert|plassert)", _SENSITIVE),
    Phrase(rf"{_SUBJECT} (?:[\w,]+ ){{0,8}}?(?:er|ble|blei|vart|har blitt|har vorte|has been|been|was|is) "
           rf"(?:\w+ ){{0,1}}?"
           rf"(?:anmeldt|politianmeldt|siktet|sikta|dømt|straffedømt|arrestert|pågrepet|oppsagt|sagt opp|"
           rf"avskjediget|suspendert|permittert|reported to the police|arrested|charged|convicted|dismissed|fired|"
           rf"suspended)", _SENSITIVE),
    Phrase(r"(?:ikke|ikkje) lenger (?:ansatt|jobber|tilsett|jobbar|arbeider|arbeider her|employed)|no longer "
           r"(?:works|employed)", _SENSITIVE),
    Phrase(r"(?:født|fødd|born|fødselsdato|date of birth)(?: den| on)? \d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}", _SENSITIVE),
    Phrase(r"[A-ZÆØÅ][a-zæøå]+,? \(\d{1,2}(?: år| years?)?\)", _SENSITIVE, case_sensitive=True),
    Phrase(r"(?:registreringsnummer|regnr\.?|skiltnummer|bilnummer|kjennemerke)?\s?[A-Z]{2} ?\d{5}", _SENSITIVE,
           case_sensitive=True),
])


def check(text: str, context: CheckContext) -> list[ReplyWarning]:
    found: list[ReplyWarning] = []
    for finding in find_pii(text):
        written = text[finding.start:finding.end]
        if finding.type is PiiType.EMAIL and (context.official.has_email(written) or _ROLE_MAILBOX.match(written)):
            continue
        if finding.type is PiiType.PHONE and (context.official.has_number(written)
                                              or _service_number(text, finding.start)):
            continue
        found.append(ReplyWarning(Code.PERSONAL_DATA, _MESSAGES[finding.type], finding.start, finding.end))
    found.extend(_addresses(text, context))
    found.extend(_third_persons(text, context))
    found.extend(_sensitive(text))
    return without_overlaps(found)


def _service_number(text: str, start: int) -> bool:
    before = text[max(0, start - 40):start]
    return _SERVICE_NUMBER.search(before) is not None and _PERSONAL_NUMBER.search(before) is None


def _addresses(text: str, context: CheckContext) -> list[ReplyWarning]:
    found = []
    parts = sentences(text)
    for match in _ADDRESS_PATTERN.finditer(text):
        if match.group(0).lower() in context.official.addresses:
            continue
        sentence = sentence_at(parts, match.start())
        before = text[sentence.start if sentence else 0:match.start()]
        if _LIVES.search(before) or _RESIDENT.search(before):
            found.append(ReplyWarning(Code.PERSONAL_DATA, _ADDRESS, match.start(), match.end()))
    return found


def _third_persons(text: str, context: CheckContext) -> list[ReplyWarning]:
    names = first_names()
    citizen = {part.lower() for part in (context.citizen_name or "").split()}
    found = []
    for match in _FULL_NAME.finditer(text):
        first, last = match.group(1), match.group(2)
        if first.lower() not in names:
            continue
        if first.lower() in citizen and (not citizen - {first.lower()} or last.lower() in citizen):
            continue
        before = text[:match.start()]
        if any(pattern.search(before) for pattern in (_GREETING, _SIGNATURE, _ROLE, _PRAISE)):
            continue
        found.append(ReplyWarning(Code.PERSONAL_DATA, _NAME, match.start(), match.end()))
    return found


def _sensitive(text: str) -> list[ReplyWarning]:
    found = []
    parts = sentences(text)
    for _phrase, match in SENSITIVE.find(text):
        sentence = sentence_at(parts, match.start())
        before = text[sentence.start:match.start()] if sentence else ""
        if _GENERAL.search(before) or _GENERAL_START.search(before + match.group(0)):
            continue
        found.append(ReplyWarning(Code.PERSONAL_DATA, _SENSITIVE, match.start(), match.end()))
    return found
