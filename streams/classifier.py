"""The classifier the worker uses, built once from ``streams/triage/rules.yaml``.

Triage classifies with it; the SLA clock reads its reply texts (to recognise our own automatic
acknowledgements). Both agents import it from here rather than from each other.
"""

from __future__ import annotations

from streams.triage.classifier import build_classifier

CLASSIFIER = build_classifier()
