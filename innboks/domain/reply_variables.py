"""The municipality's own details that saved replies may name, filled in for one account."""

from __future__ import annotations

from dataclasses import dataclass

#: The variables a saved reply may use, in the order the admin page lists them.
VARIABLES = ("account_name", "municipality", "case_email", "case_web_form", "case_postal_address")


@dataclass(frozen=True)
class ReplyVariables:
    municipality: str
    case_email: str
    case_web_form: str
    case_postal_address: str

    def fill(self, body: str, account_name: str) -> str:
        values = {"account_name": account_name, "municipality": self.municipality, "case_email": self.case_email,
                  "case_web_form": self.case_web_form, "case_postal_address": self.case_postal_address}
        return body.format_map(values)


#: Alta kommune's, the first municipality's: the default until the settings say otherwise.
ALTA = ReplyVariables("Alta kommune", "postmottak@alta.kommune.no", "https://www.alta.kommune.no/skjema",
                      "Alta kommune, Postboks 1403, 9506 Alta")
