"""The conversation store: a projection of the topics into SQLite or PostgreSQL (see docs/store.md)."""
