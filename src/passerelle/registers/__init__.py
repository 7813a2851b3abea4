"""National registers: the port, its SQL implementation, and importers."""
