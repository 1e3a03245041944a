"""What is sensitive to say of a person in a public reply, by category, in bokmål, nynorsk and English.

Each entry is a regular expression for a word or phrase (case-insensitive, matched on word boundaries);
``\\w*`` at an end takes compounds and inflections ("hjemmedialyse", "blodprøvesvaret"). None of these
is personal data alone: ``personal_data`` warns when one stands in a sentence with a person it is said
of (the citizen, a relative, a neighbour, a named person, an address) and the sentence is not general
guidance ("hvis du …", "alle som …", "spørsmål om … tar du med …", "ring 113 om du har brystsmerter").

A new member of a category is a new entry here, with a clean neighbour in the family tests
(``tests/unit/test_reply_check_families.py``).
"""

from __future__ import annotations

import re

#: Diagnoses, symptoms, treatment, tests and health services used by one person.
HEALTH = [
    # diagnoses and conditions
    r"\w*diagnose\w*", r"diagnosed", r"diagnosis", r"adhd", r"autis\w*", r"autist\w*", r"asperger\w*",
    r"tourette\w*", r"dysleksi\w*", r"dyslexi\w*", r"demens\w*", r"dement", r"demente", r"alzheimer\w*",
    r"parkinson\w*", r"\w*kreft(?:en|syk\w*|pasient\w*|behandling\w*|sjuk\w*|svulst\w*)?", r"cellegift\w*",
    r"strålebehandling\w*", r"cancer", r"chemo\w*", r"tumou?r\w*", r"svulst\w*", r"diabet\w*", r"insulin\w*",
    r"epilep\w*", r"hjerneslag\w*", r"slaganfall\w*", r"hjerteinfarkt\w*", r"infarkt\w*", r"heart attack",
    r"hjertesvikt\w*", r"hjerteproblem\w*", r"hjarteproblem\w*", r"brystsmert\w*", r"chest pains?",
    r"pustebesvær\w*", r"astma\w*", r"kols", r"nyresvikt\w*", r"\w*dialyse\w*", r"dialysis", r"kidney failure",
    r"allergi\w*", r"allergic", r"smittet", r"smitta", r"testet positivt", r"testa positivt", r"tested positive",
    r"infected", r"gravid\w*", r"pregnan\w*", r"svangerskap\w*", r"abort\w*", r"miscarriage", r"spontanabort\w*",
    r"funksjonshemm\w*", r"funksjonsnedsett\w*", r"utviklingshemm\w*", r"disabled", r"disability",
    r"hørselshemm\w*", r"synshemm\w*", r"(?:sitter|sit|bruker|brukar) (?:i )?rullestol", r"rullestolbruker\w*",
    # mental health and addiction
    r"psykisk (?:syk|sjuk|lidelse|liding|uhelse|helse|helsevern)", r"psykiske (?:problem\w*|lidel\w*|lidingar|plager|"
    r"vanskar|helse\w*)", r"psykiatri\w*", r"psykolog\w*", r"psychiatr\w*", r"psychologist\w*", r"mental health",
    r"mental illness", r"depresjon\w*", r"deprimert", r"depression", r"depressed", r"angst\w*", r"anxiety",
    r"panikkangst\w*", r"spiseforstyrr\w*", r"eating disorder", r"selvmord\w*", r"sjølvmord\w*", r"suicid\w*",
    r"selvskad\w*", r"sjølvskad\w*", r"self-harm\w*", r"rusproblem\w*", r"rusmisbruk\w*", r"rusavhengig\w*",
    r"rusbehandling\w*", r"spilleavhengig\w*", r"spelavhengig\w*", r"gambling (?:addiction|problem)\w*",
    r"spillegjeld\w*", r"\w*avrusning\w*", r"alkoholiker\w*", r"alkoholproblem\w*", r"overdose\w*", r"addict\w*",
    r"beruset", r"ruset", r"full og", r"drunk",
    # being ill, getting worse, falling, injuries
    r"sykmeld\w*", r"sjukmeld\w*", r"sykemeld\w*", r"sick leave", r"on sick",
    r"(?:blitt|vorte|ble|blei|vart) (?:mye |mykje |litt |"
    r"mykkje |veldig )?(?:dårligere|dårlegare|sykere|sjukare|verre|sjuk|syk|skadet|skada|skadd)", r"har falt",
    r"har falle", r"falt (?:og|i|på|hjemme|heime)", r"(?:vært|vore) (?:mye |mykje |veldig |ofte )?(?:syk|sjuk)",
    r"(?:got|become|been) (?:much |very )?(?:worse|ill|sick|injured)", r"had a fall",
    r"(?:has|have) fallen (?:and|at|in|down)",
    r"påkjørt", r"hit by a car", r"skadet i", r"skadd i", r"injured", r"smerter", r"vondt i",
    # treatment, tests and records
    r"innlagt", r"innlegging\w*", r"(?:lagt|lagd) inn (?:på|ved) (?:\w+ )?(?:sykehus\w*|sjukehus\w*|\w*avdeling\w*|"
    r"psykiatri\w*|institusjon\w*)", r"admitted", r"in hospital", r"hospitali[sz]ed", r"utskrevet", r"utskriven",
    r"utskrive", r"discharged", r"operert", r"operasjonen", r"surgery",
    r"blodprøv\w*", r"blood tests?", r"prøvesvar\w*", r"prøveresultat\w*", r"test results?", r"røntgen\w*", r"x-ray",
    r"henvisning\w*", r"tilvising\w*", r"henvist", r"tilvist", r"referral", r"referred", r"medisin(?:en|ene|ane|ar|er)",
    r"medication", r"medicine", r"resept\w*", r"prescription", r"journalen", r"epikrise\w*", r"legeerklæring\w*",
    r"behandlingen (?:hans|hennes|hennar|din)", r"opptrening\w*", r"helsesjekk\w*",
    r"(?:ppt-)?(?:utredning|utgreiing)(?:a|en) (?:hans|hennes|hennar|din|di|av (?:han|henne|ho|deg|sønnen|sonen|"
    r"dottera|datteren|gutten|guten|jenta))", r"ppt-utredning\w*", r"ppt-utgreiing\w*",
]
#: Care services granted to one person.
CARE = [
    r"\w*sykehjemsplass\w*", r"\w*sjukeheimsplass\w*", r"sykehjemmet", r"sjukeheimen", r"langtidsplass\w*",
    r"korttidsplass\w*", r"avlastningsplass\w*", r"institusjonsplass\w*", r"hjemmesykeplei\w*", r"heimesjukeplei\w*",
    r"hjemmetjenest\w*", r"heimetenest\w*", r"hjemmehjelp\w*", r"heimehjelp\w*", r"trygghetsalarm\w*",
    r"tryggleiksalarm\w*", r"avlastning\w*", r"avlasting\w*", r"støttekontakt\w*", r"\w*omsorgsbolig\w*",
    r"\w*omsorgsbustad\w*", r"dagsenter\w*", r"dagtilbud\w*", r"dagtilbod\w*", r"omsorgsstønad\w*",
    r"omsorgslønn\w*", r"brukerstyrt\w*", r"personlig assistan\w*", r"bpa", r"praktisk bistand", r"matombringing\w*",
    r"home care", r"home help", r"nursing home", r"care home", r"personal assistan\w*", r"respite\w*",
    r"kommunal\w* (?:bolig|utleiebolig|bustad)\w*", r"social housing", r"council housing", r"krisesenter\w*",
    r"bostedsløs\w*", r"bustadlaus\w*", r"homeless\w*", r"uten fast (?:bopel|bolig|adresse)",
    r"spesialundervisning\w*", r"tilrettelagt undervisning", r"ekstra oppfølging", r"ppt-\w+",
]
#: Social benefits, income, debt and unpaid bills of one person or household.
MONEY = [
    r"\w*sosialhjelp\w*", r"sosialstønad\w*", r"nødhjelp\w*", r"uføretrygd\w*", r"uføre", r"ufør",
    r"arbeidsavklaringspenger", r"aap", r"dagpenger\w*", r"bostøtta", r"bostøtten", r"kvalifiseringsprogram\w*",
    r"introduksjonsstønad\w*", r"social assistance", r"welfare benefits?", r"disability benefits?", r"on benefits",
    r"lav inntekt", r"låg inntekt", r"lave inntekter", r"låge inntekter", r"low income", r"dårlig økonomi",
    r"dårleg økonomi", r"dårlig råd", r"dårleg råd", r"økonomiske (?:problem\w*|vansk\w*|utfordring\w*)",
    r"financial (?:difficult\w*|problems?|trouble)",
    r"gjelda", r"gjelden", r"(?:har|hadde|med|stor|mye|mykje|mer|meir) gjeld", r"gjeldsproblem\w*",
    r"gjeldsordning\w*", r"restanse\w*", r"inkasso\w*",
    r"ubetalt\w*", r"utestående", r"betalingsanmerkning\w*", r"tvangsinnkrev\w*", r"utlegg(?:et|strekk\w*)",
    r"namsmann\w*", r"tvangssal\w*", r"utkastelse\w*", r"utkasting\w*", r"skyldig",
    r"(?:skylder|skuldar|skyldte|owes?|owed)(?! (?:\w+ )?(?:en|ei|ein|et|eit|an|a) (?:stor )?(?:unnskyldning|orsaking|"
    r"apology|"
    r"forklaring|explanation|svar|answer|takk|thanks))", r"in debt", r"debt", r"debts", r"arrears", r"unpaid",
    r"overdue",
    r"debt collection", r"(?:ikke|ikkje|not|never|aldri) (?:har |hadde )?(?:\w+ )?betalt",
    r"(?:hasn't|haven't|hadn't) paid",
    r"ligger etter med", r"ligg etter med", r"behind (?:on|with) (?:the |your |his |her )?(?:rent|payments?|bills?)",

]
#: Child welfare: a case, a report of concern, a placement.
CHILD_WELFARE = [
    r"barnevern(?!svakt|vakt|vakta|vakten|stjenesten si nettside)\w*", r"bekymringsmelding\w*", r"meldt bekymring",
    r"melde bekymring", r"fosterhjem\w*", r"fosterheim\w*", r"beredskapshjem\w*", r"beredskapsheim\w*",
    r"omsorgsovertak\w*", r"akuttvedtak\w*", r"akuttplasser\w*", r"samvær\w*", r"child protection", r"child welfare",
    r"foster care", r"foster home", r"social services", r"in care",
]
#: Police, courts, crime and punishment.
POLICE = [
    r"anmeldt", r"politianmeldt", r"anmeldelse\w*", r"meldt til politiet", r"siktet", r"sikta", r"siktelse\w*",
    r"tiltalt", r"tiltale\w*", r"domfelt", r"dømt", r"straffedømt", r"dom for", r"arrestert", r"pågrepet",
    r"pågripe\w*", r"besøksforbud\w*", r"kontaktforbud\w*", r"straffesak\w*", r"politisak\w*", r"fengsel\w*",
    r"soning\w*", r"soner", r"sonar", r"prison", r"jail", r"arrested", r"convicted", r"charged with",
    r"restraining order", r"criminal record", r"police case", r"politiet (?:\w+ ){0,2}?(?:vært|vore|var|kom|rykket ut|"
    r"rykte ut|måtte rykke ut) (?:\w+ ){0,2}?(?:hos|til|på besøk|heime|hjemme)", r"the police (?:came|visited|"
    r"were called|have been)", r"voldssak\w*", r"vold i nære relasjoner", r"domestic violence",
]
#: School: absence, exclusion, bullying, special needs.
SCHOOL = [
    r"(?:mye|mykje|høyt|høgt|stort|ugyldig|bekymringsfullt|\d+ dagers|\d+ dagars) (?:fravær|fråvær)\w*",
    r"(?:fravær|fråvær)(?:et|en)? (?:på|er|var|har vore|har vært) (?:\w+ )?\d+", r"(?:fraværet|fråværet)",
    r"(?:vært|vore|been) (?:mye|mykje|mykkje|a lot|very often|often) (?:borte|away|absent)",
    r"absen(?:t|ce) (?:for |from )?(?:\d+|many|a lot|several|most|much)", r"absent from (?:school|class|lessons)",
    r"skulk\w*", r"truan\w*", r"mobbet", r"mobba", r"mobber", r"mobbar", r"bullied", r"bortvist",
    r"utvist", r"utestengt\w*", r"utestengd\w*", r"suspended from (?:school|class)", r"anmerkning\w*",
    r"(?:ble|blei|vart|er|har blitt|har vorte) (?:slått|banket|angrepet|angripen|trakassert|utsatt for vold)",
]
#: Work: losing a job, being suspended.
WORK = [
    r"oppsagt", r"(?:blitt|vorte|ble|blei|vart) sagt opp", r"avskjed\w*", r"suspendert", r"permittert",
    r"mistet jobben", r"mista jobben", r"lost (?:his|her|their|your) job", r"fired", r"laid off", r"dismissed from",
]
#: A building or planning case against someone's property, and a complaint about them.
PROPERTY_AND_COMPLAINTS = [
    r"ulovlig\w* (?:bygg\w*|oppført|tiltak\w*|bruk|utleie|påbygg\w*|garasje\w*|anneks\w*|brygge\w*|\w*bygging)",
    r"ulovlighetsoppfølging\w*", r"ulovleg\w* (?:bygg\w*|tiltak\w*|bruk)", r"rivingspålegg\w*", r"rivningspålegg\w*",
    r"tvangsmulkt\w*", r"pålegg om", r"pålagt å", r"illegal (?:building|extension|construction)",
    r"(?:klage|klaga|klaget|klagd|klagde|complaint|complained|meldt|varslet|varsla) (?:på|om|about|against|mot) "
    r"(?:deg|dykk|dere|han|henne|ho|dei|dem|you|him|her|them|støyen|bråket|hunden|verkstedet|festen)",
]
#: Immigration status.
IMMIGRATION = [
    r"oppholdstillatelse\w*", r"opphaldsløyve\w*", r"residence permit\w*", r"asylsøk\w*", r"asylum",
    r"utvist fra norge", r"deported", r"uten lovlig opphold", r"statsløs\w*",
]

CATEGORIES: dict[str, list[str]] = {
    "health": HEALTH, "care": CARE, "money": MONEY, "child_welfare": CHILD_WELFARE, "police": POLICE,
    "school": SCHOOL, "work": WORK, "property": PROPERTY_AND_COMPLAINTS, "immigration": IMMIGRATION,
}


def compiled(*categories: str) -> re.Pattern[str]:
    """One pattern for the entries of these categories (all when none are named)."""
    names = categories or tuple(CATEGORIES)
    entries = [entry for name in names for entry in CATEGORIES[name]]
    return re.compile(r"(?<![\w-])(?:" + "|".join(entries) + r")(?![\w])", re.IGNORECASE)
