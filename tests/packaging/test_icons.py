"""The shipped icons: every SVG parses, every PNG exists at its size with real transparency, and the loader."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from autoposter_gui import resources
from autoposter_gui.domain.models import ItemStatus

ROOT = Path(__file__).resolve().parents[2]
SVG_NS = "{http://www.w3.org/2000/svg}"


def test_the_issue_sizes_and_variants_are_all_there() -> None:
    assert resources.APP_ICON_SIZES == (16, 32, 48, 64, 128, 256, 512)
    assert {"idle", "publishing", "attention"} <= set(resources.TRAY_STATES)
    assert {status.value for status in ItemStatus} <= set(resources.STATUS_ICONS)


@pytest.mark.parametrize("name", sorted(resources.ICONS))
def test_svg_parses_and_is_square(name: str) -> None:
    root = ET.parse(resources.svg_path(name)).getroot()
    assert root.tag == f"{SVG_NS}svg"
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert width == height
    assert root.find(f"{SVG_NS}title") is not None


@pytest.mark.parametrize(
    ("name", "size"), [(name, size) for name, sizes in sorted(resources.ICONS.items()) for size in sizes]
)
def test_png_has_its_size_and_real_alpha(name: str, size: int) -> None:
    with Image.open(resources.png_path(name, size)) as image:
        assert image.size == (size, size)
        assert image.mode == "RGBA"
        low, high = image.getchannel("A").getextrema()
    assert low == 0, "the corners should be transparent"
    assert high == 255, "the icon should not be empty"


@pytest.mark.parametrize("state", ["idle", "publishing", "attention", "paused"])
def test_tray_icon_carries_its_own_background(state: str) -> None:
    """Readable on light and dark panels: the icon is an opaque tile, not a glyph that relies on the panel colour."""
    with Image.open(resources.tray_icon_path(state, 22)) as image:
        histogram = image.getchannel("A").histogram()
    assert sum(histogram[200:]) / sum(histogram) > 0.8


def test_no_stray_files() -> None:
    expected = {resources.svg_path(n) for n in resources.ICONS}
    expected |= {resources.png_path(n, s) for n, sizes in resources.ICONS.items() for s in sizes}
    assert {p for p in resources.ICON_DIR.rglob("*") if p.is_file()} == expected


def test_pngs_match_their_svgs() -> None:
    """The PNGs were rendered from the current SVGs (run packaging/render_icons.py after editing one)."""
    pytest.importorskip("PySide6.QtSvg")
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "render_icons.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_loader_paths() -> None:
    assert resources.svg_path("app") == resources.ICON_DIR / "scalable" / "app.svg"
    assert resources.icon_path("app") == resources.svg_path("app")
    assert resources.icon_path("app", 48) == resources.ICON_DIR / "48x48" / "app.png"
    assert resources.icon_path("app", 40) == resources.png_path("app", 48)  # the next larger
    assert resources.icon_path("app", 4096) == resources.png_path("app", 512)  # else the largest
    assert resources.app_icon_path(16) == resources.png_path("app", 16)
    assert resources.tray_icon_path("needs_attention", 22) == resources.png_path("tray-attention", 22)
    assert resources.tray_icon_path() == resources.svg_path("tray-idle")
    assert resources.status_icon_path("posted") == resources.svg_path("status-posted")
    assert resources.icon_path("status-posted", 16) == resources.svg_path("status-posted")  # SVG only
    files = resources.icon_files("tray-idle")
    assert [f.parent.name for f in files] == [f"{s}x{s}" for s in resources.TRAY_ICON_SIZES]
    assert all(path.is_file() for path in files)
    assert resources.icon_files("status-failed") == [resources.svg_path("status-failed")]
    assert resources.resource_dir().is_dir()


@pytest.mark.parametrize(
    "call",
    [
        lambda: resources.svg_path("nope"),
        lambda: resources.tray_icon_path("sleeping"),
        lambda: resources.status_icon_path("lost"),
    ],
)
def test_unknown_names_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(KeyError):
        call()


def test_unrendered_size_is_refused() -> None:
    with pytest.raises(ValueError):
        resources.png_path("app", 20)


def test_loader_does_not_import_qt() -> None:
    code = "import sys, autoposter_gui.resources; print([m for m in sys.modules if m.startswith('PySide6')])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
