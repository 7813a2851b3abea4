"""Retention: every personal-data table has a rule, and one job applies them all.

A rule names a table, its timestamp column and a period (with an optional
condition and the legal basis). Rules come from the node's settings
(``[retention]``, with per-jurisdiction defaults) and from the capabilities
that own the tables (``register_rule``). ``RetentionEngine`` deletes what is
past its period in bounded batches and writes one ERASURE audit entry per rule
with counts and the time range erased, never the data.
"""
