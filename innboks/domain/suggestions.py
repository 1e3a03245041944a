"""Suggested replies that point to the facts registry (``innboks.config.facts``).

"Generell veiledning eller henvisning til fakta på nettsidene er ikke saksbehandling": a citizen
who reports water gushing out of the asphalt in the evening gets the on-call number for vann og
avløp, not a thank-you; a question about kindergartens gets the kindergarten page; a case about a
building permit is told where building cases go. The topic comes from the registry's keywords in
the citizen's message (the topic with the most keyword hits; ties go to the earlier topic), or, for
an escalation, from the topic that names that escalation (``barnevern`` for child welfare).

The sentences are written here in bokmål, nynorsk and English; the registry supplies the facts.
Every suggestion the packaged registry can produce passes the reply check (tests), and the admin
page runs the same check on every suggestion of an edited registry before it is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from innboks.config.facts import Facts, Topic, text_in
from innboks.domain.language import tokens
from schemas import EscalationReason, Language

#: Words that say the citizen asks about evenings, nights, weekends or holidays: the on-call number.
_AFTER_HOURS = re.compile(r"(?<!\w)(?:kveld\w*|natt\w*|helg\w*|nått|kvelds\w*|utenom (?:arbeidstid|kontortid|"
                          r"åpningstid)|utanom (?:arbeidstid|kontortid|opningstid)|vakt\w*|akutt\w*|døgn\w*|"
                          r"evening|night|weekend|after hours|on call|on-call|urgent|emergency)(?!\w)", re.IGNORECASE)

_WORDS = {
    Language.BOKMAL: {"and": "og", "or": "eller", "hello": "Hei, og takk for at du sier fra!",
                      "question": "Hei, og takk for spørsmålet!", "sign": "Vennlig hilsen",
                      "on_call": "vakttelefonen for"},
    Language.NYNORSK: {"and": "og", "or": "eller", "hello": "Hei, og takk for at du seier ifrå!",
                       "question": "Hei, og takk for spørsmålet!", "sign": "Venleg helsing",
                       "on_call": "vakttelefonen for"},
    Language.ENGLISH: {"and": "and", "or": "or", "hello": "Hello, and thank you for letting us know!",
                       "question": "Hello, and thank you for your question!", "sign": "Kind regards,",
                       "on_call": "the on-call line for"},
}
_SENTENCES = {
    "call_on_call": {
        Language.BOKMAL: "Ring {call} på {phone}, den er åpen {hours}.",
        Language.NYNORSK: "Ring {call} på {phone}. Telefonen er open {hours}.",
        Language.ENGLISH: "Call {call} on {phone}, open {hours}.",
    },
    "after_hours": {
        Language.BOKMAL: "Utenom åpningstid ringer du {call} på {phone}, den er åpen {hours}.",
        Language.NYNORSK: "Utanom opningstida ringjer du {call} på {phone}. Telefonen er open {hours}.",
        Language.ENGLISH: "Outside opening hours, call {call} on {phone}, open {hours}.",
    },
    "danger": {
        Language.BOKMAL: "Er liv eller helse i fare, ring {emergency}.",
        Language.NYNORSK: "Er liv eller helse i fare, ring {emergency}.",
        Language.ENGLISH: "If life or health is in danger, call {emergency}.",
    },
    "call_us": {
        Language.BOKMAL: "Gjelder det kommunens veier, vann eller bygg, ring oss på {phone}.",
        Language.NYNORSK: "Gjeld det vegar, vatn eller bygg som kommunen har ansvaret for, ring oss på {phone}.",
        Language.ENGLISH: "If it concerns the municipality's roads, water or buildings, call us on {phone}.",
    },
    "page": {
        Language.BOKMAL: "Du finner informasjon om {name} på {page}.",
        Language.NYNORSK: "Du finn informasjon om {name} på {page}.",
        Language.ENGLISH: "You will find information about {name} at {page}.",
    },
    "phone": {
        Language.BOKMAL: "Du kan også ringe {phone} ({hours}).",
        Language.NYNORSK: "Du kan òg ringje {phone} ({hours}).",
        Language.ENGLISH: "You can also call {phone} ({hours}).",
    },
    "email": {
        Language.BOKMAL: "Du kan også sende e-post til {email}.",
        Language.NYNORSK: "Du kan òg sende e-post til {email}.",
        Language.ENGLISH: "You can also e-mail {email}.",
    },
    "contact_us": {
        Language.BOKMAL: "Ta gjerne kontakt med oss på {phone} ({hours}) eller {email}.",
        Language.NYNORSK: "Ta gjerne kontakt med oss på {phone} ({hours}) eller {email}.",
        Language.ENGLISH: "Feel free to contact us on {phone} ({hours}) or at {email}.",
    },
    "worried": {
        Language.BOKMAL: "Er du bekymret for et barn, kan du kontakte {name} på {phone} ({hours}).",
        Language.NYNORSK: "Er du uroleg for eit barn, kan du kontakte {name} på {phone} ({hours}).",
        Language.ENGLISH: "If you are worried about a child, you can contact {name} on {phone} ({hours}).",
    },
    "case": {
        Language.BOKMAL: "Hei, og takk for at du tar kontakt! Dette gjelder en enkeltsak, og av hensyn til "
                         "personvernet kan vi ikke behandle den her i sosiale medier. Henvendelsen din blir "
                         "videresendt og arkivert.",
        Language.NYNORSK: "Hei, og takk for at du tek kontakt! Dette gjeld ei enkeltsak, og av omsyn til personvernet "
                          "kan vi ikkje behandle ho her i sosiale medium. Førespurnaden din blir send vidare og "
                          "arkivert.",
        Language.ENGLISH: "Hello, and thank you for contacting us! This concerns an individual case, and to protect "
                          "your privacy we cannot handle it here on social media. Your inquiry will be forwarded and "
                          "archived.",
    },
}


def _language(language: Language) -> Language:
    """The language a suggestion is written in: the citizen's, bokmål where we have no text of our own."""
    return language if language in _WORDS else Language.BOKMAL


class _KeywordIndex:
    """Every topic's keywords in one index, so a message's words are looked up once each: single words
    by a dict, prefixes (``vann*``) by the word's beginnings of the lengths the prefixes have, endings
    (``*faktura``) and phrases by a search each (they are few)."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = tuple(topics)
        self.singles: dict[str, set[int]] = {}
        self.prefixes: dict[str, set[int]] = {}
        self.endings: list[tuple[str, int]] = []
        self.phrases: list[tuple[str, int]] = []
        for index, topic in enumerate(topics):
            for keyword in topic.keywords:
                plain = " ".join(tokens(keyword.strip("*")))
                if " " in plain:
                    self.phrases.append((f" {plain} ", index))
                elif keyword.startswith("*"):
                    self.endings.append((plain, index))
                elif keyword.endswith("*"):
                    self.prefixes.setdefault(plain, set()).add(index)
                else:
                    self.singles.setdefault(plain, set()).add(index)
        self.lengths = sorted({len(prefix) for prefix in self.prefixes})
        #: The topics each word seen so far is a keyword of (most words recur; bounded).
        self._by_word: dict[str, tuple[int, ...]] = {}

    def _topics_of(self, word: str) -> tuple[int, ...]:
        found = self._by_word.get(word)
        if found is None:
            matched = set(self.singles.get(word, ()))
            for length in self.lengths:
                if length > len(word):
                    break
                matched.update(self.prefixes.get(word[:length], ()))
            matched.update(index for ending, index in self.endings if word.endswith(ending))
            found = tuple(matched)
            if len(self._by_word) >= 50_000:
                self._by_word.clear()
            self._by_word[word] = found
        return found

    def hits(self, text: str) -> list[int]:
        """Per topic, how many of the message's distinct words (and phrases) are its keywords."""
        words = tokens(text)
        counts = [0] * len(self.topics)
        for word in set(words):
            for index in self._topics_of(word):
                counts[index] += 1
        if self.phrases:
            joined = f" {' '.join(words)} "
            for phrase, index in self.phrases:
                if phrase in joined:
                    counts[index] += 1
        return counts


_INDEXES: dict[int, tuple[Facts, _KeywordIndex]] = {}


def _index(facts: Facts) -> _KeywordIndex:
    """The registry's keywords, prepared once per registry (a registry is immutable)."""
    cached = _INDEXES.get(id(facts))
    if cached is None or cached[0] is not facts:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        cached = _INDEXES[id(facts)] = (facts, _KeywordIndex(list(facts.topics)))
    return cached[1]


def match_topics(facts: Facts, text: str) -> list[Topic]:
    """The topics whose keywords occur in ``text``, most hits first (ties: the registry's order)."""
    index = _index(facts)
    counts = index.hits(text)
    ranked = sorted((-hits, position) for position, hits in enumerate(counts) if hits > 0)
    return [index.topics[position] for _, position in ranked]


def _emergency_numbers(facts: Facts, language: Language) -> str:
    parts = [f"{e.number} ({text_in(e.name, language)})" for e in facts.emergency]
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {_WORDS[language]['or']} {parts[-1]}"


def _on_call_name(topic: Topic, language: Language) -> str:
    if topic.on_call is not None and topic.on_call.name:
        return text_in(topic.on_call.name, language)
    return f"{_WORDS[language]['on_call']} {text_in(topic.name, language)}"


def _sentence(sentence: str, language: Language, **values: str) -> str:
    return _SENTENCES[sentence][language].format(**values)


def _close(facts: Facts, language: Language, *sentences: str) -> str:
    return " ".join([*sentences, f"{_WORDS[language]['sign']} {facts.municipality}"])


def emergency_reply(facts: Facts, text: str, language: Language) -> str:
    """An emergency: the matching topic's on-call number, and the emergency numbers."""
    language = _language(language)
    danger = _sentence("danger", language, emergency=_emergency_numbers(facts, language))
    topic = next((t for t in match_topics(facts, text) if t.on_call is not None), None)
    if topic is None or topic.on_call is None:
        return _close(facts, language, _WORDS[language]["hello"], danger,
                      _sentence("call_us", language, phone=facts.phone))
    call = _sentence("call_on_call", language, call=_on_call_name(topic, language), phone=topic.on_call.phone,
                     hours=text_in(topic.on_call.hours, language))
    return _close(facts, language, _WORDS[language]["hello"], call, danger)


def escalation_topic(facts: Facts, reason: EscalationReason, text: str) -> Topic | None:
    """The topic an escalation points to: the one that names the reason, else the best keyword match."""
    named = next((topic for topic in facts.topics if reason in topic.escalations), None)
    if named is not None:
        return named
    matches = match_topics(facts, text)
    return matches[0] if matches else None


def child_welfare_reply(facts: Facts, text: str, language: Language) -> str | None:
    """A concern about a child: the child welfare service and its on-call number."""
    topic = escalation_topic(facts, EscalationReason.CHILD_WELFARE, text)
    if topic is None:
        return None
    language = _language(language)
    sentences = [_WORDS[language]["hello"]]
    if topic.phone:
        sentences.append(_sentence("worried", language, name=text_in(topic.name, language), phone=topic.phone,
                                   hours=text_in(topic.hours or facts.hours, language)))
    if topic.on_call is not None:
        sentences.append(_sentence("after_hours", language, call=_on_call_name(topic, language),
                                   phone=topic.on_call.phone, hours=text_in(topic.on_call.hours, language)))
    sentences.append(_sentence("danger", language, emergency=_emergency_numbers(facts, language)))
    return _close(facts, language, *sentences)


def question_reply(facts: Facts, text: str, language: Language) -> str | None:
    """A general question about a topic of the registry: where the facts are, and whom to call."""
    matches = match_topics(facts, text)
    if not matches:
        return None
    topic = matches[0]
    language = _language(language)
    return _close(facts, language, _WORDS[language]["question"], *_pointers(facts, topic, language, text))


def _pointers(facts: Facts, topic: Topic, language: Language, text: str) -> Iterator[str]:
    name = text_in(topic.name, language)
    if topic.page:
        yield _sentence("page", language, name=name, page=topic.page)
    if topic.phone:
        yield _sentence("phone", language, phone=topic.phone, hours=text_in(topic.hours or facts.hours, language))
    elif topic.email:
        yield _sentence("email", language, email=topic.email)
    if topic.on_call is not None and _AFTER_HOURS.search(text):
        yield _sentence("after_hours", language, call=_on_call_name(topic, language), phone=topic.on_call.phone,
                        hours=text_in(topic.on_call.hours, language))
    if not (topic.page or topic.phone or topic.email):
        yield _sentence("contact_us", language, phone=facts.phone, hours=text_in(facts.hours, language),
                        email=facts.email)


def case_reply(facts: Facts, text: str, language: Language) -> str | None:
    """A case: it is forwarded, and where a case of this kind goes (the topic's channel); None when no
    matching topic says where its cases go."""
    topic = next((t for t in match_topics(facts, text) if t.case_channel), None)
    if topic is None or topic.case_channel is None:
        return None
    language = _language(language)
    return _close(facts, language, _SENTENCES["case"][language], text_in(topic.case_channel, language))


@dataclass(frozen=True)
class Suggestion:
    """One suggestion a registry can produce, for the check when the registry is saved."""

    topic: str
    situation: str
    language: Language
    text: str


def every_suggestion(facts: Facts) -> Iterator[Suggestion]:
    """Every suggestion the registry can produce, per topic, situation and language."""
    for topic in facts.topics:
        sample = " ".join(topic.keywords).replace("*", "") + " kveld"
        for language in _WORDS:
            yield Suggestion(topic.id, "question", language, question_reply(facts, sample, language) or "")
            if topic.on_call is not None:
                yield Suggestion(topic.id, "emergency", language, emergency_reply(facts, sample, language))
            if topic.case_channel is not None:
                yield Suggestion(topic.id, "case", language, case_reply(facts, sample, language) or "")
            if EscalationReason.CHILD_WELFARE in topic.escalations:
                yield Suggestion(topic.id, "child_welfare", language,
                                 child_welfare_reply(facts, sample, language) or "")
    for language in _WORDS:
        yield Suggestion("", "emergency", language, emergency_reply(facts, "", language))
