"""Stream processors (Faust): normalize, triage, routing and SLA, one sub-package per domain."""
