"""Officer authentication: OIDC-style bearer JWTs and the demo identity provider."""
