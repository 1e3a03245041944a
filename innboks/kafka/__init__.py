"""Kafka plumbing shared by the runtimes: the embedded broker, topic creation, finding the broker."""
