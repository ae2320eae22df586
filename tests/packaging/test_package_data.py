"""The wheel ships the icons, the resources loader and the Alembic migrations (package data, not the source tree)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autoposter_gui import resources

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_contains_resources_and_migrations(tmp_path: Path) -> None:
    # Build from a copy, so the test leaves no build/ or egg-info behind in the checkout.
    src = tmp_path / "src"
    shutil.copytree(ROOT / "autoposter_gui", src / "autoposter_gui", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "out"), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "out").glob("autoposter-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    package_root = ROOT / "autoposter_gui"
    shipped = {p for p in resources.ICON_DIR.rglob("*") if p.is_file()}
    assert shipped
    for path in sorted(shipped):
        assert f"autoposter_gui/{path.relative_to(package_root).as_posix()}" in names
    assert "autoposter_gui/resources.py" in names
    assert "autoposter_gui/storage/migrations/env.py" in names
    assert "autoposter_gui/storage/migrations/script.py.mako" in names
    for version in (package_root / "storage/migrations/versions").glob("*.py"):
        assert f"autoposter_gui/storage/migrations/versions/{version.name}" in names
