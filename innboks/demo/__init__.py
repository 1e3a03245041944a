"""``innboks demo``: the whole system on the embedded broker with a simulated Facebook Page."""
