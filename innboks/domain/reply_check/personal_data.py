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
from innboks.domain.reply_check import lexicon
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
_SERVICE_NUMBER = re.compile(r"(?<!\w)(?:\w*vakt\w*|\w+(?:tjenesten|tenesta|kontoret|senteret|sentralen|stasjonen|"
                             r"etaten|avdelingen|avdelinga)|sentralbord\w*|servicetorg\w*|kundeservice\w*|kundesenter\w*|"
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
_RESIDENT = re.compile(r"(?:(?i:naboen|naboane|naboene|nabo|familien|neighbour)|[A-ZÆØÅ][a-zæøå]+ [A-ZÆØÅ][a-zæøå]+)"
                       r"[^.!?]{0,20}(?:i|på|in|at),?\s*(?:[A-ZÆØÅ][a-zæøå]+\s+){0,2}$")
_LIVES = re.compile(r"(?<!\w)(?:bor|bur|bodde|budde|busett|bosatt|adresse\w*|heimeadresse\w*|hjemmeadresse\w*|"
                    r"(?:hos|til|ved|utenfor|utanfor) (?:deg|dere|dykk|han|henne|ho|you)|"
                    r"hjemme hos|heime hos|lives?|living|address|(?:huset|leiligheten|leilegheita|leiligheita|boligen|"
                    r"bustaden|hytta|hytten|eiendommen|eigedomen|tomta|tomten|hjemmet|heimen|garasjen|house|flat|"
                    r"apartment|home|property) (?:din|di|ditt|dine|hans|hennes|hennar|deira|deres|dykkar|your|his|her|"
                    r"their))(?!\w)",
                    re.IGNORECASE)

#: A listed first name followed by a capitalised surname.
_FULL_NAME = re.compile(r"(?<![\w@#])([A-ZÆØÅÁČĐŊŠŦŽ][a-zæøåäöüáčđŋšŧž]+)(?:-[A-ZÆØÅ][a-zæøå]+)?"
                        r"(?: [A-ZÆØÅ][a-zæøå]+)? ([A-ZÆØÅ][a-zæøåäöü]+(?:-[A-ZÆØÅ][a-zæøå]+)?)")
_GREETING = re.compile(r"(?:^|[.!?\n]\s*)(?:hei|hallo|heisann|kjære|god morgen|god dag|god kveld|hi|hello|dear|"
                       r"bures|buorre beaivi),?\s*$", re.IGNORECASE)
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
                r"heimesjukepleie\w*", r"hjemmetjenest\w*", r"heimetenest\w*", r"trygghetsalarm\w*",
                r"tryggleiksalarm\w*", r"avlastning\w*", r"avlasting\w*", r"støttekontakt\w*", r"bpa",
                r"omsorgsbolig\w*", r"omsorgsbustad\w*", r"dagsenter\w*", r"langtidsplass\w*", r"korttidsplass\w*",
                r"omsorgsstønad\w*", r"assistent på skolen", r"spesialundervisning\w*", r"ppt", r"home care",
                r"care home", r"nursing home"])
#: A question or condition by inversion at the start ("Har du brystsmerter, ring 113", "Mottar du
#: sosialhjelp, kan du …", "Do you have …"), or guidance in the imperative ("Ring legevakten …", "Spør
#: fastlegen din om henvisning", "Contact the health centre …"): general, not about the person.
_GENERAL_START = re.compile(
    r"^\W*(?:(?:er|har|vil|skal|kan|må|får|treng|trenger|\w+er|\w+ar|is|are|do|does|have|has) (?:du|dere|de|dykk|"
    r"noen|nokon|barnet|barnet ditt|barnet di|eleven|you|your child|anyone|someone)\b|(?:ring|ringe|ringj|kontakt|"
    r"ta kontakt|send|spør|snakk|les|søk|sjekk|bestill|meld|gå|husk|hugs|bruk|skriv|fyll ut|last ned|logg inn|"
    r"besøk|kom|call|contact|ask|talk|speak|read|apply|check|book|visit|see|get in touch|fill in|log in)\b)",
    re.IGNORECASE)
#: A condition, a general statement, a topic or an offer before a sensitive word takes the person out of it
#: ("hvis du …", "alle som …", "spørsmål om spesialundervisning …", "vi kan hjelpe deg med søknad om …").
_GENERAL = re.compile(r"(?<!\w)(?:hvis|dersom|viss|if|om du|når du|alle|taushetsplikt\w*|teieplikt\w*|kan få|"
                      r"ved manglende|ved manglande|ved for sen|ved for sein|unless|i tilfelle|"
                      r"kan du få|risikerer|risikerar|can get|might get|may get|"
                      r"enkeltpersoner|enkeltpersonar|enkeltsaker|ingen|trenger ikke|treng ikkje|kan søke|kan søkje|"
                      r"can apply|spørsmål (?:om|knyttet til|knytt til|rundt)|questions? (?:about|on|regarding)|"
                      r"informasjon om|info om|mer om|meir om|les om|lese om|read about|information (?:about|on)|"
                      r"more about|kurs om|kurs i|tilbud om|tilbod om|tilbud til|tilbod til|tilbudet (?:om|til)|"
                      r"tilbodet (?:om|til)|søknad om|søknader om|søknadsskjema\w*|skjema(?:et)? for|application "
                      r"forms?|apply for|kan hjelpe|kan gi|kan svare|kan ikke (?:svare|si|gå inn|diskutere|kommentere)|"
                      r"kan ikkje (?:svare|seie|gå inn|diskutere|kommentere)|hjelper (?:deg |dykk |dere )?gjerne|"
                      r"svarer gjerne|can help|happy to help|can't (?:discuss|comment|answer|say)|cannot (?:discuss|"
                      r"comment|answer|say)|mange|folk|personer som|people who|those who|anyone who|everyone)(?!\w)",
                      re.IGNORECASE)

#: Who a sensitive fact can be about, as the subject of the sentence: the citizen, a pronoun, a listed
#: first name, or a relative or neighbour of theirs ("mor di", "din sønn", "gutten din").
_KIN = any_of([r"mor", r"moren", r"mora", r"mamma", r"mammaen", r"far", r"faren", r"pappa", r"pappaen", r"sønn",
               r"sønnen", r"son", r"sonen", r"gutten", r"guten", r"jenta", r"jenten", r"datter", r"datteren", r"dotter",
               r"dottera", r"barnet", r"barna", r"borna", r"ungen", r"ungane", r"ungene", r"mannen", r"kona", r"kone",
               r"samboer", r"samboeren", r"ektefelle", r"ektefellen", r"kjæresten", r"partneren", r"bestemor",
               r"bestefar", r"besteforeldre", r"mormor", r"morfar", r"farmor", r"farfar", r"svigermor", r"svigerfar",
               r"bror", r"broren", r"bror", r"søster", r"søsteren", r"syster", r"systera", r"onkel", r"tante",
               r"nabo", r"naboen", r"naboane", r"naboene", r"eleven", r"pasienten", r"brukeren", r"brukaren",
               r"son", r"daughter", r"mother", r"father", r"mum", r"mom", r"dad", r"husband", r"wife", r"partner",
               r"child", r"children", r"kids?", r"neighbou?r", r"brother", r"sister", r"grandmother", r"grandfather",
               r"svoger", r"svogeren", r"svigerinne", r"svigerinna", r"svigersønn", r"svigerdatter", r"barnebarn",
               r"barnebarnet", r"fetter", r"fetteren", r"kusine", r"kusina", r"kusinen", r"nevø", r"nevøen", r"niese",
               r"niesa", r"niesen", r"stesønn", r"stesønnen", r"stedatter", r"stedatteren", r"stemor", r"stefar",
               r"fosterbarn", r"fosterbarnet", r"leietaker", r"leietakeren", r"leigetakar", r"kollega", r"kollegaen",
               r"tenant", r"colleague", r"grandson", r"granddaughter", r"cousin", r"nephew", r"niece", r"stepson",
               r"stepdaughter", r"brother-in-law", r"sister-in-law", r"mother-in-law", r"father-in-law"])
#: Nouns a possessive ties to one person: their doctor, teacher or caseworker, their case, bill, test or
#: appointment ("fastlegen din", "søknaden din", "your results"), not their things ("bilen din").
_OWNER_NOUN = any_of([
    r"fastlege(?:n)?", r"lege(?:n)?", r"psykolog(?:en)?", r"sykepleier(?:en)?", r"sjukepleiar(?:en)?", r"lærer(?:en)?",
    r"lærar(?:en)?", r"kontaktlærer(?:en)?", r"kontaktlærar(?:en)?", r"saksbehandler(?:en)?", r"saksbehandlar(?:en)?",
    r"verge(?:n)?", r"søknad(?:en|ene|ane)?", r"sak(?:en|a|ene|ene)?", r"klage(?:n)?", r"klaga", r"vedtak(?:et)?",
    r"faktura(?:en|ene|er)?", r"rekning(?:a|ar|ane)?", r"regning(?:en|a|er|ene)?", r"gebyr(?:et|a|ene)?", r"time(?:n)?",
    r"timane", r"timene", r"prøve(?:n|ne|ane|svar\w*)?", r"resultat(?:et|ene|a)?", r"konto(?:en)?", r"journal(?:en)?",
    r"GP", r"doctor", r"nurse", r"teacher", r"caseworker", r"case", r"application", r"appeal", r"bills?",
    r"invoices?", r"results?", r"appointment", r"tests?", r"account"])
_ADDRESS_REF = (r"[A-ZÆØÅ][a-zæøåé]+(?:-[A-ZÆØÅ]?[a-zæøå]+)?(?:veien|vegen|veg|vei|gata|gate|gaten|stien|stigen|"
                r"bakken|lia|lien|åsen|tunet|allé|alleen|plassen|svingen|ringen|haugen|jordet|feltet|brinken|kroken|"
                r"toppen|moen|myra|vollen|sletta|hagen|neset|holmen|berget|dalen|bukta|fjæra|road|street|lane)"
                r"\s+\d{1,4}(?:\s?[A-Za-z](?!\w))?(?!\s*(?:[-–]|til)\s*\d)")
#: A property's cadastral number: "gnr. 22 bnr. 145", "gards- og bruksnummer 22/145".
_CADASTRAL = (r"(?:gnr|g\.nr|gårdsnr|gardsnr|gårdsnummer|gardsnummer)\.?\s*\d+\s*[,/]?\s*(?:og\s+)?"
              r"(?:bnr|b\.nr|bruksnr|bruksnummer)\.?\s*\d+|(?:gnr|gårdsnummer|gardsnummer)\.?\s*/\s*"
              r"(?:bnr|bruksnummer)\.?\s*\d+\s*/\s*\d+|(?:gards- og bruksnummer|gårds- og bruksnummer|gnr\./bnr\.?)"
              r"\s*\d+\s*/\s*\d+")
_PERSON_SUBJECT = re.compile(
    rf"(?<!\w)(?:{_NAMES}|(?:du|dere|dykk|han|hun|ho|he|she|you|you're|you've|he's|she's|they|deg|henne|ham|him)|"
    rf"{_KIN} (?:{_POSSESSIVE})|(?:{_POSSESSIVE}) {_KIN}|{_KIN} (?:til|åt) (?:deg|dykk|dere|han|henne|ho)|"
    rf"\w*\d*-?åring(?:en|ane|ene)?(?: (?:{_POSSESSIVE}))?|(?:{_OWNER_NOUN}) (?:din|di|ditt|dine|hans|hennes|hennar|"
    rf"dykkar|deira)|(?:din|ditt|dine|your|his|their) (?:\w+ )?(?:{_OWNER_NOUN})|(?-i:{_ADDRESS_REF})|{_CADASTRAL})"
    rf"(?!\w)",
    re.IGNORECASE)
#: A possessive right before or after a sensitive fact owns it: "his anxiety", "your blood test results",
#: "gjelda hans".
_OWNER_BEFORE = re.compile(r"(?:(?<!\w)(?:your|his|their)|(?:^|(?<!\w)(?:om|av|på|med|til|for|og|at|i))\s+"
                           r"(?:din|ditt|dine|hans|hennes|hennar|dykkar|deira))\s+$", re.IGNORECASE)
_OWNER_AFTER = re.compile(r"^\s+(?:din|di|ditt|dine|hans|hennes|hennar|dykkar|deira)(?!\w)", re.IGNORECASE)
#: What is sensitive to say of a person in public, by category (``lexicon.py``): health, care services,
#: benefits and debt, child welfare, police and courts, school, work, a building case or a complaint
#: about them, immigration status.
_FACT = lexicon.compiled()
#: A sensitive fact owned: "sosialhjelpen din", "fraværet hans", "diagnosen til mor di".
_OWNED_FACT = re.compile(r"(?<!\w)(?:diagnosen|sykdommen|sjukdomen|sjukdommen|medisinene|medisinane|"
                         r"sosialhjelpa|sosialhjelpen|stønaden|trygda|trygden|uføretrygda|uføretrygden|"
                         r"gjelda|gjelden|restansen|fraværet|fråværet|sykmeldingen|sjukmeldinga|"
                         r"barnevernssaka|barnevernssaken|straffesaka|straffesaken|legeerklæringa|legeerklæringen) "
                         rf"(?:{_POSSESSIVE}|til (?:deg|han|henne|ho|dykk|dere|mor di|far di|moren din|"
                         rf"faren din))(?!\w)",
                         re.IGNORECASE)
#: Praise of a service ("dere er fornøyde med hjemmetjenesten") is thanked for, not disclosed.
_PRAISED = re.compile(r"(?<!\w)(?:fornøyd|fornøyde|nøgd|nøgde|happy with|satisfied with|pleased with|glad for|"
                      r"glade for|"
                      r"god for|bra for|takknemlig|takksam|grateful)(?!\w)", re.IGNORECASE)
#: How far apart (in characters) the person and the fact may stand in one sentence.
_NEAR = 90
#: A person right after these is not the subject of a fact: a condition ("hvis du"), the object of a
#: preposition ("til deg").
_NOT_SUBJECT_BEFORE = re.compile(r"(?<!\w)(?:hvis|dersom|viss|om|når|if|when|unless|til|for|med|hos|på|to|with|"
                                 r"thank|thanks)\s+$", re.IGNORECASE)
#: In an offer ("vi kan hjelpe deg med …", "we can help you with …"), the object of these verbs is not
#: the one a fact is about.
_OFFERED_TO = re.compile(r"(?<!\w)(?:hjelpe|hjelper|hjelpa|kontakte|kontakter|ringe|gi|gir|gje|gjev|sende|sender|minne|"
                         r"informere|invitere|tilby|tilbyr|ønsker|ønskjer|help|helps|contact|tell|give|send|remind|"
                         r"invite|offer|wish|can|may)\s+$", re.IGNORECASE)
_OFFER = re.compile(r"(?<!\w)(?:kan|kunne|vil gjerne|gjerne|can|could|happy to|glad to|ønsker å|ønskjer å|tilbyr|"
                    r"tilbyd|offer|offers|hjelper|hjelp)(?!\w)", re.IGNORECASE)
#: "you" after a modal or a present-tense verb, the topic first: guidance ("Trygghetsalarm søker du om hos
#: tildelingskontoret", "Friplass kan du søke om hvis …").
_GUIDANCE_INVERTED = re.compile(r"(?<!\w)(?:kan|kunne|må|bør|skal|søker|søkjer|tar|tek|finner|finn|får|fær|sender|"
                                r"ringer|ringjer|leverer|melder|bestiller|bestiller|gjør|gjer)\s+$", re.IGNORECASE)
_PRONOUN = re.compile(r"du|dere|dykk|han|hun|ho|he|she|you|you're|you've|he's|she's|they|deg|henne|ham|him",
                      re.IGNORECASE)
#: A person followed by these is "you" in general guidance ("du kan søke om avlastning", "du trenger ingen
#: henvisning").
_GENERAL_AFTER = re.compile(r"^\s+(?:kan|kunne|can|could|may|might|finner|finn|bør|burde|should|trenger|treng|"
                            r"må ha|må få|må gjerne|kan gjerne|er velkommen|er velkomen|are welcome|søker|søkjer|"
                            r"apply|need|needs|don't need|do not need|find|will find|'ll find|will get|can find)(?!\w)",
                            re.IGNORECASE)

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
    Phrase(r"(?:heter|heiter|het|kalt|kalla|named|called|navnet (?:hans|hennes|er)|namnet (?:hans|hennar|er)) "
           r"(?-i:[A-ZÆØÅ][a-zæøå]+(?: [A-ZÆØÅ][a-zæøå]+)+)", _SENSITIVE),
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
        if finding.type is PiiType.BANK_ACCOUNT and _official_account(text, finding.start):
            continue
        found.append(ReplyWarning(Code.PERSONAL_DATA, _MESSAGES[finding.type], finding.start, finding.end))
    found.extend(_addresses(text, context))
    found.extend(_third_persons(text, context))
    found.extend(_sensitive(text))
    found.extend(_facts_about_people(text))
    return without_overlaps(found)


#: A bank account introduced as the municipality's own: "kommunens kontonummer …", "til vår konto …".
_OFFICIAL_ACCOUNT = re.compile(r"(?<!\w)(?:kommunens|kommunen sitt|kommunen sin|vårt|vår|our|the municipality's|"
                               r"the council's|kommunen|alta kommune|kemneren|kemnerens|skatteoppkreveren)(?!\w)"
                               r"[^.!?\n]{0,25}$", re.IGNORECASE)


def _official_account(text: str, start: int) -> bool:
    before = text[max(0, start - 40):start]
    return _OFFICIAL_ACCOUNT.search(before) is not None and _PERSONAL_NUMBER.search(before) is None


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
        before = text[max(0, match.start() - 160):match.start()]
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


def _facts_about_people(text: str) -> list[ReplyWarning]:
    """A sensitive fact and a person it is about in one sentence, near each other, in either order
    ("mor di har fått demensdiagnose", "heimesjukepleia … mor di", "sosialhjelpen din", "eiendomsskatten
    for Skiferveien 22 står ubetalt"), unless the sentence is general, conditional or guidance before them
    or the person is not the subject ("hvis du", "til deg", "vi kan hjelpe deg med …", "du kan søke …")."""
    found = []
    for sentence in sentences(text):
        said = sentence.text
        facts = [*_FACT.finditer(said), *_OWNED_FACT.finditer(said)]
        if not facts:
            continue
        offer = _OFFER.search(said) is not None
        people = [m for m in _PERSON_SUBJECT.finditer(said) if not _not_the_subject(said, m, offer)]
        for fact in facts:
            owned = fact.re is _OWNED_FACT or _OWNER_BEFORE.search(said[max(0, fact.start() - 16):fact.start()]) \
                or _OWNER_AFTER.match(said[fact.end():fact.end() + 8])
            near = [fact] if owned else [m for m in people if abs(m.start() - fact.start()) <= _NEAR]
            if not near:
                continue
            person = min(near, key=lambda m: abs(m.start() - fact.start()))
            start, end = min(person.start(), fact.start()), max(person.end(), fact.end())
            if _GENERAL.search(said[:start]) or _GENERAL_START.search(said[:end]) or _PRAISED.search(said[start:end]):
                continue
            found.append(ReplyWarning(Code.PERSONAL_DATA, _SENSITIVE, sentence.start + start, sentence.start + end))
            break
    return found


def _not_the_subject(said: str, person: re.Match[str], offer: bool) -> bool:
    """A pronoun after a condition or a preposition, or the one an offer is made to; "you" in guidance."""
    if _GENERAL_AFTER.match(said[person.end():person.end() + 20]):
        return True
    if not _PRONOUN.fullmatch(person.group(0)):
        return False
    before = said[max(0, person.start() - 14):person.start()]
    return bool(_NOT_SUBJECT_BEFORE.search(before) or (offer and _OFFERED_TO.search(before))
                or _GUIDANCE_INVERTED.search(before) and person.group(0).lower() in {"du", "dere", "dykk", "you"})
