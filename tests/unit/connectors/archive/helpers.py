"""What the archive tests share: a forwarded case built from a citizen's text."""

from datetime import UTC, datetime

from schemas import CaseForward
from streams.routing.process import ConversationHistory, build_case
from streams.triage.classifier import build_classifier
from streams.triage.process import triage_message
from tests.helpers import message

NOW = datetime(2026, 11, 16, 12, tzinfo=UTC)
CLASSIFIER = build_classifier()
SCREENED_TEXT = "Jeg har søkt om byggetillatelse, saksnr 24/1234, fnr 01010012356. Når får jeg svar på søknaden?"
OPEN_TEXT = "Hei! Jeg har søkt om byggetillatelse for garasje i Markveien. Når får jeg svar på søknaden?"


def case_for(text: str) -> CaseForward:
    history = ConversationHistory().with_message(message("post", from_account=True, text="Brøyteplan for uka",
                                                         created="2026-11-16T07:00:00+00:00"))
    triaged = triage_message(message("q1", text=text), CLASSIFIER, NOW)
    return build_case(triaged, history, "Offl. § 13 jf. fvl. § 13", NOW)
