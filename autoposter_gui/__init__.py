"""Autoposter: schedule and publish posts to a Facebook Page and Instagram, exactly once."""

from __future__ import annotations

import os
import sys

__version__ = "0.1.0"
APP_NAME = "Autoposter"
APP_ORG = "Autoposter"
DESKTOP_ID = "io.github.autoposter.Autoposter"  # the .desktop file, the autostart entry and Qt desktopFileName


def window_title(sandbox: bool) -> str:
    """The main window's title. Qt adds `` — <applicationDisplayName>`` to a title that does not end with it, so
    the mode goes first: ``Sandbox — Autoposter``, never ``Autoposter — Sandbox — Autoposter``."""
    return f"Sandbox — {APP_NAME}" if sandbox else APP_NAME


# The app's packages whose modules load with the window (the network packages load when first used).
_WINDOW_PACKAGES = ("", "ui", "engine", "domain", "storage", "networks")


def skip_pyside_source_scans() -> None:
    """Once PySide6 is loaded, it reads the whole source of every module imported after it (and of every module an
    ``import`` statement names, once), looking for the word "PySide6" to know whether that module may select a
    ``__feature__`` (snake_case, true_property): ~80 µs a module, ~8 ms before the app's first window. Entered up
    front instead, with what the scan would find: 0 (no feature) for this package's modules, none of which selects
    one, and -1 (not a Qt module) for the standard library's. An entry already made is kept. Does nothing before
    PySide6 is loaded (the CLI never loads it), or without its feature module (another PySide6)."""
    features = sys.modules.get("__feature__")
    known = getattr(features, "pyside_feature_dict", None)
    if not isinstance(known, dict):
        return
    for name in sys.stdlib_module_names:
        known.setdefault(name, -1)
    for name in list(sys.modules):
        if name.partition(".")[0] in sys.stdlib_module_names:
            known.setdefault(name, -1)
    root = os.path.dirname(os.path.abspath(__file__))
    for package in _WINDOW_PACKAGES:
        prefix = "autoposter_gui." + (package + "." if package else "")
        try:
            entries = list(os.scandir(os.path.join(root, package)))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py") and entry.name != "__init__.py":
                known.setdefault(prefix + entry.name[:-3], 0)
            elif entry.is_dir() and os.path.exists(os.path.join(entry.path, "__init__.py")):
                known.setdefault(prefix + entry.name, 0)


skip_pyside_source_scans()  # a program that loaded PySide6 first and imports the app now
