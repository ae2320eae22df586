"""Tests of the sandbox fake Graph API server."""

from __future__ import annotations
