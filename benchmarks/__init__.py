"""Benchmarks: ``make bench`` (``python -m benchmarks [name ...]``) prints numbers, asserts nothing."""
