"""Start-at-login entries (Linux fully; macOS plist written the same way)."""

from __future__ import annotations

import configparser
import plistlib
from pathlib import Path

from autoposter_gui.desktop.autostart import APP_ID, LaunchAgentAutostart, XdgAutostart, launch_command


def test_xdg_autostart_toggle(tmp_path: Path) -> None:
    auto = XdgAutostart(tmp_path)
    assert not auto.is_enabled()
    auto.enable(["/opt/Auto Poster/autoposter-gui", "--minimized"])
    assert auto.is_enabled()
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(tmp_path / "autostart" / f"{APP_ID}.desktop")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Name"] == "Autoposter"
    assert section["Exec"] == "'/opt/Auto Poster/autoposter-gui' --minimized"
    auto.disable()
    assert not auto.is_enabled() and not (tmp_path / "autostart" / f"{APP_ID}.desktop").exists()
    auto.disable()  # twice is fine


def test_xdg_entry_disabled_by_the_desktop_counts_as_off(tmp_path: Path) -> None:
    auto = XdgAutostart(tmp_path)
    auto.enable(["x"])
    auto.path.write_text(auto.path.read_text() + "Hidden=true\n")
    assert not auto.is_enabled()


def test_launch_agent(tmp_path: Path) -> None:
    agent = LaunchAgentAutostart(tmp_path)
    agent.enable(["/Applications/Autoposter.app/Contents/MacOS/Autoposter", "--minimized"])
    data = plistlib.loads(agent.path.read_bytes())
    assert data["RunAtLoad"] is True and data["Label"] == APP_ID
    agent.disable()
    assert not agent.is_enabled()


def test_launch_command_starts_minimized() -> None:
    assert launch_command()[-1] == "--minimized"
