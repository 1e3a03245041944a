"""Routing: case-handling requests leave social media for the archive (``innboks.cases``)."""
