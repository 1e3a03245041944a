"""The YouTube connector: ``client`` fetches from the platform API."""
