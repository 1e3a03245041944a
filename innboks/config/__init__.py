"""The shared kernel: settings, the topic catalogue, the account registry and its SLA and credential models.

Pure pydantic: imports nothing of Innboks but ``schemas``, so every layer above can use it.
"""
