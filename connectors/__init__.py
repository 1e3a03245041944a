"""Platform connectors: pull messages from platform APIs into ``innboks.raw``.

One contract (``connectors.base.Connector``); each platform is a short subclass of mostly data.
The mapping from a platform's JSON to ``InboxMessage`` lives beside its connector and is used both
by the normalize stream processor and by ``innboks poll --stdout``.
"""
