"""Data protection officer tools: records of processing, misuse indicators, log access."""
