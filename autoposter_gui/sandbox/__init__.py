"""A local fake Graph API server for demo mode and tests."""
