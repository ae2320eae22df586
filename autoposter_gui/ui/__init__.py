"""The PySide6 desktop interface: main window, tabs, tray, dialogs and the engine signal bridge."""

from __future__ import annotations

from autoposter_gui import skip_pyside_source_scans

skip_pyside_source_scans()  # PySide6 is loaded by now (the app imports it before its first ui module)
