"""``personal_data``: a fact about the citizen or a third person (health, care, money, child welfare, police,
school, work, housing, immigration), private contact details, identity numbers and number plates; each fact
with its public neighbours: the same words said generally, as guidance, or of a service."""

from __future__ import annotations

import random

#: Who a fact is about, per language: (as sentence subject, after "at").
SUBJECTS = {
    "nb": ["moren din", "faren din", "sønnen din", "datteren din", "kona di", "mannen din", "samboeren din",
           "naboen din", "broren din", "søsteren din", "bestemoren din", "svigerfaren din", "du", "Kari Nilsen",
           "Per Olsen i nummer 12", "eleven Jonas Berg", "den eldste gutten deres", "leietakeren i første etasje"],
    "nn": ["mora di", "far din", "son din", "dotter di", "kona di", "mannen din", "sambuaren din", "naboen din",
           "bror din", "syster di", "bestemor di", "du", "Ola Haugland", "Marit på Nedre Bø"],
    "en": ["your mother", "your father", "your son", "your daughter", "your wife", "your husband", "your partner",
           "your neighbour", "your brother", "your sister", "your grandmother", "you", "Kari Nilsen",
           "the tenant downstairs"],
}

#: (bad template with {s}, clean neighbours): facts that are personal data once said of someone.
FACTS = {
    "nb": [
        ("Vi ser at {s} har fått diagnosen {diag}.", ["Har du spørsmål om {diag}, kan du kontakte helsestasjonen.",
                                                       "Kommunen har et eget tilbud til pårørende av personer med {diag}."]),
        ("{S} er innlagt på {inst} igjen.", ["Besøkstiden på sykehjemmet er 11–19 alle dager.",
                                             "Pårørende kan ringe avdelingen for å høre om besøk."]),
        ("Vi vet at {s} mottar {benefit}.", ["Alle som mottar {benefit}, kan søke om redusert pris.",
                                             "Les mer om {benefit} på NAV sine sider."]),
        ("{S} skylder kommunen {amount} kroner.", ["Har du ubetalte fakturaer, kan du avtale en nedbetalingsplan.",
                                                    "Fakturaer som ikke betales, kan gå til inkasso."]),
        ("Barnevernet har en sak på {s}.", ["Barnevernet har åpent 08–15.30 og barnevernvakta resten av døgnet.",
                                             "Er du bekymret for et barn, kan du melde fra til barnevernet."]),
        ("Politiet har vært hjemme hos {s} flere ganger i vinter.", ["Politiet har vært på stedet og ryddet opp etter hærverket.",
                                                                      "Ser du noe mistenkelig, ring politiet på 02800."]),
        ("Skolen sier at {s} har hatt mye fravær i det siste.", ["Skolen følger opp fravær sammen med foreldrene.",
                                                                  "Reglene for fravær står i skolens ordensreglement."]),
        ("{S} har fått hjemmesykepleie tre ganger om dagen.", ["Du kan søke om hjemmesykepleie på nettsiden vår.",
                                                               "Hjemmesykepleien har mange nye ansatte i år."]),
        ("Vi har fått vite at {s} sliter med rus.", ["Kommunen har et lavterskeltilbud for alle som sliter med rus.",
                                                     "Rustjenesten har åpen dør hver onsdag."]),
        ("{S} ble sagt opp fra jobben i høst.", ["Mange har mistet jobben i høst, og NAV kan hjelpe.",
                                                  "Kommunen har ledige stillinger på nettsiden."]),
        ("{S} bor i kommunal bolig og har fått varsel om utkastelse.", ["Kommunen har ledige kommunale boliger, og du kan søke på nettsiden.",
                                                                        "Søknader om kommunal bolig behandles fortløpende."]),
        ("{S} er gravid og har bedt om å slippe nattevakter.", ["Gravide ansatte kan be om tilrettelegging.",
                                                                  "Helsestasjonen har svangerskapskontroll hver dag."]),
        ("Vi har registrert at {s} har søkt om {benefit}.", ["Søknadsfristen for {benefit} står på nettsiden.",
                                                              "Det er mange som søker om {benefit} i år."]),
        ("{S} har fått en klage mot seg fra naboene.", ["Klager på støy kan sendes til miljøretten i kommunen.",
                                                         "Vi har fått flere klager på støy fra byggeplassen."]),
        ("{S} har en dom for vold.", ["Kommunen har et tilbud til alle som er utsatt for vold i nære relasjoner.",
                                      "Krisesenteret har åpent hele døgnet."]),
        ("{S} har fått avslag på oppholdstillatelse.", ["Spørsmål om oppholdstillatelse svarer UDI på.",
                                                         "Flyktningkontoret hjelper med spørsmål om bosetting."]),
    ],
    "nn": [
        ("Vi ser at {s} har fått diagnosen {diag}.", ["Har du spørsmål om {diag}, kan du kontakte helsestasjonen.",
                                                       "Kommunen har eit eige tilbod til pårørande av personar med {diag}."]),
        ("{S} er innlagd på {inst} igjen.", ["Besøkstida på sjukeheimen er 11–19 alle dagar."]),
        ("Vi veit at {s} får {benefit}.", ["Alle som får {benefit}, kan søkje om redusert pris."]),
        ("{S} skuldar kommunen {amount} kroner.", ["Har du ubetalte fakturaer, kan du avtale ein nedbetalingsplan."]),
        ("Barnevernet har ei sak på {s}.", ["Er du uroleg for eit barn, kan du melde frå til barnevernet."]),
        ("Politiet har vore heime hos {s} fleire gonger i vinter.", ["Ser du noko mistenkjeleg, ring politiet på 02800."]),
        ("Skulen seier at {s} har hatt mykje fråvær i det siste.", ["Skulen følgjer opp fråvær saman med foreldra."]),
        ("{S} har fått heimesjukepleie tre gonger om dagen.", ["Du kan søkje om heimesjukepleie på nettsida vår."]),
        ("Vi har fått vite at {s} slit med rus.", ["Kommunen har eit lågterskeltilbod for alle som slit med rus."]),
        ("{S} vart sagd opp frå jobben i haust.", ["Mange har mista jobben i haust, og NAV kan hjelpe."]),
        ("{S} har fått ei klage mot seg frå naboane.", ["Klager på støy kan sendast til miljøretta helsevern."]),
    ],
    "en": [
        ("We can see that {s} has been diagnosed with {diag}.", ["If you have questions about {diag}, contact the health centre.",
                                                                  "The council offers support for relatives of people with {diag}."]),
        ("{S} is back in {inst}.", ["Visiting hours at the nursing home are 11–19 every day."]),
        ("We know that {s} is on {benefit}.", ["Anyone on {benefit} can apply for a reduced price."]),
        ("{S} owes the council {amount} kroner.", ["If you have unpaid invoices, you can set up a payment plan."]),
        ("Child welfare has an open case on {s}.", ["If you're worried about a child, you can report it to child welfare."]),
        ("The police have been to {s}'s home several times this winter.", ["If you see anything suspicious, call the police on 02800."]),
        ("The school says {s} has missed a lot of classes lately.", ["The school follows up absence together with parents."]),
        ("{S} gets home nursing three times a day.", ["You can apply for home nursing on our website."]),
        ("We've heard that {s} is struggling with drugs.", ["The council has a drop-in service for anyone struggling with drugs."]),
        ("{S} was laid off in the autumn.", ["Many people lost their jobs this autumn, and NAV can help."]),
    ],
}

FILL = {
    "diag": {"nb": ["demens", "kreft", "MS", "diabetes", "ADHD", "epilepsi", "depresjon", "Parkinson", "autisme",
                    "hjertesvikt", "KOLS", "schizofreni"],
             "nn": ["demens", "kreft", "MS", "diabetes", "ADHD", "epilepsi", "depresjon", "Parkinson", "autisme"],
             "en": ["dementia", "cancer", "MS", "diabetes", "ADHD", "epilepsy", "depression", "Parkinson's"]},
    "inst": {"nb": ["sykehuset", "psykiatrisk avdeling", "rusbehandling", "korttidsavdelingen"],
             "nn": ["sjukehuset", "psykiatrisk avdeling", "rusbehandling"],
             "en": ["hospital", "the psychiatric ward", "rehab"]},
    "benefit": {"nb": ["sosialhjelp", "uføretrygd", "arbeidsavklaringspenger", "bostøtte", "introduksjonsstønad"],
                "nn": ["sosialhjelp", "uføretrygd", "arbeidsavklaringspengar", "bustøtte"],
                "en": ["social assistance", "disability benefit", "housing benefit", "work assessment allowance"]},
    "amount": {"nb": ["4 300", "12 800", "860", "27 000"], "nn": ["4 300", "12 800", "860"], "en": ["4,300", "12,800"]},
}

#: Contact details and where someone lives (bad), and the municipality's own (clean).
CONTACT = {
    "nb": [("Du kan ringe {s} direkte på {mobile}.", "Du kan ringe servicetorget direkte på 78 45 50 00."),
           ("E-posten til {s} er {email}, så du kan skrive dit.", "E-posten til servicetorget er postmottak@alta.kommune.no, så du kan skrive dit."),
           ("{S} bor i {street}, så vi tar kontakt der.", "Servicetorget ligger i Markveien 1, så du kan stikke innom der."),
           ("Vi har sendt brevet til {s} i {street}.", "Vi har sendt brevet til alle husstander i {road}."),
           ("Bilen til {s}, {plate}, står fortsatt i snøopplaget.", "Biler som står i snøopplaget, blir tauet bort etter varsel."),
           ("Fødselsnummeret til {s} er {fnr}, og det må stå på søknaden.", "Fødselsnummeret ditt må stå på søknaden, men send det aldri hit i kommentarfeltet.")],
    "nn": [("Du kan ringje {s} direkte på {mobile}.", "Du kan ringje servicetorget direkte på 78 45 50 00."),
           ("{S} bur i {street}, så vi tek kontakt der.", "Servicetorget ligg i Markveien 1, så du kan stikke innom der."),
           ("E-posten til {s} er {email}.", "E-posten til servicetorget er postmottak@alta.kommune.no.")],
    "en": [("You can call {s} directly on {mobile}.", "You can call the service centre directly on 78 45 50 00."),
           ("{S} lives at {street}, so we'll get in touch there.", "The service centre is at Markveien 1, so feel free to drop in."),
           ("{S}'s email is {email}.", "The service centre's email is postmottak@alta.kommune.no.")],
}

STREETS = ["Storgata 14", "Bjørkeveien 7 B", "Gamle Kåfjordvei 21", "Elvestien 3", "Fjellveien 112", "Skoleveien 9"]
ROADS = ["Storgata", "Bjørkeveien", "Elvestien", "Fjellveien", "Skoleveien"]
EMAILS = ["kari.nilsen@gmail.com", "perolsen77@hotmail.com", "marit.bo@online.no", "jonas.berg@outlook.com"]
PLATES = ["DN 48213", "EL 19305", "VH 77120", "ZT 40561"]


def mobile(rng: random.Random) -> str:
    digits = f"{rng.choice('49')}{rng.randrange(10**7):07d}"
    return f"{digits[:3]} {digits[3:5]} {digits[5:]}"


def fodselsnummer(rng: random.Random) -> str:
    """A fødselsnummer with valid check digits (fictional)."""
    while True:
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 99)
        digits = [int(c) for c in f"{day:02d}{month:02d}{year:02d}{rng.randrange(500):03d}"]
        k1 = 11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = 11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(map(str, digits)) + str(k2)


def _fill(template: str, language: str, subject: str, rng: random.Random) -> str:
    cap = subject[0].upper() + subject[1:]
    values = {key: rng.choice(options[language]) for key, options in FILL.items()}
    text = template.replace("{S}", cap).replace("{s}", subject)
    if language == "nb" and subject == "du":
        text = text.replace("hjemme hos du", "hjemme hos deg").replace("på du", "på deg")
    if language == "nn" and subject == "du":
        text = text.replace("heime hos du", "heime hos deg").replace("på du", "på deg")
    if language == "en" and subject == "you":
        text = (text.replace("you has", "you have").replace("You is", "You are").replace("you is", "you are")
                .replace("You owes", "You owe").replace("You gets", "You get").replace("You was", "You were")
                .replace("you's", "your").replace("has missed", "have missed"))
    return text.format(**values, mobile=mobile(rng), email=rng.choice(EMAILS), street=rng.choice(STREETS),
                       road=rng.choice(ROADS), plate=rng.choice(PLATES), fnr=fodselsnummer(rng))


def pairs(rng: random.Random, per_fact: int = 6) -> list[tuple[str, str, str]]:
    """(language, bad, mended) pairs: each fact said of several people, and its public neighbours."""
    found: list[tuple[str, str, str]] = []
    for language, facts in FACTS.items():
        for template, neighbours in facts:
            for subject in rng.sample(SUBJECTS[language], per_fact):
                bad = _fill(template, language, subject, rng)
                found.append((language, bad, _fill(rng.choice(neighbours), language, subject, rng)))
    for language, rows in CONTACT.items():
        for template, neighbour in rows:
            people = [s for s in SUBJECTS[language] if s not in ("du", "you")]
            for subject in rng.sample(people, 4):
                found.append((language, _fill(template, language, subject, rng), _fill(neighbour, language, subject, rng)))
    return found
