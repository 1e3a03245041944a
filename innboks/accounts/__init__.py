"""Connecting accounts: the *Kontoer* page for administrators, ``GET /api/accounts``, and the platforms'
authorization flows (OAuth 2 with state and PKCE where the platform takes it; Mastodon's per-instance
app registration; Bluesky's app password), also from the command line (``innboks accounts connect``).

A runtime of its own beside the inbox and the records: it talks to the platforms' authorization servers
and account listings, writes what it obtained to the store (sealed), and tells the other processes on
``innboks.control``. docs/accounts.md describes it.
"""
