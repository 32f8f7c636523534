"""Benchmarks run by `make bench`; figures go to docs/benchmarks.md. Never timed assertions in tests."""
