"""Entry point of the frozen app (PyInstaller): runs ``autoposter_gui.app.main``."""

from __future__ import annotations

import sys

from autoposter_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
