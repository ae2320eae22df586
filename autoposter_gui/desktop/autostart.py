"""Start at login: an XDG autostart entry on Linux, a LaunchAgent on macOS, the Run key on Windows."""

from __future__ import annotations

import os
import plistlib
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from autoposter_gui import DESKTOP_ID

APP_ID = DESKTOP_ID
ENTRY_NAME = "Autoposter"


def launch_command() -> list[str]:
    """How to start the app minimized to the tray: the frozen binary, the gui script, or the module."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--minimized"]
    script = Path(sys.executable).with_name("autoposter-gui")
    if script.exists():
        return [str(script), "--minimized"]
    return [sys.executable, "-m", "autoposter_gui.app", "--minimized"]


class Autostart(Protocol):
    def is_enabled(self) -> bool: ...
    def enable(self, command: Sequence[str]) -> None: ...
    def disable(self) -> None: ...


class XdgAutostart:
    """``$XDG_CONFIG_HOME/autostart/<app id>.desktop`` (freedesktop Desktop Application Autostart spec)."""

    def __init__(self, config_home: Path | None = None) -> None:
        base = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        self.path = base / "autostart" / f"{APP_ID}.desktop"

    def is_enabled(self) -> bool:
        if not self.path.exists():
            return False
        text = self.path.read_text(encoding="utf-8", errors="replace")
        return "Hidden=true" not in text and "X-GNOME-Autostart-enabled=false" not in text

    def enable(self, command: Sequence[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        exec_line = " ".join(shlex.quote(part) for part in command)
        content = (
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={ENTRY_NAME}\n"
            "Comment=Publish your scheduled Facebook and Instagram posts\n"
            f"Exec={exec_line}\n"
            f"Icon={APP_ID}\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
            "X-GNOME-Autostart-Delay=5\n"
        )
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, self.path)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


class LaunchAgentAutostart:
    """``~/Library/LaunchAgents/<app id>.plist`` with RunAtLoad."""

    def __init__(self, home: Path | None = None) -> None:
        self.path = (home or Path.home()) / "Library" / "LaunchAgents" / f"{APP_ID}.plist"

    def is_enabled(self) -> bool:
        return self.path.exists()

    def enable(self, command: Sequence[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"Label": APP_ID, "ProgramArguments": list(command), "RunAtLoad": True, "ProcessType": "Interactive"}
        self.path.write_bytes(plistlib.dumps(data))

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


class WindowsRunKeyAutostart:
    r"""``HKCU\Software\Microsoft\Windows\CurrentVersion\Run`` value named Autoposter."""

    KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"

    def is_enabled(self) -> bool:
        if sys.platform == "win32":
            import winreg

            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.KEY) as key:
                    winreg.QueryValueEx(key, ENTRY_NAME)
                    return True
            except OSError:
                return False
        return False

    def enable(self, command: Sequence[str]) -> None:
        if sys.platform == "win32":
            import subprocess
            import winreg

            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, self.KEY) as key:
                winreg.SetValueEx(key, ENTRY_NAME, 0, winreg.REG_SZ, subprocess.list2cmdline(list(command)))
            return
        raise OSError("the Run registry key exists only on Windows")

    def disable(self) -> None:
        if sys.platform == "win32":
            import winreg

            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.KEY, 0, winreg.KEY_SET_VALUE) as key:
                    winreg.DeleteValue(key, ENTRY_NAME)
            except OSError:
                pass


def for_this_platform() -> Autostart:
    if sys.platform.startswith("win"):
        return WindowsRunKeyAutostart()
    if sys.platform == "darwin":
        return LaunchAgentAutostart()
    return XdgAutostart()
