"""The PySide6 desktop interface: main window, tabs, tray, dialogs and the engine signal bridge."""
