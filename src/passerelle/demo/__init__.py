"""`passerelle demo`: four national nodes with synthetic registers on loopback."""
