"""Helpers of the federated checks benchmark (bench_checks.py)."""
