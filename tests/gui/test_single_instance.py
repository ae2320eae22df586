"""Single instance: a second launch with the same lock and server name finds the first and asks it to show."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autoposter_gui.ui.single_instance import SingleInstance, server_name_for


def test_second_instance_asks_the_first_to_show(qtbot: Any, tmp_path: Path) -> None:
    lock = tmp_path / "data" / "gui.lock"
    name = server_name_for(tmp_path / "data")
    first = SingleInstance(lock, name)
    old_umask = os.umask(0o002)
    try:
        assert first.acquire()
    finally:
        os.umask(old_umask)
    assert lock.stat().st_mode & 0o777 == 0o600  # whatever the umask
    assert first.primary
    second = SingleInstance(lock, name)
    with qtbot.waitSignal(first.activation_requested, timeout=5_000):
        assert not second.acquire()
    assert not second.primary
    first.release()
    third = SingleInstance(lock, name)
    assert third.acquire()  # the lock is free again
    third.release()


def test_names_differ_per_data_folder(tmp_path: Path) -> None:
    assert server_name_for(tmp_path / "a") != server_name_for(tmp_path / "a" / "sandbox")
    assert server_name_for(tmp_path / "a") == server_name_for(tmp_path / "a")
