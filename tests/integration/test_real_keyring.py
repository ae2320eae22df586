"""TokenStore against a real Secret Service (gnome-keyring under a private D-Bus session)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import REPO

SCRIPT = """
from autoposter_gui.tokens import TokenStore
import keyring
print("backend", type(keyring.get_keyring()).__module__)
store = TokenStore("autoposter:realtest")
store.set("account:facebook:1", "tok-value-123")
assert store.get("account:facebook:1") == "tok-value-123"
store.delete("account:facebook:1")
assert store.get("account:facebook:1") is None
store.delete("account:facebook:1")  # deleting twice is fine
print("ok")
"""


@pytest.mark.realkeyring
def test_token_store_on_real_secret_service(tmp_path: Path) -> None:
    missing = [b for b in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(b) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt: dbus gnome-keyring; .ci/run installs them)")
    script = tmp_path / "check.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON_KEYRING")}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path), PYTHONPATH=str(REPO))
    shell = f"echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; {sys.executable} {script}"
    proc = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "backend keyring.backends.SecretService" in proc.stdout
    assert proc.stdout.strip().endswith("ok")
    assert "tok-value-123" not in proc.stdout + proc.stderr
