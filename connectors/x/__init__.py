"""The X connector: ``client`` fetches from the platform API."""
