"""Render the PNG icons from their SVGs with Qt's SVG renderer, offscreen: ``python packaging/render_icons.py``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autoposter_gui import resources  # noqa: E402

# Pixels may differ this much (0-255, per channel) from a fresh render before --check calls a PNG stale; this absorbs
# anti-aliasing differences between Qt versions.
TOLERANCE = 24


def render(svg: Path, size: int) -> QImage:
    """One SVG drawn into a transparent ``size`` x ``size`` ARGB image (a ``QImage``)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def _differs(fresh: QImage, path: Path) -> bool:
    from PySide6.QtGui import QImage

    old = QImage(str(path))
    if old.isNull() or old.size() != fresh.size():
        return True
    old = old.convertToFormat(QImage.Format.Format_ARGB32)
    a, b = bytes(fresh.constBits()), bytes(old.constBits())
    return len(a) != len(b) or any(abs(p - q) > TOLERANCE for p, q in zip(a, b, strict=True))


def expected_pngs() -> dict[Path, tuple[Path, int]]:
    """Each PNG the package ships, mapped to its SVG source and pixel size."""
    return {
        resources.png_path(name, size): (resources.svg_path(name), size)
        for name, sizes in resources.ICONS.items()
        for size in sizes
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report PNGs that are missing or out of date")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    problems: list[str] = []
    expected = expected_pngs()
    for png, (svg, size) in sorted(expected.items()):
        image = render(svg, size)
        if args.check:
            if not png.exists() or _differs(image, png):
                problems.append(f"out of date: {png.relative_to(ROOT)}")
            continue
        png.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(png), b"PNG"):
            raise SystemExit(f"render_icons: cannot write {png}")
    for png in sorted(resources.ICON_DIR.glob("*x*/*.png")):
        if png not in expected:
            if args.check:
                problems.append(f"stale: {png.relative_to(ROOT)}")
            else:
                png.unlink()
    del app
    for line in problems:
        print(line, file=sys.stderr)
    if not args.check:
        print(f"rendered {len(expected)} PNGs into {resources.ICON_DIR.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
