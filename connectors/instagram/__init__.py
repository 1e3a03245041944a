"""The Instagram connector: ``client`` fetches from the platform API."""
