"""Stand-ins for KS Fiks (the central Fiks IO service and a municipal archive system) that speak the
published protocol, for the demo (``innboks demo --fiks``), the tests and the benchmark.

``certificates`` makes a test PKI, ``rabbitmq`` runs Debian's rabbitmq-server in a temporary
directory, ``platform`` is the central service (Maskinporten-like token endpoint, account catalogue,
send API, the AMQP broker's authentication), ``archive`` an archive system answering Fiks Arkiv
messages, and ``world`` starts them together.
"""
