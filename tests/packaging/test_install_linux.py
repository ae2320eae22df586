"""packaging/install-linux.sh: every file lands in PREFIX (or DESTDIR/PREFIX), twice is fine, --uninstall undoes it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autoposter_gui import resources
from autoposter_gui.desktop.autostart import APP_ID
from tests.packaging.test_desktop_files import read_desktop

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "install-linux.sh"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("bash") is None, reason="Linux install script"
)


def run(*args: str, prefix: Path, destdir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFIX": str(prefix), "HOME": str(prefix.parent)}
    env.pop("DESTDIR", None)
    if destdir is not None:
        env["DESTDIR"] = str(destdir)
    result = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def expected_files(root: Path) -> dict[Path, Path | None]:
    """Installed file -> the source it is a copy of (None: generated)."""
    share = root / "share"
    files: dict[Path, Path | None] = {
        share / "applications" / f"{APP_ID}.desktop": None,
        share / "metainfo" / f"{APP_ID}.metainfo.xml": SCRIPT.parent / f"{APP_ID}.metainfo.xml",
        share / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg": resources.svg_path(resources.APP_ICON),
    }
    for size in resources.APP_ICON_SIZES:
        icon = share / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
        files[icon] = resources.png_path(resources.APP_ICON, size)
    return files


def installed(root: Path) -> set[Path]:
    # Caches that gtk-update-icon-cache / update-desktop-database may add are not ours.
    caches = {"icon-theme.cache", "mimeinfo.cache"}
    return {p for p in root.rglob("*") if (p.is_file() or p.is_symlink()) and p.name not in caches}


def test_installs_every_file_idempotently(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    run(prefix=prefix)
    first = {p: p.read_bytes() for p in installed(prefix)}
    run(prefix=prefix)
    assert {p: p.read_bytes() for p in installed(prefix)} == first
    files = expected_files(prefix)
    assert set(first) == set(files)
    for target, source in files.items():
        if source is not None:
            assert target.read_bytes() == source.read_bytes(), target
    entry = read_desktop(prefix / "share/applications" / f"{APP_ID}.desktop")
    assert entry["Exec"] == "autoposter-gui"  # the pip-installed script on PATH

    run("--uninstall", prefix=prefix)
    assert installed(prefix) == set()


def test_destdir_stages_under_prefix(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    run(prefix=Path("/usr"), destdir=stage)
    assert installed(stage) == set(expected_files(stage / "usr"))


def test_bundle_gets_a_launcher_with_an_absolute_exec(tmp_path: Path) -> None:
    bundle = tmp_path / "dist" / "autoposter-gui"
    (bundle / "_internal").mkdir(parents=True)
    binary = bundle / "autoposter-gui"
    binary.write_text("#!/bin/sh\necho autoposter-gui 0.1.0\n")
    binary.chmod(0o755)
    prefix = tmp_path / "prefix"
    run("--bundle", str(bundle), prefix=prefix)
    run("--bundle", str(bundle), prefix=prefix)

    launcher = prefix / "bin" / "autoposter-gui"
    assert launcher.is_symlink() and os.readlink(launcher) == str(prefix / "lib/autoposter/autoposter-gui")
    assert subprocess.run([str(launcher)], capture_output=True, text=True).stdout.strip() == "autoposter-gui 0.1.0"
    assert (prefix / "lib/autoposter/_internal").is_dir() and not (prefix / "lib/autoposter.new").exists()
    entry = read_desktop(prefix / "share/applications" / f"{APP_ID}.desktop")
    assert entry["Exec"] == str(launcher) and entry["TryExec"] == str(launcher)

    run("--uninstall", prefix=prefix)
    assert installed(prefix) == set() and not (prefix / "lib/autoposter").exists()


def test_unknown_option_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "PREFIX": str(tmp_path)}
    result = subprocess.run(["bash", str(SCRIPT), "--frobnicate"], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "unknown option" in result.stderr
    assert not any(tmp_path.iterdir())
