"""Normalize: platform JSON on ``innboks.raw`` becomes ``InboxMessage`` on ``innboks.messages``."""
