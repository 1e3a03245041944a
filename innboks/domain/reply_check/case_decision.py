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
    r"fritatt", r"friteke", r"fritekne", r"avgjort", r"avgjord", r"avgjort i din favør", r"avslegen", r"avslegne",
    r"løyvd", r"løyvt", r"innvilget og \w+", r"gitt medhold", r"gjeve medhald", r"nedsatt", r"dekt", r"dekket",
    r"erstattet", r"erstatta", r"trukket tilbake", r"trekt tilbake", r"dratt tilbake", r"trekt attende",
    r"withdrawn", r"cancell?ed", r"halvert", r"halvera", r"nedjustert", r"justert ned", r"senket", r"senka",
    r"nedsett", r"godteke", r"godtatt", r"akseptert", r"gjennomført som søkt"])
_AUXILIARIES = any_of([r"er", r"blir", r"ble", r"blei", r"vart", r"vert", r"vil bli", r"skal bli", r"har blitt",
                       r"er blitt", r"har vorte", r"er vorte", r"kommer til å bli"])
_GRANTS = any_of([
    r"tildelt", r"innvilget", r"innvilga", r"godkjent", r"godkjend", r"refundert", r"tilbakebetalt", r"dekket",
    r"dekt", r"erstattet", r"medhold", r"medhald", r"avslag", r"plass\w*", r"langtidsplass\w*", r"korttidsplass\w*",
    r"sykehjemsplass\w*", r"barnehageplass\w*", r"pengene tilbake", r"pengane tilbake", r"dispensasjon\w*",
    r"tillatelse\w*", r"løyve\w*", r"startlån\w*", r"tilskudd\w*", r"tilskot\w*", r"erstatning\w*", r"fritak\w*",
    r"redusert", r"omsorgsbolig\w*", r"omsorgsbustad\w*", r"kommunal bolig", r"skoleskyss", r"skuleskyss",
    r"ekstra timer", r"assistent", r"tt-kort\w*", r"refusjon\w*", r"stønad\w*", r"støtte\w*", r"bevilling\w*",
    r"bostøtte\w*", r"lånet", r"plassen din", r"dekning\w*", r"kompensasjon\w*", r"godkjenning\w*", r"\w+plass",
    r"(?:pengene|pengane|beløpet|beløpa|depositumet|gebyret|innbetalinga|innbetalingen|avgifta|avgiften) tilbake",
    r"gratis (?!\w+ (?:for|til) alle)\w+", r"fri (?:sfo|barnehage|kjernetid)\w*", r"friplass\w*", r"sfo\w*",
    r"moderasjon\w*", r"søskenmoderasjon\w*", r"redusert (?:pris|foreldrebetaling|betaling|sats)", r"reduksjon\w*"])
_OUR_ACTS = any_of([
    r"godkjenner", r"godkjenner herved", r"innvilger", r"avslår", r"avslår herved", r"godtar", r"godtek", r"sletter",
    r"slettar", r"krediterer(?! (?:deg|dykk|dere|you|fotografen|bildet|biletet))", r"krediterar(?! (?:deg|dykk))",
    r"refunderer", r"refunderar", r"frafaller", r"fråfell", r"dekker",
    r"dekkjer", r"erstatter", r"erstattar", r"omgjør", r"gjer om", r"ettergir", r"tar klagen til følge",
    r"tek klaga til følgje", r"har godkjent", r"har godkjend", r"har innvilget", r"har innvilga", r"har avslått",
    r"har sletta", r"har slettet", r"har kreditert", r"har strøket", r"har stroke", r"har bestemt at",
    r"har avgjort at", r"har frafalt", r"gir deg medhold", r"gjev deg medhald", r"gir deg rett", r"gjev deg rett",
    r"bevilger", r"har bevilget", r"har bevilga", r"har gitt deg", r"har gjeve deg"])
_OUR_FUTURE = any_of([r"erstatte", r"dekke", r"refundere", r"kreditere", r"slette", r"frafalle", r"godkjenne",
                      r"godkjenne", r"innvilge", r"avslå", r"omgjøre", r"gjere om", r"godta", r"ettergi",
                      r"gi deg medhold", r"gje deg medhald", r"gi deg rett", r"betale tilbake", r"betale for",
                      r"betale", r"betala", r"dekkje", r"stryke", r"sletta", r"refundera", r"godkjenna", r"innvilga",
                      r"tilby deg", r"tilby dykk", r"tildele deg", r"gi deg", r"gje deg", r"gi dere", r"tilbakebetale",
                      r"betale tilbake", r"ta klagen til følge", r"ta klaga til følgje", r"sette ned", r"setje ned",
                      r"senke", r"redusere", r"halvere", r"justere ned", r"nedjustere", r"fjerne", r"stryke"])
#: Past participles of our own decisions, after "vi har" with an adverb or two ("vi har nå innvilget").
_OUR_DONE = any_of([r"godkjent", r"godkjend", r"innvilget", r"innvilga", r"avslått", r"sletta", r"slettet", r"strøket",
                    r"stroke", r"kreditert", r"kreditera", r"refundert", r"refundera", r"frafalt", r"fråfalle",
                    r"ettergitt", r"ettergjeve", r"tildelt", r"omgjort", r"gjort om", r"bevilget", r"bevilga",
                    r"dekket", r"dekt", r"erstattet", r"erstatta", r"tatt klagen til følge", r"teke klaga til følgje",
                    r"bestemt at", r"avgjort at", r"vedtatt at", r"vedteke at", r"kommet fram til at",
                    r"kome fram til at", r"komme frem til at", r"kommet frem til at"])
#: Who decides: the municipality's boards, offices and services ("takstnemnda", "byggesak", "rektor").
_BODY = (r"(?:\w+(?:nemnda|nemnden|nemnd|utvalget|utvalet|kontoret|avdelinga|avdelingen|etaten|tenesta|tjenesten|"
         r"tjenestene)|byggesak|rektor|rektoren|skolen|skulen|barnehagen|nav|saksbehandleren|saksbehandlaren|"
         r"formannskapet|kommunedirektøren|rådmannen)")
#: Case nouns whose outcome "goes through" or "is sorted": "dispensasjonen går gjennom", "fritaket er ordnet".
_CASE_NOUNS = (r"(?:\w*søknaden|\w*søknaden din|saken|saka|klagen|klaga|fritaket|plassen|refusjonen|tillatelsen|løyvet|"
               r"dispensasjonen|dispensasjonssøknaden|skyssen|skoleskyssen|skuleskyssen|byttet|bytet|overflyttingen|"
               r"overflyttinga|tilskuddet|tilskotet|støtta|støtten|stønaden|lånet|startlånet|avtalen|leieavtalen|"
               r"kontrakten|reduksjonen|moderasjonen|fritaket|endringen|endringa|byggesaken|byggesaka|"
               r"ferdigattesten|midlertidig brukstillatelse|brukstillatelsen|bevillingen|bevillinga)")
#: Facilities and things a decision gives someone: "dere får hallen", "du får jobben".
_GIVEN = (r"(?:hallen|salen|gymsalen|idrettshallen|banen|lokalet|lokalene|lokala|scenen|rommet|tomta|tomten|parsellen|"
          r"båtplassen|kaiplassen|leiligheten|leilegheita|boligen|bustaden|jobben|stillingen|stillinga|sommerjobben|"
          r"the hall|the job|the flat|the plot)")

#: A grant or a decision in someone's favour: "du har krav på …", "dykk har rett på …", "you're entitled to …".
_ENTITLED = (r"(?:har|har nå|har no|har altså|har derfor|fyller vilkårene for|fyller vilkåra for|oppfyller kravene "
             r"til|oppfyller krava til) (?:\w+ )?(?:krav på|rett på|krav om|rett til (?!å |innsyn|klage))|"
             r"(?:er|blir|vert) (?:\w+ )?(?:berettiget|berettiga|kvalifisert) (?:til|for)|"
             r"(?:you're|you are|you'll be|you will be) (?:\w+ )?(?:entitled|eligible) (?:to|for)|"
             r"you (?:qualify|do qualify) for")

_MESSAGE = ("Svaret avgjør eller lover utfallet i en enkeltsak ({found}). Det hører hjemme i et vedtak med begrunnelse "
            "og klagerett, ikke i sosiale medier. Si heller hvordan saken behandles og hvor svaret kommer.")

TABLE = PhraseTable([
    Phrase(rf"(?:vi|kommunen|me) (?:har|hadde) (?:\w+ ){{0,2}}?{_OUR_DONE}", _MESSAGE),
    Phrase(_ENTITLED, _MESSAGE),
    Phrase(r"(?:fått|får|fikk|fekk|gets?|got) (?:et |eit |a )?(?:ja|nei|yes|no) (?:på|til|to|on) (?:\w+ )?(?:søknad\w*|"
           r"klage\w*|klaga|application|appeal|request)", _MESSAGE),
    Phrase(r"(?:vi|kommunen|me|we) (?:\w+ )?(?:sier|seier|har sagt|sa|heve|hever|hevar|terminate|are terminating) "
           r"(?:opp )?(?:kontrakten|leieavtalen|leigeavtalen|avtalen|husleieavtalen|leiekontrakten|plassen|your "
           r"(?:contract|lease|tenancy))", _MESSAGE),
    Phrase(r"(?:we|vi|me|kommunen|the council) (?:can|will|could|kan|vil|skal) (?:now |nå |no )?(?:offer|give|grant|"
           r"tilby|gi|gje|innvilge) (?:you|your \w+|deg|dere|dykk|dokker) (?:\w+ ){0,2}?(?:respite|care|home care|"
           r"a place|"
           r"housing|compensation|a refund|avlastning\w*|avlasting\w*|støttekontakt\w*|omsorgsbolig\w*|"
           r"omsorgsbustad\w*|sykehjemsplass\w*|sjukeheimsplass\w*|plass\w*|erstatning\w*|refusjon\w*|"
           r"hjemmehjelp\w*|heimehjelp\w*|hjemmesykepleie\w*|heimesjukepleie\w*|bolig|bustad)", _MESSAGE),
    Phrase(r"(?:får|fær|skal få|vil få|kommer til å få|kjem til å få) (?:\w+ ){0,1}?(?:beholde|behalde|halde fram med|"
           r"holde fram med|fortsette med|fortsetje med|fortsatt ha|framleis ha|keep)", _MESSAGE),
    Phrase(r"(?:kommer|kjem|kom|vil komme|vil kome|skal) (?:\w+ )?inn (?:på|i|ved) (?:\w+ ){0,2}?(?:\w*barnehage\w*|"
           r"\w*skole\w*|\w*skule\w*|sfo|\w*sykehjem\w*|\w*sjukeheim\w*|\w*omsorgsbolig\w*|\w*omsorgsbustad\w*|"
           r"linja|linjen|studiet)", _MESSAGE),
    Phrase(r"(?:slipper|slepp|sleppe|slippe) (?:du |dere |de |dykk )?(?:å betale|å betala|\w*gebyr\w*|\w*avgift\w*|"
           r"fakturaen|fakturaen din|rekninga|regningen|\w*bot|\w*boten|\w*bota|renter|rentene|\w*purring\w*|"
           r"tilleggs\w*|eigedomsskatt\w*|eiendomsskatt\w*)", _MESSAGE),
    Phrase(r"(?:saken|saka|søknaden|klagen|klaga)(?: [\w-]+){0,4}? (?:er|har blitt|har vorte|vart|ble|blei) "
           r"(?:nå |no |endelig |endeleg )?(?:avgjort|avgjord|bestemt|ordnet|ordna|i orden|løst|løyst)(?! (?:enno|ennå|"
           r"ikke|ikkje))", _MESSAGE),
    Phrase(rf"{_AUXILIARIES}\s+(?:(?!ikke|ikkje|not)[\w-]+\s+){{0,4}}?{_OUTCOMES}", _MESSAGE),
    Phrase(r"(?:tas|tatt|takast|teken|teke) til (?:følge|følgje)", _MESSAGE),
    Phrase(rf"(?:får|fær|fikk|fekk|fått|vil få|skal få|kommer til å få|kjem til å få)\s+(?:\w+\s+){{0,2}}?{_GRANTS}",
           _MESSAGE),
    Phrase(rf"(?:vi|kommunen|me)\s+(?:\w+\s+){{0,1}}?{_OUR_ACTS}", _MESSAGE),
    Phrase(rf"(?:vi|kommunen|me|og|{_BODY})\s+(?:vil|skal|kommer til å|kjem til å)\s+(?:\w+\s+){{0,1}}?{_OUR_FUTURE}"
           rf"(?:\s+(?:for\s+)?(?:den |det |dei |de )?\w+(?:en|et|a|ene|ane|na)(?!\w))?", _MESSAGE),
    Phrase(r"(?:dispensasjon\w*|tillatelse\w*|løyve\w*|bevilling\w*|tilskudd\w*|tilskot\w*|fritak\w*)\s+"
           r"(?:blir|vil bli|er|vert|skal bli)\s+(?:gitt|gjeve|gitt deg)", _MESSAGE),
    Phrase(r"(?:(?:slipper|slepp) (?:du |dere |de )?å betale|(?:trenger|treng|behøver) (?:du |dere |de )?(?:ikke|"
           r"ikkje) "
           r"(?:å )?betale|(?:ikke|ikkje) (?:trenger|treng|behøver) (?:å )?betale)(?! (?:noe |noko )?for å| for bruk|"
           r" for "
           r"parkering| for lån| ved| på)", _MESSAGE),
    Phrase(r"(?:det kan vi love|det lover vi|kan vi love|vi lover (?:deg |dykk |dere )?at|vi garanterer)", _MESSAGE),
    Phrase(r"svaret (?:\w+ ){0,3}?(?:er|blir|vart|ble) (?:ja|nei|positivt|negativt)", _MESSAGE),
    Phrase(r"(?:vi|kommunen|me) (?:\w+ ){0,1}?(?:har )?(?:sagt|sier|seier) (?:ja|nei) til|(?:vi|kommunen|me) "
           r"(?:\w+ ){0,1}?(?:erkjenner|erkjenner herved|vedkjenner) (?:ansvar|ansvaret)|(?:vi|kommunen|me) "
           r"(?:\w+ ){0,1}?(?:tilbyr|tilbyd) (?:deg|dere|dykk|dokker|you) (?:\w+ ){0,2}?(?:plass|bolig|bustad|"
           r"omsorgsbolig|erstatning|a place|housing)", _MESSAGE),
    Phrase(rf"(?:gir|gjev|gi) (?:deg|dere|dykk|dokker|you) (?:\w+ ){{0,1}}?{_GRANTS}", _MESSAGE),
    Phrase(rf"(?:vi|me|kommunen) (?:\w+ )?(?:ordner|ordnar|fikser|fiksar|sørger for|syter for|skaffer|skaffar) "
           rf"(?:deg |dykk |dere |han |henne |ho )?(?:med )?(?:en |ei |ein |et |eit )?{_GRANTS}", _MESSAGE),
    Phrase(r"(?:klagen|klaga|søknaden|anken) (?:din |di |dykkar |deres )?(?:har )?(?:ført|nådd|nått) (?:fram|frem)|"
           r"(?:appeal|complaint|application) (?:was|has been|is) (?:successful|upheld)|(?:has been|was|will be) "
           r"(?:reversed|overturned|waived|withdrawn)|you (?:have|'ve) been (?:granted|awarded|given|offered|approved)|"
           r"(?:has|have) (?:gone|come) through|went through",
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
    Phrase(rf"{_CASE_NOUNS} (?:\w+ ){{0,2}}?(?:går|gjekk|gikk|gjennom|kommer|kjem) (?:nok |trolig |truleg )?"
           rf"(?:gjennom|i orden|i boks|i havn)|{_CASE_NOUNS} (?:er|har blitt|har vorte|vart|ble|blei) (?:nå |no |"
           rf"endelig |endeleg )?(?:i boks|i havn|ordnet|ordna|fikset|fiksa|på plass|klar|klart)(?! (?:enno|ennå|ikke|"
           rf"ikkje|til))", _MESSAGE),
    Phrase(r"(?:du|dere|dykk|de|laget|klubben|foreningen|foreininga|idrettslaget|korpset|koret|festivalen) "
           r"(?:får|fær|fikk|fekk|har fått|vil få|skal få) (?:\w+ )?(?:kr\.? ?)?\d{1,3}(?:[  .]\d{3})+"
           r"(?: ?(?:kr\.?|kroner|,-))?(?= (?:til|i|kr|kroner|fra|frå|som|for)\b|[.,!]|\s*$)", _MESSAGE),
    Phrase(rf"(?:får|fær|fikk|fekk|har fått|vil få|skal få) (?:\w+ )?{_GIVEN}(?! (?:til leie|via|gjennom|på nett))",
           _MESSAGE),
    Phrase(r"(?:får|fær|fikk|fekk|vil få|skal få) (?:lov til å |lov å |lov til å )?(?:bytte|byte|skifte|flytte|begynne|"
           r"byrje|starte|gå over) (?:til |på |i )?(?:\w+ ){0,2}?(?:\w*skole\w*|\w*skule\w*|\w*barnehage\w*|klasse\w*|"
           r"avdeling\w*|sfo|linje\w*|\w*plass\w*|rom|bolig\w*|bustad\w*)", _MESSAGE),
    Phrase(r"(?:får|fær)\b[^.!?]{1,80}?,? (?:det er|alt er|det er allerede) (?:ordnet|ordna|fikset|fiksa|i boks|"
           r"i orden|klart|avtalt)", _MESSAGE),
    # English
    Phrase(r"(?:has|have) been (?:approved|granted|rejected|declined|upheld|cancell?ed|refunded|waived|accepted|"
           r"awarded|allocated|given|offered|extended|postponed|reduced|increased|cut|stopped|terminated|ended|"
           r"renewed)|"
           r"(?:is|was|are|were|will be) (?:approved|granted|rejected|declined|upheld|cancell?ed|refunded|waived|"
           r"awarded|"
           r"allocated|extended|reduced|increased|cut|stopped|terminated|ended|renewed)", _MESSAGE),
    Phrase(r"we(?:'ve| have)? (?:agreed|decided) to (?:cover|pay|refund|reimburse|waive|accept|approve|grant|extend|"
           r"cancel|replace)|(?:vi|me|kommunen) (?:har )?(?:bestemt|vedtatt|vedteke) (?:oss|seg) for å (?:gi|gje|"
           r"innvilge|"
           r"godkjenne|dekke|dekkje|betale|refundere|slette|stryke|forlenge|frafalle|erstatte)|(?:vi|me|kommunen) har "
           r"(?:gått med på|sagt oss villige til|gått med på å) (?:å )?(?:dekke|dekkje|betale|erstatte|refundere|"
           r"slette|godkjenne)", _MESSAGE),
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
    r"appeal|claim|invoice|fee|son|daughter|reparasjonen|skaden|skadane|regningen|rekninga|regninga|boten|bota|"
    r"parkeringsboten|postkassen|postkassa|beløpet|utgiftene dine|kostnadene dine)(?!\w)", re.IGNORECASE)
#: A condition, general subject, hedge or uncertainty before the decision takes it out of the sentence.
_NOT_A_DECISION = re.compile(
    r"(?<!\w)(?:hvis|dersom|viss|om du|om de|om søknaden|om klagen|i så fall|når søknaden|når klagen|if|in case|"
    r"whether|alle|alle som|de som|dei som|søkere|søkjarar|man|ein|everyone|applicants|anyone|normalt|vanligvis|"
    r"vanlegvis|som regel|usually|normally|kan ikke|kan ikkje|kan dessverre ikke|kan diverre ikkje|cannot|can't|"
    r"can not|ikke sikkert|ikkje sikkert|ikke avgjort|ikkje avgjort|ikke bestemt|ennå ikke|enda ikke|ikkje enno|"
    r"not yet|usikkert|vet ikke|veit ikkje|uklart|hvorvidt|kor vidt|hva slags|kva slags|avhenger|avheng|depends|"
    r"vurderer|når|etter at|så snart|straks|once|when|as soon as)(?!\w)", re.IGNORECASE)


#: What we delete or report is a comment, not a case: "vi har slettet den (kommentaren) og anmeldt forholdet".
_MODERATED = re.compile(r"\s+(?:den|det|dei|dem|kommentaren\w*|kommentarane|innlegget|innlegga|innleggene|tråden|"
                        r"meldinga|meldingen|bildet|biletet|svaret|forholdet|the comment|the post|it)(?!\w)",
                        re.IGNORECASE)


#: We promise to pay for, replace or refund a definite thing ("vi kommer til å erstatte sykkelen"): a
#: promise in someone's case even when the case is not named.
_OUR_PROMISE = re.compile(r"(?:we(?:'ve| have)? (?:agreed|decided) to|(?:vi|kommunen|me|og|we)\s+(?:(?:vil|skal|"
                          r"kommer til å|kjem til å)\s+(?:\w+\s+)?(?:erstatte|"
                          r"erstatta|dekke|dekkje|refundere|refundera|betale|betala|kreditere|tilbakebetale)|(?:\w+ )?"
                          r"(?:sier|seier|har sagt|sa|heve|hever|hevar|terminate|are terminating) |har bestemt (?:oss|"
                          r"seg) for å ))",
                          re.IGNORECASE)
_MODERATION_VERB = re.compile(r"slett|fjern|strøk|strok|skjul", re.IGNORECASE)


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
        promise = _OUR_PROMISE.match(inside) is not None and not _NOT_A_DECISION.search(sentence.text)
        if not promise and not any(_CASE_REFERENCE.search(part.text) for part in parts[max(0, index - 1):index + 1]):
            continue
        if any(start <= match.start() < end for start, end in taken) or _moderation(match):
            continue
        taken.append((match.start(), match.end()))
        found.append(ReplyWarning(Code.CASE_DECISION, _MESSAGE.format(found=f"«{inside.strip()}»"), match.start(),
                                  match.end()))
    return found


#: The comment as the subject: "Kommentaren er slettet fordi …", "Innlegget ditt er fjernet".
_MODERATED_SUBJECT = re.compile(r"(?<!\w)(?:kommentaren\w*|kommentarane|kommentarene|innlegget|innlegga|innleggene|"
                                r"tråden|bildet|biletet|the comment|the post|your comment|your post)(?: din| di| ditt| "
                                r"dine)?\s+$", re.IGNORECASE)


def _moderation(match: re.Match[str]) -> bool:
    """Deleting or hiding a comment, or reporting it, is moderation, not a case decision."""
    if not _MODERATION_VERB.search(match.group(0)):
        return False
    before = match.string[max(0, match.start() - 40):match.start()]
    return _MODERATED.match(match.string, match.end()) is not None or _MODERATED_SUBJECT.search(before) is not None
