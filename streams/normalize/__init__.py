"""Normalize: the connectors' mapped items on ``innboks.raw`` checked and passed on to ``innboks.messages``."""
