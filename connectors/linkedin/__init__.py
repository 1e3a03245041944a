"""The LinkedIn connector: ``client`` fetches from the platform API."""
