"""skip_pyside_source_scans: PySide6's per-module source scan answered up front, as the scan itself would."""

from __future__ import annotations

import sys
import types

import pytest

import autoposter_gui
from autoposter_gui import skip_pyside_source_scans


def _features(monkeypatch: pytest.MonkeyPatch, known: dict[str, int]) -> None:
    fake = types.ModuleType("__feature__")
    fake.pyside_feature_dict = known  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "__feature__", fake)


def test_own_modules_are_entered_as_qt_modules_without_features_and_the_stdlib_as_not_qt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = {"autoposter_gui.ui.icons": 0x80, "json": 3}  # entries already made are kept
    _features(monkeypatch, known)
    skip_pyside_source_scans()
    for name in ("autoposter_gui.app", "autoposter_gui.ui.main_window", "autoposter_gui.engine.reads"):
        assert known[name] == 0
    for name in ("autoposter_gui.storage.lean", "autoposter_gui.domain.models", "autoposter_gui.networks.registry"):
        assert known[name] == 0
    assert known["autoposter_gui.ui.connect_pages"] == 0  # a subpackage
    assert known["autoposter_gui.ui.icons"] == 0x80 and known["json"] == 3
    assert known["zoneinfo"] == known["argparse"] == known["sqlite3"] == -1
    assert known["collections.abc"] == -1  # a loaded stdlib submodule
    network_modules = ("autoposter_gui.x.", "autoposter_gui.google.", "autoposter_gui.meta.")  # loaded when first used
    assert not any(name.startswith(network_modules) for name in known)
    assert "PySide6" not in known and "sqlalchemy" not in known  # third-party modules: PySide6 scans them itself


def test_nothing_happens_before_pyside6_or_without_its_feature_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "__feature__", raising=False)
    skip_pyside_source_scans()  # the CLI: no PySide6, no error
    monkeypatch.setitem(sys.modules, "__feature__", types.ModuleType("__feature__"))
    skip_pyside_source_scans()  # a PySide6 whose feature module has no such dict


def test_each_entered_module_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    known: dict[str, int] = {}
    _features(monkeypatch, known)
    skip_pyside_source_scans()
    import importlib.util

    own = [name for name, flag in known.items() if flag == 0]
    assert len(own) > 100
    assert all(importlib.util.find_spec(name) is not None for name in own if name != autoposter_gui.__name__)
