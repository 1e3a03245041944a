"""``case_decision``: the reply decides or promises the outcome of a case.

"Søknaden din er innvilget", "du får refundert", "klagen tas til følge", "du får plass i
barnehagen": a decision belongs in a decision letter (vedtak) with reasons and a right to appeal,
never on social media. General guidance is fine, and so is saying how a case is handled: a
conditional ("hvis søknaden blir innvilget …"), a general subject ("alle søkere får …"), a
question, or a hedge ("vi kan ikke love …") in the sentence takes the decision out of it.
"""

from __future__ import annotations

import re

from innboks.domain.reply_check.model import Code, ReplyWarning
from innboks.domain.reply_check.text import Phrase, PhraseTable, any_of, sentence_at, sentences

_OUTCOMES = any_of([
    r"innvilget", r"innvilga", r"innvilgede", r"godkjent", r"godkjend", r"godkjende", r"avslått", r"avslege", r"avvist",
    r"tatt til følge", r"teke til følgje", r"tatt til følgje", r"omgjort", r"gjort om", r"strøket", r"stroke",
    r"slettet", r"sletta", r"kreditert", r"kreditera", r"refundert", r"refundera", r"frafalt", r"ettergitt",
    r"ettergjeve", r"henlagt", r"opphevet", r"oppheva", r"tildelt", r"tildelte", r"redusert", r"satt ned", r"sett ned",
    r"fjernet", r"fjerna", r"annullert", r"utbetalt", r"betalt tilbake", r"tilbakebetalt", r"forlenget",
    r"forlenga", r"forlengd", r"forlengt", r"frafalt", r"fråfalle", r"tatt opp", r"teken opp", r"teke opp",
    r"fritatt", r"friteke", r"fritekne"])
_AUXILIARIES = any_of([r"er", r"blir", r"ble", r"blei", r"vart", r"vert", r"vil bli", r"skal bli", r"har blitt",
                       r"er blitt", r"har vorte", r"er vorte", r"kommer til å bli"])
_GRANTS = any_of([
    r"tildelt", r"innvilget", r"innvilga", r"godkjent", r"godkjend", r"refundert", r"tilbakebetalt", r"dekket",
    r"dekt", r"erstattet", r"medhold", r"medhald", r"avslag", r"plass\w*", r"langtidsplass\w*", r"korttidsplass\w*",
    r"sykehjemsplass\w*", r"barnehageplass\w*", r"pengene tilbake", r"pengane tilbake", r"dispensasjon\w*",
    r"tillatelse\w*", r"løyve\w*", r"startlån\w*", r"tilskudd\w*", r"tilskot\w*", r"erstatning\w*", r"fritak\w*",
    r"redusert", r"omsorgsbolig\w*", r"omsorgsbustad\w*", r"kommunal bolig", r"skoleskyss", r"skuleskyss",
    r"ekstra timer", r"assistent", r"tt-kort\w*", r"refusjon\w*", r"stønad\w*", r"støtte\w*", r"bevilling\w*",
    r"bostøtte\w*", r"lånet", r"plassen din"])
_OUR_ACTS = any_of([
    r"godkjenner", r"godkjenner herved", r"innvilger", r"avslår", r"avslår herved", r"godtar", r"godtek", r"sletter",
    r"slettar", r"krediterer", r"krediterar", r"refunderer", r"refunderar", r"frafaller", r"fråfell", r"dekker",
    r"dekkjer", r"erstatter", r"erstattar", r"omgjør", r"gjer om", r"ettergir", r"tar klagen til følge",
    r"tek klaga til følgje", r"har godkjent", r"har godkjend", r"har innvilget", r"har innvilga", r"har avslått",
    r"har sletta", r"har slettet", r"har kreditert", r"har strøket", r"har stroke", r"har bestemt at",
    r"har avgjort at", r"har frafalt", r"gir deg medhold", r"gjev deg medhald", r"gir deg rett", r"gjev deg rett",
    r"bevilger", r"har bevilget", r"har bevilga", r"har gitt deg", r"har gjeve deg"])
_OUR_FUTURE = any_of([r"erstatte", r"dekke", r"refundere", r"kreditere", r"slette", r"frafalle", r"godkjenne",
                      r"godkjenne", r"innvilge", r"avslå", r"omgjøre", r"gjere om", r"godta", r"ettergi",
                      r"gi deg medhold", r"gje deg medhald", r"gi deg rett", r"betale tilbake", r"betale for"])

_MESSAGE = ("Svaret avgjør eller lover utfallet i en enkeltsak ({found}). Det hører hjemme i et vedtak med begrunnelse "
            "og klagerett, ikke i sosiale medier. Si heller hvordan saken behandles og hvor svaret kommer.")

TABLE = PhraseTable([
    Phrase(rf"{_AUXILIARIES}\s+(?:(?!ikke|ikkje|not)[\w-]+\s+){{0,4}}?{_OUTCOMES}", _MESSAGE),
    Phrase(r"(?:tas|tatt|takast|teken|teke) til (?:følge|følgje)", _MESSAGE),
    Phrase(rf"(?:får|fær|fikk|fekk|fått|vil få|skal få|kommer til å få|kjem til å få)\s+(?:\w+\s+){{0,2}}?{_GRANTS}",
           _MESSAGE),
    Phrase(rf"(?:vi|kommunen|me)\s+(?:\w+\s+){{0,1}}?{_OUR_ACTS}", _MESSAGE),
    Phrase(rf"(?:vi|kommunen|me|og)\s+(?:vil|skal|kommer til å|kjem til å)\s+(?:\w+\s+){{0,1}}?{_OUR_FUTURE}",
           _MESSAGE),
    Phrase(r"(?:dispensasjon\w*|tillatelse\w*|løyve\w*|bevilling\w*|tilskudd\w*|tilskot\w*|fritak\w*)\s+"
           r"(?:blir|vil bli|er|vert|skal bli)\s+(?:gitt|gjeve|gitt deg)", _MESSAGE),
    Phrase(r"(?:slipper|slepp) (?:du |dere |de )?å betale|(?:trenger|treng|behøver) (?:du |dere |de )?(?:ikke|ikkje) "
           r"(?:å )?betale|(?:ikke|ikkje) (?:trenger|treng|behøver) (?:å )?betale", _MESSAGE),
    Phrase(r"(?:det kan vi love|det lover vi|kan vi love|vi lover (?:deg |dykk |dere )?at|vi garanterer)", _MESSAGE),
    Phrase(r"svaret (?:\w+ ){0,3}?(?:er|blir|vart|ble) (?:ja|nei|positivt|negativt)", _MESSAGE),
    Phrase(r"(?:vi|kommunen|me) (?:\w+ ){0,1}?(?:har )?(?:sagt|sier|seier) (?:ja|nei) til|(?:vi|kommunen|me) "
           r"(?:\w+ ){0,1}?(?:erkjenner|erkjenner herved|vedkjenner) (?:ansvar|ansvaret)|(?:vi|kommunen|me) "
           r"(?:\w+ ){0,1}?(?:tilbyr|tilbyd) (?:deg|dere|dykk|dokker|you) (?:\w+ ){0,2}?(?:plass|bolig|bustad|"
           r"omsorgsbolig|erstatning|a place|housing)", _MESSAGE),
    Phrase(rf"(?:gir|gjev|gi) (?:deg|dere|dykk|dokker|you) (?:\w+ ){{0,1}}?{_GRANTS}", _MESSAGE),
    Phrase(r"(?:klagen|klaga|søknaden|anken) (?:din |di |dykkar |deres )?(?:har )?(?:ført|nådd|nått) (?:fram|frem)|"
           r"(?:appeal|complaint|application) (?:was|has been|is) (?:successful|upheld)|(?:has been|was|will be) "
           r"(?:reversed|overturned|waived|withdrawn)|you (?:have|'ve) been (?:granted|awarded|given|offered|approved)",
           _MESSAGE),
    Phrase(r"(?:det|dette) (?:har|har nå) (?:vi|kommunen) (?:bestemt|avgjort|vedtatt|vedteke)|"
           r"(?:har|har nå|har no) (?:kommet|kome) inn (?:på|i)|søknaden (?:\w+ ){0,2}?(?:går|gjekk|gikk) gjennom",
           _MESSAGE),
    Phrase(r"(?:skal|må) (?:du |dere |de )?(?:ikke|ikkje) betale (?:noe|noko|for|gebyret|fakturaen|purregebyret|"
           r"regninga|regningen|rekninga)", _MESSAGE),
    Phrase(r"(?:får|fær|skal få|vil få) (?:\w+ ){0,1}?(?:beholde|behalde|ha) (?:plassen|plassen din|tillatelsen|løyvet|"
           r"bevillingen|pengene|pengane)", _MESSAGE),
    Phrase(r"(?:kommunen|vi|me) (?:\w+ ){0,1}?(?:tar|tek|tar på seg|dekker|dekkjer|betaler|betalar) "
           r"(?:hele |heile )?(?:regningen|rekninga|regninga|kostnadene|kostnaden|utgiftene|utgiftene dine|skaden|"
           r"reparasjonen)", _MESSAGE),
    Phrase(r"(?:vil|skal|kommer til å|kjem til å) (?:\w+ ){0,1}?(?:motta|få utbetalt|få tilbakebetalt|få dekket|"
           r"få dekt|få erstattet) (?:\w+ ){0,1}?(?:erstatning|refusjon|tilskudd|tilskot|pengene|pengane|beløpet|"
           r"stønad|støtte)", _MESSAGE),
    # English
    Phrase(r"(?:has|have) been (?:approved|granted|rejected|declined|upheld|cancell?ed|refunded|waived|accepted|"
           r"awarded|allocated|given|offered|extended|postponed)|(?:is|was|are|were|will be) (?:approved|granted|"
           r"rejected|declined|upheld|cancell?ed|refunded|waived|awarded|allocated|extended)", _MESSAGE),
    Phrase(r"you(?: will|'ll| are going to| shall) (?:get|receive|be given|be granted|be offered|be refunded)"
           r"(?: \w+){0,2}? (?:refund|place|permit|grant|compensation|money back|approval)", _MESSAGE),
    Phrase(r"you (?:don't|do not|won't|will not) (?:need|have) to pay", _MESSAGE),
    Phrase(r"we (?:have|'ve|will|'ll) (?:cancell?ed|approved|granted|refunded|waived|cover|covered|reimburse|refund|"
           r"accept|accepted)", _MESSAGE),
])

#: Somebody's case in the sentence: a second person or a case word in its definite form.
_CASE_REFERENCE = re.compile(
    r"(?<!\w)(?:du|deg|din|ditt|dine|di|dere|dykk|dykkar|dokker|Deres|your|you|søknaden\w*|søknaden|byggesøknaden|"
    r"byggjesøknaden|klagen|klaga|fakturaen|gebyret|purregebyret|vedtaket|saken|saka|dispensasjonen|tillatelsen|"
    r"byggetillatelsen|løyvet|plassen|refusjonen|kravet|eiendomsskatten|eigedomsskatten|startlånet|tilskuddet|"
    r"tilskotet|bevillingen|søknad om|søknad|moren|mora|faren|sønnen|datteren|dottera|barnet|application|complaint|"
    r"appeal|claim|invoice|fee|son|daughter)(?!\w)", re.IGNORECASE)
#: A condition, general subject, hedge or uncertainty before the decision takes it out of the sentence.
_NOT_A_DECISION = re.compile(
    r"(?<!\w)(?:hvis|dersom|viss|om du|om de|om søknaden|om klagen|i så fall|når søknaden|når klagen|if|in case|"
    r"whether|alle|alle som|de som|dei som|søkere|søkjarar|man|ein|everyone|applicants|anyone|normalt|vanligvis|"
    r"vanlegvis|som regel|usually|normally|kan ikke|kan ikkje|kan dessverre ikke|kan diverre ikkje|cannot|can't|"
    r"can not|ikke sikkert|ikkje sikkert|ikke avgjort|ikkje avgjort|ikke bestemt|ennå ikke|enda ikke|ikkje enno|"
    r"not yet|usikkert|vet ikke|veit ikkje|uklart|hvorvidt|kor vidt|hva slags|kva slags|avhenger|avheng|depends|"
    r"vurderer)(?!\w)", re.IGNORECASE)


def check(text: str) -> list[ReplyWarning]:
    found: list[ReplyWarning] = []
    taken: list[tuple[int, int]] = []
    parts = sentences(text)
    for _phrase, match in TABLE.find(text):
        sentence = sentence_at(parts, match.start())
        if sentence is None or sentence.text.rstrip().endswith("?"):
            continue
        before = text[sentence.start:match.start()]
        inside = match.group(0)
        if _NOT_A_DECISION.search(before):
            continue
        index = parts.index(sentence)
        if not any(_CASE_REFERENCE.search(part.text) for part in parts[max(0, index - 1):index + 1]):
            continue
        if any(start <= match.start() < end for start, end in taken):
            continue
        taken.append((match.start(), match.end()))
        found.append(ReplyWarning(Code.CASE_DECISION, _MESSAGE.format(found=f"«{inside.strip()}»"), match.start(),
                                  match.end()))
    return found
