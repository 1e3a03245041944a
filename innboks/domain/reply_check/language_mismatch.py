"""``language_mismatch``: the reply is not in the citizen's written standard.

Public bodies answer in the målform the citizen used (språklova § 10): bokmål to bokmål, nynorsk to
nynorsk; English and North Sámi likewise (a reply to a Sámi message may add Norwegian, but must
hold Sámi). The reply's language is found with the markers triage uses
(``innboks.domain.language``) and a few more that replies need ("venleg helsing", "veke",
"meldingen"); a bokmål reply with nynorsk words in it (or the other way round) is flagged too,
with the words.
"""

from __future__ import annotations

import re

from innboks.domain.language import LanguageMarkers, default_markers, tokens
from innboks.domain.reply_check.model import CheckContext, Code, ReplyWarning
from schemas import Language

NAMES = {Language.BOKMAL: "bokmål", Language.NYNORSK: "nynorsk", Language.ENGLISH: "engelsk",
         Language.NORTH_SAMI: "nordsamisk"}

#: Forms a reply uses that the shared markers lack; each exclusive to its standard.
EXTRA_EXCLUSIVE: dict[Language, frozenset[str]] = {
    Language.BOKMAL: frozenset({
        "vennlig", "hilsen", "uke", "uka", "uken", "ukene", "mulig", "vanlig", "vanligvis", "sier", "tar", "trenger",
        "svarer", "sjekker", "søker", "beklager", "åpner", "fikk", "gikk", "egen", "eget", "egne", "eiendom",
        "eiendommen", "mandag", "tirsdag", "lørdag", "hverdager", "skole", "skolen", "syk", "sykdom", "dem", "mens",
        "uten", "utenom", "innen", "gjøre", "være", "vært", "henvendelse", "henvendelsen", "henvendelser",
        "innbygger", "innbyggere", "innbyggerne", "ansatte", "saksbehandler", "saksbehandleren", "søkere",
        "åpningstid", "åpningstiden", "åpningstider", "åpent", "åpen", "åpne", "tålmodighet", "tålmodigheten",
        "nettsiden", "nettsidene", "meldingen", "meldinger", "saken", "videre", "morgen", "helgen", "helgene", "veien",
        "veiene", "vei", "siden", "spørre", "vannet", "ledningen", "avdelingen", "mannskapene", "gjelder", "ønsker",
        "hvis", "bruker", "jobber", "tilbakemeldingen", "beskjeden",
        # the article, "ennå", the present of ta-verbs (nynorsk: tek) and the -et/-te past of weak verbs
        "et", "ennå", "mottar", "deltar", "foretar", "vedtar", "antar", "avtar", "opptar", "inntar", "overtar",
        "gjentar", "fratar", "påtar", "tiltar", "sjekket", "snakket", "jobbet", "ventet", "åpnet", "stengte",
        "hjulpet", "fulgt", "lovet", "laget", "ordnet", "ringte", "fikset", "rettet", "sendte", "meldte", "flyttet",
        "endret", "kommet", "vet", "dessverre", "hyggelig", "mener", "tror", "bor", "skjønner", "da",
        # present tense -er where nynorsk has -ar (ordnar, snakkar) or another form (tenkjer, legg)
        "ordner", "snakker", "venter", "prøver", "lager", "følger", "tenker", "ringer", "takker", "kontakter",
        "behandler", "flytter", "starter", "merker", "passer", "betaler", "legger", "planlegger", "fikser",
        "rydder", "måker", "brøyter", "spiller", "handler", "lurer", "håper", "synes"}),
    Language.NYNORSK: frozenset({
        "venleg", "helsing", "veke", "veka", "veker", "vekene", "mogleg", "vanleg", "vanlegvis", "seier", "tek",
        "teke", "teken", "treng", "svarar", "sjekkar", "søkjer", "beklagar", "opnar", "fekk", "gjekk", "eigen", "eige",
        "eigne", "eigedom", "eigedomen", "måndag", "tysdag", "laurdag", "sundag", "kvardagar", "skule", "skulen",
        "sjuk", "sjukdom", "dei", "deira", "difor", "medan", "utan", "utanom", "innan", "gjere", "vore", "førespurnad",
        "førespurnaden", "førespurnader", "innbyggjar", "innbyggjarar", "tilsette", "saksbehandlaren", "søkjarar",
        "opningstid", "opningstida", "ope", "opne", "tolmod", "nettsida", "meldinga", "meldingar", "saka", "vidare",
        "morgon", "helga", "helgane", "vegane", "gjeld", "ønskjer", "viss", "brukar", "jobbar", "diverre", "ringje",
        "ringjer", "høyre", "spørje", "sjå", "kome", "stengd", "stengde", "vatnet", "vatn", "leidning", "leidninga",
        "avdelinga", "mannskapa", "tilbakemeldinga", "innspelet", "innspel", "hòlet", "uvêret", "sida", "gong",
        "gonger", "fleire", "orda", "forståing", "handsaming", "rettleiing", "tenesta", "tenester", "heimetenesta",
        "einingsleiar", "kommunikasjonseininga", "følgd", "følgde", "verkeleg", "eigentleg", "brøytinga",
        # the pronoun "me", "enno", and verbs a short reply has
        "me", "enno", "endå", "nokre", "hyggeleg", "meiner", "trur", "bur", "skjønar", "høyrer", "ynskjer", "sjølv",
        "hugs", "hugse", "vart", "vert", "kor"}),
}
#: Words the shared markers count as exclusive that a reply in the other standard also uses.
NOT_EXCLUSIVE: dict[Language, frozenset[str]] = {
    Language.BOKMAL: frozenset({"blir", "etter", "ingen", "aldri", "hele"}),
    Language.NYNORSK: frozenset({"vegen"}),
}
#: Feminine a-forms bokmål also has ("nettsida", "meldinga", "brøytinga"): nynorsk evidence in a reply
#: to a nynorsk message, but no sign of nynorsk in a bokmål reply.
BOKMAL_A_FORMS = frozenset({"nettsida", "meldinga", "brøytinga", "avdelinga", "tilbakemeldinga", "helga", "sida",
                            "boka", "døra", "jenta", "hytta", "bygda", "lista", "tida", "stua"})
#: Enough North Sámi in a reply to a Sámi message (markers, and each Sámi letter twice).
SAMI_ENOUGH = 4
#: Words of the other Norwegian standard in a reply before it counts as mixed.
MIXED_WORDS = 2


def _reply_markers() -> dict[Language, LanguageMarkers]:
    markers = dict(default_markers())
    for language, words in EXTRA_EXCLUSIVE.items():
        base = markers[language]
        exclusive = (base.exclusive | words) - NOT_EXCLUSIVE.get(language, frozenset())
        markers[language] = base.model_copy(update={"markers": base.markers | words, "exclusive": exclusive})
    for language, words in NOT_EXCLUSIVE.items():
        base = markers[language]
        markers[language] = base.model_copy(update={"exclusive": base.exclusive - words})
    return markers


MARKERS = _reply_markers()
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


#: Web and e-mail addresses say nothing of the language ("online.no").
_ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\b[\w-]+\.(?:no|com|org|net)\b\S*")
#: Evidence a language needs before a reply is said to be in it.
ENOUGH = 2
#: Endings only one Norwegian standard has: bokmål -lig, -het, -else; nynorsk -leg, -heit, the -ar
#: of verbs and plurals (svarar, bilar) and -ane (bilane), the -ast passive (sendast).
_SUFFIXES = (
    (Language.BOKMAL, re.compile(r"^\w{2,}(?:lig|lige|ligt|ligere|ligst|het|heten|heter|hetene|else|elsen|elser|"
                                  r"elsene)$")),
    (Language.NYNORSK, re.compile(r"^\w{2,}(?:leg|lege|legt|legare|heit|heita|heiter|ar|ane|ast)$")),
)
#: Words with those endings that both standards (or English) have.
_SUFFIX_EXCEPTIONS = frozenset({
    "svar", "klar", "januar", "februar", "seminar", "vikar", "radar", "altar", "nektar", "kaviar", "bar", "par",
    "var", "har", "tar", "far", "kar", "dollar", "sommar", "hvar", "hektar", "kalendar", "fast", "last", "hast",
    "kontrast", "podkast", "prognose", "plane", "vane", "hane", "rane", "bane", "fane", "mane", "orkan", "eldar",
    "hvilket", "slik", "lik", "felles", "else", "het", "rundt", "ellers", "ofte", "hverandre", "mellom",
    "regular", "similar", "popular", "particular", "calendar", "solar", "polar", "burglar", "sugar",
    "collar", "cellar", "beggar", "liar", "grammar", "pillar", "scholar", "guitar", "molecular",
    "atlas", "breakfast", "contrast", "forecast", "podcast", "broadcast", "steadfast", "past", "vast", "blast",
    "cast", "east", "least", "beast", "feast", "coast", "toast", "roast", "boast", "most", "post", "host", "ghost",
    "lane", "crane", "insane", "humane", "mundane", "arcane", "cane", "sane", "wane", "pane", "hurricane",
    "dele", "elle", "samisk", "gitar", "seminarer", "hovudstad", "stad",
})
#: Words of both Norwegian standards that the triage markers leave out and that English lacks.
#: Compounds whose last part has such an ending in both standards (ansvar, skøytebane, innkast).
_ENDING_EXCEPTIONS = ("svar", "mentar", "mplar", "ventar", "minar", "vikar", "radar", "ndar", "ular", "altar", "bane",
                      "kast", "fast", "last", "gjest")
_NORWEGIAN_WORDS = frozenset({"hei", "takk", "vi", "du", "deg", "dere", "oss", "vår", "våre", "vårt", "hilsen",
                              "helsing", "spørsmålet", "beskjed", "beskjeden", "gjerne", "dessverre", "stengt",
                              "åpent", "ope", "i dag", "i morgen"})


#: Bokmål present tense of ta and its compounds ("godtar", "mottar", "vedtar"): nynorsk has "tek".
_TA_VERB = re.compile(r"^(?:|mot|del|fore|ved|an|av|opp|inn|over|gjen|fra|på|til|god|med|om|ut|bort|sammen|ned|fram|"
                      r"frem|etter|hånd|imot|igjen|fore|for|be|inn)tar$")


#: Bokmål-only endings of nouns: the masculine definite "-ingen" of -ing nouns (nynorsk: "meldinga",
#: "brøytinga") and the plural definite "-erne" (nynorsk: "-arane", "-ane", "-ene").
_BOKMAL_NOUN = re.compile(r"^\w{3,}(?:ingen|erne)$")
_BOKMAL_NOUN_EXCEPTIONS = frozenset({
    "ingen", "tingen", "ringen", "svingen", "kongen", "lyngen", "gjerne", "fjerne", "kjerne", "stjerne", "hjerne",
    "verne", "moderne", "interne", "eksterne", "lanterne", "kaserne", "cisterne", "konserne", "taverne", "materne",
    "sterne"})


def evidence(text: str, expected: Language | None = None) -> dict[Language, int]:
    """Exclusive marker words and endings per language (each North Sámi letter twice): what tells
    the standards apart, since the words bokmål and nynorsk share say nothing of which it is."""
    words = tokens(_ADDRESSES.sub(" ", text))
    counts = dict.fromkeys(MARKERS, 0)
    for word in words:
        found = [language for language, markers in MARKERS.items() if word in markers.exclusive
                 and not (expected is Language.BOKMAL and language is Language.NYNORSK and word in BOKMAL_A_FORMS)]
        if not found and _BOKMAL_NOUN.match(word) and word not in _BOKMAL_NOUN_EXCEPTIONS:
            found = [Language.BOKMAL]
        if not found and _TA_VERB.match(word):
            found = [Language.BOKMAL]
        if not found and word not in _SUFFIX_EXCEPTIONS and not word.endswith(_ENDING_EXCEPTIONS) \
                and not word.isdigit():
            found = [language for language, suffix in _SUFFIXES if suffix.match(word)]
        for language in found:
            counts[language] += 1
    sami = MARKERS[Language.NORTH_SAMI]
    counts[Language.NORTH_SAMI] += 2 * sum(text.lower().count(letter) for letter in sami.letters)
    return counts


def _broad(text: str) -> dict[str, int]:
    """Marker words (shared ones too) of English, Norwegian and North Sámi: enough to tell those apart."""
    words = tokens(_ADDRESSES.sub(" ", text))
    norwegian = MARKERS[Language.BOKMAL].markers | MARKERS[Language.NYNORSK].markers | _NORWEGIAN_WORDS
    sami = MARKERS[Language.NORTH_SAMI]
    return {"en": sum(word in MARKERS[Language.ENGLISH].markers for word in words),
            "no": sum(word in norwegian for word in words),
            "se": sum(word in sami.markers for word in words)
            + 2 * sum(text.lower().count(letter) for letter in sami.letters)}


def _mismatch(expected: Language, found: str, why: str = "") -> ReplyWarning:
    return ReplyWarning(Code.LANGUAGE_MISMATCH, f"Innbyggeren skrev på {NAMES[expected]}, men svaret er på {found}. "
                        f"Svar på {NAMES[expected]}{why}.")


def check(text: str, context: CheckContext) -> list[ReplyWarning]:
    expected = context.language
    if expected is None or expected not in NAMES:
        return []
    broad = _broad(text)
    if expected is Language.NORTH_SAMI:
        other = max(("no", "en"), key=lambda family: broad[family])
        if broad["se"] >= SAMI_ENOUGH or broad[other] < ENOUGH:
            return []
        return [_mismatch(expected, "norsk" if other == "no" else "engelsk", " (gjerne også på norsk)")]
    if expected is Language.ENGLISH:
        if broad["no"] >= ENOUGH and broad["no"] > broad["en"]:
            return [_mismatch(expected, "norsk")]
        return []
    if broad["en"] >= ENOUGH and broad["en"] > broad["no"]:
        return [_mismatch(expected, "engelsk")]
    counts = evidence(text, expected)
    other = Language.NYNORSK if expected is Language.BOKMAL else Language.BOKMAL
    if counts[other] > counts[expected] and (counts[other] >= ENOUGH or counts[expected] == 0):
        return [_mismatch(expected, NAMES[other], ": offentlige organer svarer på den målformen innbyggeren bruker")]
    return _mixed(text, expected)


def _mixed(text: str, expected: Language) -> list[ReplyWarning]:
    other = Language.NYNORSK if expected is Language.BOKMAL else Language.BOKMAL
    own, foreign = MARKERS[expected].exclusive, MARKERS[other].exclusive
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)
             if m.group(0).lower() in foreign and m.group(0).lower() not in own]
    distinct = {text[start:end].lower() for start, end in spans}
    if len(distinct) < MIXED_WORDS:
        return []
    listed = ", ".join(f"«{word}»" for word in sorted(distinct))
    return [ReplyWarning(Code.LANGUAGE_MISMATCH, f"Svaret blander inn {NAMES[other]} ({listed}) i et svar på "
                         f"{NAMES[expected]}. Skriv hele svaret på {NAMES[expected]}.", spans[0][0], spans[0][1])]
