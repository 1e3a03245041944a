"""``personal_data`` (blocks the reply): personal data about the citizen or a third person in our
public reply.

- Identity numbers (fødselsnummer, D-nummer, with valid check digits) and bank accounts, always
  (``innboks.domain.pii``).
- Phone numbers and e-mail addresses, unless they are the municipality's own or a public service's
  (the facts registry), an address at the municipality's mail domain, or a role address
  (postmottak@, post@ …); a phone number introduced as a service's ("vakttelefonen …") is one too.
- A home address: a street and house number said to be where someone lives ("du bor i …",
  "adressen din …") or written with a postcode.
- A third person named in full (a listed first name and a surname), except the citizen we answer,
  a greeting or signature, and a person named by their public role ("ordfører Kari Hansen").
- A person's health, finances, child-welfare case, police matter or employment, said of the citizen
  or someone else ("sønnen din har ADHD", "du har en restanse på …", "barnevernet har en sak på
  familien dykkar", "… er ikke lenger ansatt").
"""

from __future__ import annotations

import re

from innboks.domain.names import first_names
from innboks.domain.pii import find_pii
from innboks.domain.reply_check.model import CheckContext, Code, ReplyWarning
from innboks.domain.reply_check.text import any_of, sentence_at, sentences
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
#: A street and a house number (not a range "10–24"), optionally a letter and a postcode.
_ADDRESS_PATTERN = re.compile(rf"(?<!\w){_STREET}\s+\d{{1,4}}(?:\s?[A-Za-z](?!\w))?(?!\s*(?:[-–]|til)\s*\d)"
                              rf"(?P<postcode>,?\s+\d{{4}}\s+[A-ZÆØÅ]\w+)?")
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
                   r"principal|case officer|advisor)[,:]?\s*$", re.IGNORECASE)

_PERSON = any_of([r"du", r"deg", r"din", r"ditt", r"dine", r"di", r"dere", r"dykk", r"dykkar", r"dokker", r"han",
                  r"hun", r"ho", r"henne", r"hans", r"hennes", r"hennar", r"moren", r"mora", r"mor", r"faren", r"far",
                  r"sønnen", r"sonen", r"datteren", r"dottera", r"barnet", r"naboen", r"læreren", r"læraren",
                  r"den ansatte", r"den tilsette", r"familien", r"you", r"your", r"his", r"her", r"him", r"their",
                  r"neighbour", r"son", r"daughter", r"mother", r"father"])
#: Health, finances, child welfare, police and employment, said of a person.
_SENSITIVE_TERMS = re.compile(
    r"(?<!\w)(?:diagnose\w*|diagnos\w*|adhd|autis\w*|demens|dement\w*|kreft\w*|sykmeldt|sjukmeld\w*|sykemeldt|"
    r"innlagt|psykisk sy\w*|psykiske (?:problem\w*|lidel\w*|plager)|depresjon\w*|deprimert|rusproblem\w*|rusmisbruk\w*|"
    r"rusavhengig\w*|alkoholiker|ferdigbehandl\w*|utskrevet|sykdommen (?:din|hans|hennes|hennar)|"
    r"sjukdomen (?:din|hans|hennar)|sosialhjelp\w*|sosialstønad\w*|økonomisk stønad|uføretrygd\w*|restanse\w*|"
    r"inkasso\w*|betalingsanmerkning\w*|ubetalt\w*|skylder|skuldar|gjelda (?:di|hans)|gjelden (?:din|hans|hennes)|"
    r"sak på familien|sak på dere|sak på dykk|sak på deg|undersøkelsessak\w*|bekymringsmelding (?:om|på) "
    r"(?:den|dere|dykk|deg|familien|han|henne|ho|dem)|fosterhjem\w*|omsorgsovertakelse\w*|akuttplassert|anmeldt|"
    r"politianmeld\w*|siktet|sikta|straffedømt|dømt for|straffet|ikke lenger (?:ansatt|jobber|tilsett)|"
    r"ikkje lenger (?:tilsett|jobbar)|oppsagt|sagt opp|avskjed\w*|suspendert|permittert|"
    r"owe[sd]?|debt collection|diagnosed|on sick leave|arrested|convicted)(?!\w)", re.IGNORECASE)
_PERSON_NEAR = re.compile(rf"(?<!\w){_PERSON}(?!\w)", re.IGNORECASE)
#: A general statement about confidentiality or about how things work, not about a person.
_GENERAL = re.compile(r"(?<!\w)(?:hvis|dersom|viss|if|er du|har du|om du er|kan ikke|kan ikkje|cannot|can't|"
                      r"taushetsplikt\w*|teieplikt\w*|enkeltpersoner|enkeltpersonar|enkeltsaker|alle som)(?!\w)",
                      re.IGNORECASE)


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
    return _without_overlaps(found)


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
        if match.group("postcode") or _LIVES.search(before) or _PERSON_NEAR.search(before[-25:]):
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
        if _GREETING.search(before) or _SIGNATURE.search(before) or _ROLE.search(before):
            continue
        found.append(ReplyWarning(Code.PERSONAL_DATA, _NAME, match.start(), match.end()))
    return found


def _sensitive(text: str) -> list[ReplyWarning]:
    found = []
    for sentence in sentences(text):
        for match in _SENSITIVE_TERMS.finditer(sentence.text):
            before = sentence.text[:match.start()]
            if _GENERAL.search(before):
                continue
            window = sentence.text[max(0, match.start() - 60):match.end() + 40]
            if _PERSON_NEAR.search(window) or _FULL_NAME.search(sentence.text) or _first_name_in(sentence.text):
                found.append(ReplyWarning(Code.PERSONAL_DATA, _SENSITIVE, sentence.start + match.start(),
                                          sentence.start + match.end()))
                break
    return found


def _first_name_in(text: str) -> bool:
    names = first_names()
    return any(word.lower() in names for word in re.findall(r"(?<![\w.!?] )\b[A-ZÆØÅ][a-zæøå]+\b", text)[1:])


def _without_overlaps(warnings: list[ReplyWarning]) -> list[ReplyWarning]:
    kept: list[ReplyWarning] = []
    for warning in sorted(warnings, key=lambda w: (w.start or 0, -(w.end or 0))):
        if any((k.start or 0) <= (warning.start or 0) < (k.end or 0) for k in kept):
            continue
        kept.append(warning)
    return kept
