"""X (Twitter): connect with OAuth 2.0 + PKCE, publish posts with media, reconcile after a crash."""
