"""Benchmarks: speed targets measured against a bare baseline in the same run (see README.md)."""
