"""The classifier the worker uses, built once from ``streams/triage/rules.yaml`` and the facts registry.

Triage classifies with it; the SLA clock reads its reply texts (to recognise our own automatic
acknowledgements). Both agents import it from here rather than from each other. Its suggested
replies follow the facts registry as saved on the inbox's Fakta page (``innboks.control``).
"""

from __future__ import annotations

from streams.control import FACTS
from streams.triage.classifier import build_classifier

CLASSIFIER = build_classifier()
FACTS.listeners.append(lambda facts: setattr(CLASSIFIER, "facts", facts))
