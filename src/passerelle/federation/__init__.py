"""Node-to-node federation: keys, trust store, RFC 9421 signatures, partner client."""
