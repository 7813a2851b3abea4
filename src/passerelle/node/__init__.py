"""The node: wiring of settings, storage, keys, identity and partners."""
