"""The municipality's own details that saved replies may name, filled in for one account."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The variables a saved reply may use, in the order the admin page lists them (``navn``: the citizen's
#: first name, as the platform shows it).
VARIABLES = ("navn", "account_name", "municipality", "case_email", "case_web_form", "case_postal_address")


def first_name(author_name: str | None) -> str:
    """The first name of a display name ("Kari Nordmann" → "Kari"); "" when there is none to use."""
    words = (author_name or "").split()
    return words[0] if words and not words[0].startswith("@") else ""


@dataclass(frozen=True)
class ReplyVariables:
    municipality: str
    case_email: str
    case_web_form: str
    case_postal_address: str

    def fill(self, body: str, account_name: str, author_name: str | None = None) -> str:
        """The saved reply for one account and citizen; without a first name, "Hei {navn}!" reads "Hei!"."""
        values = {"navn": first_name(author_name), "account_name": account_name, "municipality": self.municipality,
                  "case_email": self.case_email, "case_web_form": self.case_web_form,
                  "case_postal_address": self.case_postal_address}
        filled = body.format_map(values)
        return re.sub(r"[ \t]+([,.!?])", r"\1", filled) if not values["navn"] else filled


#: Alta kommune's, the first municipality's: the default until the settings say otherwise.
ALTA = ReplyVariables("Alta kommune", "postmottak@alta.kommune.no", "https://www.alta.kommune.no/skjema",
                      "Alta kommune, Postboks 1403, 9506 Alta")
