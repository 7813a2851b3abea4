"""ANPR benchmarks: the matching kernel and the end-to-end pipeline."""
