"""The operator inbox: a web workspace and JSON API over the conversation store (docs/inbox.md)."""
