"""The rules several runtimes share, pure: no Kafka, no HTTP, no database.

The business-hours calendar and SLA policies, personal-data detection, the action rules, the codec
and dead-letter model, reply lengths as each platform counts them, and the conversation's PDF/A
rendering. Streams, connectors, the store projection, the inbox and the records all stand on it.
"""
