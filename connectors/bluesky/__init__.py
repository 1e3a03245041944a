"""The Bluesky connector: ``client`` fetches from the platform API."""
