"""The executor's last guard: a reply that holds personal data is never posted.

The inbox refuses such a reply already (the reply check's ``personal_data`` blocks it); this guard
holds for every other way an action can reach ``innboks.actions`` (scripts, automatic actions, an
older inbox) and uses the same check (``innboks.domain.reply_check``), with the facts registry's
numbers and addresses as the municipality's own. The refusal names the kinds of data found, never
the data.
"""

from __future__ import annotations

import logging

from innboks.config.facts import Facts, FactsError, facts_path, load_facts, parse_facts
from innboks.domain.reply_check import Code, check_reply, context_for
from schemas import FACTS_KEY, FactsEvent

log = logging.getLogger(__name__)


class PersonalDataGuard:
    def __init__(self, facts: Facts | None, extra_emails: tuple[str, ...] = ()) -> None:
        self.facts = facts
        self._extra_emails = extra_emails
        self._digest: str | None = None

    @classmethod
    def from_settings(cls) -> PersonalDataGuard:
        """With the facts registry (``INNBOKS_FACTS``) and the case address of the settings."""
        from innboks.config.settings import get_settings

        settings = get_settings()
        try:
            facts = load_facts(facts_path(settings.facts))
        except FactsError as exc:
            log.error("actions: the facts registry does not load (%s); the municipality's numbers count as "
                      "personal data until it does", exc)
            facts = None
        return cls(facts, (settings.case_email,))

    def refusal(self, text: str) -> str | None:
        """Why the reply must not be posted, or None."""
        context = context_for(self.facts, extra_emails=self._extra_emails)
        found = [w for w in check_reply(text, context).warnings if w.code is Code.PERSONAL_DATA]
        if not found:
            return None
        return (f"the reply holds personal data ({len(found)} place(s), e.g. characters {found[0].start}-"
                f"{found[0].end}); the reply check blocks it: remove it and send the reply again")

    def follow(self, key: bytes | None, value: bytes | None) -> None:
        """A record of ``innboks.control``: the facts registry as saved on the Fakta page replaces the file's."""
        if key != FACTS_KEY.encode() or not value:
            return
        try:
            event = FactsEvent.model_validate_json(value)
            if event.digest != self._digest:
                self.facts, self._digest = parse_facts(event.document, "innboks.control facts"), event.digest
        except (ValueError, FactsError):
            log.error("actions: ignoring a facts registry on innboks.control that does not validate")
