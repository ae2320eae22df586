"""PyInstaller hook override: PySide6.QtQml without the whole ``qml/`` tree (Autoposter has no QML UI)."""

from __future__ import annotations

from PyInstaller.utils.hooks.qt import add_qt6_dependencies  # type: ignore[import-untyped]

# The stock hook also collects every QML plugin (Quick3D, Multimedia, Charts, ...: ~300 MB with their libraries).
# QtWebEngineCore links QtQml/QtQuick, so the module itself is still needed; its QML plugins are not.
hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
