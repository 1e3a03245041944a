"""Innboks: the social-media inbox of a Norwegian municipality, as a stream of events."""

__version__ = "0.1.0"
