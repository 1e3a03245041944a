"""Push sources: platform webhooks received over HTTP and produced to ``innboks.raw``."""
