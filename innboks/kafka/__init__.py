"""Kafka plumbing shared by the runtimes: the client layer, the embedded broker, topic creation, finding the broker."""
