"""The facts registry (``INNBOKS_FACTS``, YAML): what replies may point to.

The guideline says general guidance and pointing to facts on the website is not case handling. The
registry holds those facts: the municipality's website, Facebook page, switchboard and opening
hours, the emergency numbers, the numbers of other public services replies refer to, and topics
(vann og avløp, veg og brøyting, barnevern …) with the keywords that recognise them, the official
page, phone and hours, an on-call number, and where a case of that kind is sent. Suggested replies
are built from it (``innboks.domain.suggestions``), and the reply check treats the numbers and
addresses it lists as the municipality's own, not personal data.

Errors name the file (or the admin page's text), the line and the key, like the account registry's.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from innboks.config.files import UnreadableFile, read_text
from innboks.config.yamlfile import line_of
from innboks.errors import dotted, first_problem
from schemas import EscalationReason, Language

DEFAULT_FACTS_PATH = Path(__file__).with_name("alta-facts.yaml")
#: The largest facts document accepted (the admin page sends it in a request of at most 64 KiB).
MAX_FACTS_BYTES = 60 * 1024


class FactsError(ValueError):
    """The facts registry is missing, malformed or invalid."""


def _needs_bokmal(texts: dict[Language, str]) -> dict[Language, str]:
    if Language.BOKMAL not in texts:
        raise ValueError("needs a bokmål (nb) text to fall back on")
    if any(not text.strip() for text in texts.values()):
        raise ValueError("texts may not be empty")
    return {language: " ".join(text.split()) for language, text in texts.items()}


_PHONE = re.compile(r"^\+?[0-9 ]+$")


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value) or not 3 <= len(digits) <= 15:
        raise ValueError("a phone number is 3 to 15 digits, spaces allowed, e.g. '78 45 50 00' or '116 117'")
    return value


def _url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
        raise ValueError("a web address starts with https:// (or http://) and has no spaces")
    return value


def _email(value: str) -> str:
    if not re.match(r"^[\w.+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$", value):
        raise ValueError("not an e-mail address")
    return value


def _keyword(value: str) -> str:
    word = value.strip("*").strip()
    if not word or word != value.strip("*") or "*" in word:
        raise ValueError(f"keyword {value!r}: plain words or phrases with an optional * at either end")
    if "*" in value and " " in word:
        raise ValueError(f"keyword {value!r}: prefixes and endings (*) are single words")
    if value.startswith("*") and len(word) < 3:
        raise ValueError(f"keyword {value!r}: endings (*) need at least three letters")
    return value.lower()


#: A text in bokmål, and where written, nynorsk and English: {nb: …, nn: …, en: …}.
Texts = Annotated[dict[Language, str], AfterValidator(_needs_bokmal)]
Phone = Annotated[str, AfterValidator(_phone)]
Url = Annotated[str, AfterValidator(_url)]
Email = Annotated[str, AfterValidator(_email)]
Keyword = Annotated[str, AfterValidator(_keyword)]


def text_in(texts: dict[Language, str], language: Language) -> str:
    """The text in ``language``, else bokmål."""
    return texts.get(language) or texts[Language.BOKMAL]


class OnCall(BaseModel):
    """A number that answers outside office hours (vakttelefon, barnevernvakt, legevakt)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phone: Phone
    #: When it answers, written to follow "den er åpen …": {nb: "hele døgnet"}.
    hours: Texts
    #: What to call it ("barnevernvakta"); unset: "vakttelefonen for <topic>".
    name: Texts | None = None


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=60)
    #: As it reads inside a sentence: {nb: "vann og avløp", nn: "vatn og avløp", en: "water and sewage"}.
    name: Texts
    #: Words that recognise the topic in a citizen's message (lower case; ``vann*`` a prefix,
    #: ``*ledning`` an ending, phrases of several words).
    keywords: list[Keyword] = Field(min_length=1)
    page: Url | None = None
    phone: Phone | None = None
    #: Opening hours of ``phone``, written to follow "åpen …" ("hverdager 08.00–15.30").
    hours: Texts | None = None
    email: Email | None = None
    on_call: OnCall | None = None
    #: Where a case of this kind goes, one or two sentences ("Byggesøknader sender du …").
    case_channel: Texts | None = None
    #: Escalations whose suggested reply points to this topic (``child_welfare`` for barnevern).
    escalations: list[EscalationReason] = Field(default_factory=list)


class EmergencyNumber(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: Phone
    #: What it is for: {nb: "brann"}.
    name: Texts


class OtherNumber(BaseModel):
    """A public service's number that replies point to (Vegtrafikksentralen, Skatteetaten, NAV …)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    phone: Phone


class Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    municipality: str = Field(min_length=1, max_length=200)
    website: Url
    #: The official Facebook page: with the website, the channel of all communication in a crisis.
    facebook_page: Url
    email: Email
    phone: Phone
    #: The switchboard's opening hours, written to follow "åpen …".
    hours: Texts
    postal_address: str | None = None
    #: Street addresses of the municipality's buildings ("Sentrum 5"): not personal data in a reply.
    addresses: list[str] = Field(default_factory=list)
    #: Mail domains that are the municipality's own (any address there is not personal data).
    domains: list[str] = Field(default_factory=list)
    emergency: list[EmergencyNumber] = Field(min_length=1)
    other_numbers: list[OtherNumber] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[Topic]) -> list[Topic]:
        seen: set[str] = set()
        for topic in topics:
            if topic.id in seen:
                raise ValueError(f"topic {topic.id!r} is listed twice")
            seen.add(topic.id)
        return topics

    @cached_property
    def numbers(self) -> frozenset[str]:
        """Every phone number the registry lists, as digits only (the municipality's own and the public
        services' numbers: not personal data in a reply)."""
        found = {self.phone, *(e.number for e in self.emergency), *(o.phone for o in self.other_numbers)}
        for topic in self.topics:
            found.update(p for p in (topic.phone, topic.on_call.phone if topic.on_call else None) if p)
        return frozenset(re.sub(r"\D", "", number) for number in found)

    @cached_property
    def emails(self) -> frozenset[str]:
        return frozenset(e.lower() for e in (self.email, *(t.email for t in self.topics)) if e)

    @cached_property
    def mail_domains(self) -> frozenset[str]:
        """The registry's own mail domains: those listed, and those of its addresses."""
        return frozenset({d.lower().lstrip("@") for d in self.domains} | {e.split("@", 1)[1] for e in self.emails})

    def topic(self, topic_id: str) -> Topic | None:
        return next((topic for topic in self.topics if topic.id == topic_id), None)


def parse_facts(text: str, source: str = "facts") -> Facts:
    """The registry from YAML text; ``FactsError`` naming ``source``, the line and the key otherwise."""
    if len(text.encode("utf-8")) > MAX_FACTS_BYTES:
        raise FactsError(f"{source}: larger than {MAX_FACTS_BYTES // 1024} KiB")
    try:
        data = yaml.safe_load(text)
        tree = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise FactsError(f"{source}{where}: not valid YAML{f' ({problem})' if problem else ''}") from None
    if not isinstance(data, dict):
        raise FactsError(f"{source}: expected a mapping with municipality, website, topics …")
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        location, problem = first_problem(exc)
        line = line_of(tree, location)
        where = f":{line}" if line else ""
        raise FactsError(f"{source}{where}: {dotted(location, '(top level)')}: "
                         f"{problem.removeprefix('Value error, ')}") from None


def load_facts(path: Path = DEFAULT_FACTS_PATH) -> Facts:
    try:
        text = read_text(path, "the facts registry")
    except UnreadableFile as exc:
        raise FactsError(str(exc)) from None
    return parse_facts(text, str(path))


def facts_path(configured: Path | None) -> Path:
    """The configured registry (``INNBOKS_FACTS``), else the packaged Alta kommune facts."""
    return configured if configured is not None else DEFAULT_FACTS_PATH
