"""Benchmarks: a seeded synthetic-county generator and the ``sandao bench`` harness."""
