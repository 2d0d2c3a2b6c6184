"""Benchmarks of the dashboard (`python -m benchmarks`, `make bench`); not part of the app."""
