"""The guideline's checks when an account is connected, as pure rules over what the platforms answer.

- **Co-admin**: "Kommunikasjonsenheten skal som hovedregel være medadministrator på kommunale sosiale
  mediekontoer." Where a platform lists who administers an account (Facebook Pages, LinkedIn
  organization pages), the communication unit's own ids (``communication_unit.admins`` in the
  registry) must be among them: ``ok``, ``missing`` (with the reason), or ``unknown`` (the platform
  does not tell, or the unit has no ids for it).
- **Profile**: "Det skal komme tydelig frem at dette er i regi av Alta kommune." Where the API shows
  the name, the bio and the website: does the profile name the municipality, and does it link to the
  official site?
- **Assessment**: "Vurdering før konto opprettes": why, for whom, privacy and confidentiality,
  resources to follow up. All four answered, or the account is not connected.

The listings of roles are parsed here, so the connect flow and ``innboks accounts check`` agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

AdminCheck = Literal["ok", "missing", "unknown"]
ADMIN_CHECKS: tuple[AdminCheck, ...] = ("ok", "missing", "unknown")


def _entries(body: Any, key: str) -> list[Mapping[str, Any]]:
    listing = body.get(key) if isinstance(body, Mapping) else None
    return [entry for entry in listing if isinstance(entry, Mapping)] if isinstance(listing, list) else []


def facebook_page_admins(bodies: Iterable[Any]) -> set[str]:
    """Ids with full control of a Page (the MANAGE task, or the old ADMINISTRATOR/MANAGER roles), from
    ``/{page}/roles`` and ``/{page}/assigned_users`` answers."""
    admins: set[str] = set()
    for body in bodies:
        for person in _entries(body, "data"):
            tasks = person.get("tasks")
            if (isinstance(tasks, list) and "MANAGE" in tasks) or person.get("role") in ("ADMINISTRATOR", "MANAGER"):
                admins.add(str(person.get("id")))
    return admins


def linkedin_organization_admins(body: Any) -> set[str]:
    """Person URNs with the approved ADMINISTRATOR role, from ``/rest/organizationAcls?q=organization``."""
    return {str(acl["roleAssignee"]) for acl in _entries(body, "elements")
            if acl.get("role") == "ADMINISTRATOR" and acl.get("state") == "APPROVED" and acl.get("roleAssignee")}


@dataclass(frozen=True)
class AdminResult:
    check: AdminCheck
    reason: str


def admin_check(unit_ids: Iterable[str], admins: set[str] | None, exposes_roles: bool,
                unit_name: str = "Kommunikasjonsenheten") -> AdminResult:
    """Whether the communication unit is co-admin, with the reason in bokmål (shown in Kontoer)."""
    ids = {str(i) for i in unit_ids}
    if not exposes_roles:
        return AdminResult("unknown", "plattformen viser ikke hvem som er administrator")
    if not ids:
        return AdminResult("unknown", f"{unit_name} har ingen id for denne plattformen i kontoregisteret "
                                      "(communication_unit.admins)")
    if admins is None:
        return AdminResult("unknown", "administratorene kunne ikke leses (mangler tillatelse?)")
    if ids & admins:
        return AdminResult("ok", f"{unit_name} er administrator")
    return AdminResult("missing", f"{unit_name} er ikke administrator av kontoen; retningslinjen sier at "
                                  "kommunikasjonsenheten skal være medadministrator")


@dataclass(frozen=True)
class Profile:
    """What a platform shows of an account: name, bio and website (None: not exposed)."""

    name: str | None = None
    bio: str | None = None
    website: str | None = None
    #: Other links the profile shows (Mastodon's profile fields).
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileCheck:
    status: Literal["ok", "warn", "unknown"]
    names_municipality: bool | None
    links_official_site: bool | None
    findings: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "names_municipality": self.names_municipality,
                "links_official_site": self.links_official_site, "findings": list(self.findings)}


URL = re.compile(r"https?://[^\s<>\"']+|(?<![\w.@/])(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s<>\"']*)?", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


def site_domain(official_site: str) -> str:
    """The official site's domain without ``www.`` (``https://www.alta.kommune.no`` → ``alta.kommune.no``)."""
    host = (urlsplit(official_site if "://" in official_site else f"https://{official_site}").hostname or "").lower()
    return host.removeprefix("www.")


def links_to(text: str | None, domain: str) -> bool:
    """Whether ``text`` holds a link to ``domain`` or a subdomain of it."""
    if not text or not domain:
        return False
    for match in [*URL.finditer(text), *URL.finditer(TAG.sub(" ", text))]:  # href targets and visible links
        candidate = match.group(0)
        host = (urlsplit(candidate if "://" in candidate else f"https://{candidate}").hostname or "").lower()
        if host == domain or host.endswith("." + domain):
            return True
    return False


def names_municipality(text: str, municipality: str) -> bool:
    """"Alta kommune" in the text, or the place name together with "kommune" ("drevet av kommunen i Alta")."""
    lowered, wanted = " ".join(TAG.sub(" ", text).lower().split()), municipality.lower().strip()
    if wanted and wanted in lowered:
        return True
    place = wanted.removesuffix(" kommune").strip()
    return bool(place) and place in lowered and "kommune" in lowered


def check_profile(profile: Profile | None, municipality: str, official_site: str) -> ProfileCheck:
    """Does the profile say it is run by the municipality, and link to the official site?"""
    if profile is None or (profile.name is None and profile.bio is None and profile.website is None):
        return ProfileCheck("unknown", None, None, ("plattformen viser ikke profilen",))
    text = " ".join(part for part in (profile.name, profile.bio) if part)
    named = names_municipality(text, municipality)
    domain = site_domain(official_site)
    linked = any(links_to(value, domain) for value in (profile.website, profile.bio, *profile.links))
    findings = []
    if not named:
        findings.append(f"navnet eller beskrivelsen sier ikke at kontoen drives av {municipality}")
    if not linked:
        findings.append(f"profilen lenker ikke til {domain}")
    return ProfileCheck("ok" if named and linked else "warn", named, linked, tuple(findings))


ASSESSMENT_FIELDS: dict[str, str] = {
    "purpose": "Hvorfor skal dere delta der, og hva er målet?",
    "audience": "Hvem er målgruppen, og hvor når dere dem?",
    "privacy": "Hvordan ivaretas personvern og taushetsplikt?",
    "resources": "Hvilke ressurser og hvor mye tid er satt av til å følge opp?",
}
ASSESSMENT_MAX = 2000


def assessment_problems(answers: Mapping[str, Any]) -> list[str]:
    """What is missing or too long in the guideline's assessment (empty: complete)."""
    problems = []
    for key, question in ASSESSMENT_FIELDS.items():
        value = answers.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"svar på «{question}»")
        elif len(value) > ASSESSMENT_MAX:
            problems.append(f"«{question}» er lengre enn {ASSESSMENT_MAX} tegn")
    return problems
