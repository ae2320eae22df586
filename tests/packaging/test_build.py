"""The PyInstaller one-folder build starts (opt-in: AUTOPOSTER_BUILD_TEST=1; CI does not build by default)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoposter_gui import __version__, resources

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("AUTOPOSTER_BUILD_TEST") != "1", reason="set AUTOPOSTER_BUILD_TEST=1 to build"),
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None, reason="PyInstaller is not installed"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="packaging/build.sh is the Linux build"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Build once for the module with packaging/build.sh, into a temp folder."""
    out = tmp_path_factory.mktemp("pyinstaller")
    env = {**os.environ, "PYTHON": sys.executable, "DIST_DIR": str(out / "dist"), "WORK_DIR": str(out / "work")}
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh")], env=env, capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    yield out / "dist" / "autoposter-gui"


def test_binary_prints_its_version(bundle: Path) -> None:
    result = subprocess.run([str(bundle / "autoposter-gui"), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"autoposter-gui {__version__}"


def test_binary_reads_a_video(bundle: Path, tmp_path: Path) -> None:
    """PyAV and its FFmpeg libraries made it into the bundle: the preflight reads an MP4."""
    import json

    from tests.support.videos import reel_video

    video = reel_video(tmp_path)
    result = subprocess.run(
        [str(bundle / "autoposter-gui"), "--probe-video", str(video)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["container"], info["video_codec"], info["audio_codec"]) == ("MP4", "h264", "aac")
    assert (info["width"], info["height"]) == (540, 960)
    assert info["routes"] == {"facebook": "fb_reel", "instagram": "ig_reel"}


def test_binary_loads_every_network(bundle: Path) -> None:
    """The registry imports the network packages by name: they, their OAuth libraries and twitter-text's data file
    made it into the bundle (each network checks a post and prepares its sign-in, offline)."""
    import json

    result = subprocess.run(
        [str(bundle / "autoposter-gui"), "--probe-networks"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {k: v["sign_in"] for k, v in report.items()} == {
        "meta": None,
        "x": "/i/oauth2/authorize",
        "google": "/o/oauth2/auth",
    }
    assert report["x"]["preflight"] == [] and report["google"]["preflight"] == []
    assert (bundle / "_internal" / "twitter_text" / "regexp" / "emoji-test.txt").is_file()


def test_bundle_has_migrations_icons_and_qt_plugins(bundle: Path) -> None:
    internal = bundle / "_internal"
    migrations = internal / "autoposter_gui/storage/migrations"
    assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
    assert {p.name for p in (migrations / "versions").glob("*.py")} == {
        p.name for p in (ROOT / "autoposter_gui/storage/migrations/versions").glob("*.py")
    }
    assert not list(migrations.rglob("__pycache__"))
    for name, sizes in resources.ICONS.items():
        assert (internal / "autoposter_gui/resources/icons/scalable" / f"{name}.svg").is_file()
        for size in sizes:
            assert (internal / f"autoposter_gui/resources/icons/{size}x{size}/{name}.png").is_file()
    plugins = internal / "PySide6/Qt/plugins"
    for plugin in (
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "platforms/libqwayland.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (plugins / plugin).is_file(), plugin
    assert not (internal / "PySide6/Qt/qml").exists(), "the QML tree is not needed"


def test_binary_starts_in_sandbox_mode(bundle: Path, tmp_path: Path) -> None:
    """Offscreen: the store opens (migrations run from the bundle), the scheduler starts, the demo accounts connect."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AUTOPOSTER_DATA_DIR": str(tmp_path)}
    log = tmp_path / "sandbox" / "logs" / "autoposter.log"
    proc = subprocess.Popen(
        [str(bundle / "autoposter-gui"), "--sandbox"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            seen = log.read_text(errors="replace") if log.exists() else ""
            if "started (sandbox mode" in seen and "connected 3 account(s)" in seen:  # in either order
                break
            time.sleep(0.5)
        text = log.read_text(errors="replace") if log.exists() else ""
        if proc.poll() is not None:
            output = b"\n".join(proc.communicate()).decode(errors="replace")
            pytest.fail(f"exited with {proc.returncode}\n{output[-3000:]}\nlog:\n{text}")
        assert "started (sandbox mode" in text and "connected 3 account(s)" in text, text
        assert (tmp_path / "sandbox" / "autoposter.db").is_file()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
