"""Benchmarks (B1-B7 of issue 6). Not part of the test run: start them with ``python -m tests.benchmarks``."""
