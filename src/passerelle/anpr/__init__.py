"""ANPR: plate normalisation, OCR-tolerant hotlist matching, reads, hotlists and hits."""
