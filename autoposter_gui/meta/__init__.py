"""Meta Graph API layer over requests: client, error classification, publishers, auth (no Qt)."""
