"""``crisis_channel``: "Ved krisesituasjoner der rådmannen har satt krisestab, skal all kommunikasjon gå
via kommunens offisielle nettside og Facebookside." While crisis mode is on, a reply from any other
account gets a warning that points to them."""

from __future__ import annotations

from innboks.domain.reply_check.model import CheckContext, Code, ReplyWarning


def check(context: CheckContext) -> list[ReplyWarning]:
    if not context.crisis_active or context.crisis_channel:
        return []
    where = " og ".join(f"{name} ({address})" for name, address in
                        (("nettside", context.website), ("Facebook-side", context.facebook_page)) if address)
    return [ReplyWarning(Code.CRISIS_CHANNEL, "Krisemodus er på: all kommunikasjon skal gå via kommunens "
                         f"{where or 'nettside og Facebook-side'}. Gi ikke egen informasjon fra denne kontoen; "
                         "vis heller dit.")]
