"""A local fake Graph API server for demo mode and tests."""

from __future__ import annotations

from .faults import ENDPOINTS, FAULT_KINDS, Fault
from .server import DEFAULT_PORT, SandboxServer, serve
from .world import (
    APP_ID,
    APP_SECRET,
    BAKERY_IG_ID,
    BAKERY_PAGE_ID,
    CAFE_PAGE_ID,
    SandboxCredentials,
    appsecret_proof,
)

__all__ = [
    "APP_ID",
    "APP_SECRET",
    "BAKERY_IG_ID",
    "BAKERY_PAGE_ID",
    "CAFE_PAGE_ID",
    "DEFAULT_PORT",
    "ENDPOINTS",
    "FAULT_KINDS",
    "Fault",
    "SandboxCredentials",
    "SandboxServer",
    "appsecret_proof",
    "serve",
]
