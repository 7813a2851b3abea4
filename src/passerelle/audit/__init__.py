"""Append-only, hash-chained audit log (LED Art. 25) and data-protection tools."""
