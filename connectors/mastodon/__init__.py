"""The Mastodon connector: ``client`` fetches from the platform API."""
