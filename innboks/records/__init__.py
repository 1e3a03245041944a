"""Records: every message kept, searchable and exportable for innsyn requests (docs/records.md).

``search`` finds messages and their revisions in the store, ``export`` writes them as JSON lines,
CSV or one PDF/A document, ``redact`` masks personal data, ``retention`` keeps rules and legal holds
and deletes what a rule allows.
"""
