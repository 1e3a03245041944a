"""The Facebook connector: ``client`` fetches from the platform API."""
