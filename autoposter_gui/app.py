"""Composition root for the desktop app (`autoposter-gui`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    from autoposter_gui import APP_NAME

    app = QApplication(list(argv) if argv is not None else sys.argv)
    window = QMainWindow()
    window.setWindowTitle(APP_NAME)
    window.setCentralWidget(QLabel("Autoposter"))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
