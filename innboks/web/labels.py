"""Bokmål labels for the inbox's pages; the API keeps the enum values."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from innboks.web import words

OSLO = ZoneInfo("Europe/Oslo")

CATEGORY = {"case_handling": "Saksbehandling", "general_question": "Generelt spørsmål",
            "feedback": "Tilbakemelding", "other": "Annet"}
MODERATION = {"personal_attack": "Personangrep", "third_party": "Tredjeperson nevnt", "unlawful": "Ulovlig innhold",
              "personal_data": "Personopplysninger"}
ESCALATION = {"threat": "Trussel", "media": "Presse", "self_harm": "Selvskading", "child_welfare": "Barnevern",
              "emergency": "Nødsituasjon", "spike": "Mye negativ oppmerksomhet", "crisis": "Krise"}
PII = {"fodselsnummer": "fødselsnummer", "d_nummer": "D-nummer", "bank_account": "kontonummer",
       "phone": "telefonnummer", "email": "e-postadresse"}
KIND = {"comment": "kommentar", "reply": "svar", "mention": "omtale", "direct_message": "direktemelding",
        "post": "innlegg"}
EVENT = {"created": "opprinnelig", "edited": "redigert", "hidden": "skjult", "deleted": "slettet"}
STATE = {"opened": "venter på svar", "warning": "fristen nærmer seg", "breached": "over fristen",
         "answered": "besvart", "closed": "lukket", "snoozed": "på vent"}
FILTER_STATE = {"open": "Åpne", "overdue": "Over fristen", "snoozed": "På vent", "answered": "Besvart eller lukket",
                "all": "Alle"}
PLATFORM = {"facebook": "Facebook", "instagram": "Instagram", "x": "X", "linkedin": "LinkedIn",
            "youtube": "YouTube", "mastodon": "Mastodon", "bluesky": "Bluesky"}
LANGUAGE = {"nb": "bokmål", "nn": "nynorsk", "se": "nordsamisk", "en": "engelsk", "und": "ukjent språk"}
ROLE = {"reader": "leser", "operator": "saksbehandler", "admin": "administrator"}
ACTION_KIND = {"reply": "Svar", "hide": "Skjuling", "unhide": "Vist igjen", "delete": "Sletting"}
ACTION_OUTCOME = {"requested": "bestilt", "approved": "godkjent", "executing": "utføres", "done": "utført",
                  "failed": "feilet", "not_sent": "ikke sendt"}
PRESENCE = {"viewing": "har samtalen åpen", "writing": "skriver et svar nå", "left": "har lukket samtalen"}
ACTION_FAILURE = {"permission_missing": "mangler tillatelse på plattformen", "token_expired": "tilgangen er utløpt",
                  "rate_limited": "plattformen begrenser antall kall; prøv igjen senere",
                  "target_gone": "meldingen finnes ikke lenger", "not_supported": "plattformen støtter ikke dette",
                  "rejected": "avvist", "platform_error": "feil hos plattformen"}
#: How a platform counts a reply's length (innboks/domain/text_length.py MEASURES), after "høyst N".
LENGTH_UNIT = {"characters": "tegn", "weighted": "tegn (en lenke teller 23, en emoji eller et kinesisk tegn 2)",
               "graphemes": "tegn slik leseren ser dem (et flagg eller en emoji er ett)",
               "links_23": "tegn (en lenke teller 23)"}

ACCOUNT_STATUS = {"active": "i drift", "token_expiring": "tokenet utløper snart", "token_invalid": "tokenet avvist",
                  "paused": "på pause", "not_connected": "ikke koblet til"}
POLL_STATE = {"ok": "i orden", "rate_limited": "venter på kvoten", "failing": "feiler",
              "token_invalid": "tokenet avvist"}
CREDENTIAL_KIND = {"bearer": "tilgangstoken", "oauth2": "OAuth 2 med fornyelse", "app_password": "app-passord",
                   "oauth1": "OAuth 1.0a", "stored": "lagret i Kontoer"}
ADMIN_CHECK = {"ok": "ja", "missing": "nei", "unknown": "ukjent"}
PROFILE_CHECK = {"ok": "i orden", "warn": "må rettes", "unknown": "ukjent"}
#: The reply check's warning codes (innboks/domain/reply_check).
REPLY_CHECK = {"personal_data": "Personopplysninger", "case_decision": "Avgjør en sak", "tone": "Tone",
               "plain_language": "Klarspråk", "language_mismatch": "Målform og språk", "crisis_channel": "Krisemodus"}

ALL = {"close_reason": words.CLOSE_REASONS, "resolution": words.RESOLUTIONS, "presence": PRESENCE,
       "category": CATEGORY, "moderation": MODERATION, "escalation": ESCALATION, "pii": PII, "kind": KIND,
       "event": EVENT, "state": STATE, "filter_state": FILTER_STATE, "platform": PLATFORM, "language": LANGUAGE,
       "role": ROLE, "action_kind": ACTION_KIND, "action_outcome": ACTION_OUTCOME, "action_failure": ACTION_FAILURE,
       "length_unit": LENGTH_UNIT, "reply_check": REPLY_CHECK, "account_status": ACCOUNT_STATUS,
       "poll_state": POLL_STATE, "credential_kind": CREDENTIAL_KIND, "admin_check": ADMIN_CHECK,
       "profile_check": PROFILE_CHECK}


def duration(seconds: float | None) -> str:
    """Business time as staff read it: "3 t 20 min", "45 min"."""
    if seconds is None:
        return ""
    seconds = abs(seconds)
    hours, minutes = int(seconds // 3600), int(seconds % 3600 // 60)
    return f"{hours} t {minutes} min" if hours else f"{minutes} min"


def local_time(value: str | datetime | None) -> str:
    """A stored UTC time as staff in Norway read it: "23.11.2026 15:30" (Europe/Oslo)."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
