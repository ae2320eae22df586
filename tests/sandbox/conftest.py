"""The sandbox server's own tests call the running server ``server`` (the shared ``sandbox`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest

from autoposter_gui.sandbox.server import SandboxServer


@pytest.fixture
def server(sandbox: Any) -> SandboxServer:
    assert isinstance(sandbox, SandboxServer)
    return sandbox
