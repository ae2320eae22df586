"""Rolling backups and restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autoposter_gui.domain.errors import StoreError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.storage.backup import backup_now, list_backups, restore_backup
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.repo import NewItem, Repo

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def _add(repo: Repo, text: str) -> None:
    acc = repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, "1", "P", "t"), None, NOW)
    repo.add_items([NewItem(acc.id, Platform.FACEBOOK, text, None, ItemStatus.SCHEDULED, NOW)], NOW)


def test_daily_backups_keep_the_last_seven(tmp_path: Path) -> None:
    store = Store(tmp_path / "autoposter.db")
    _add(Repo(store), "one")
    for day in range(10):
        backup_now(store, NOW + timedelta(days=day))
    backups = list_backups(store.db_path)
    assert len(backups) == 7
    assert backups[0].name == "autoposter-20261207.db" and backups[-1].name == "autoposter-20261201.db"


def test_restore_brings_back_the_data_and_keeps_the_damaged_file(tmp_path: Path) -> None:
    db = tmp_path / "autoposter.db"
    store = Store(db)
    _add(Repo(store), "before")
    backup = backup_now(store, NOW)
    store.close()
    db.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError, match="damaged"):
        Store(db)
    aside = restore_backup(db, backup, NOW)
    assert aside.read_bytes().startswith(b"garbage")
    restored = Store(db)
    assert [i.text for i in Repo(restored).items()] == ["before"]


def test_a_damaged_backup_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "autoposter.db"
    Store(db).close()
    bad = tmp_path / "backups" / "autoposter-20260101.db"
    bad.parent.mkdir()
    bad.write_bytes(b"nope" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreError):
        restore_backup(db, bad, NOW)
    assert db.read_bytes() == before


def test_a_restart_keeps_todays_backup(tmp_path: Path) -> None:
    from autoposter_gui.storage.backup import backup_if_due

    store = Store(tmp_path / "autoposter.db")
    repo = Repo(store)
    _add(repo, "morning")
    first = backup_if_due(store, NOW)
    assert first is not None
    before = first.read_bytes()
    _add(repo, "afternoon")
    assert backup_if_due(store, NOW + timedelta(hours=5)) is None
    assert first.read_bytes() == before
    assert backup_if_due(store, NOW + timedelta(days=1)) is not None


def test_two_backups_at_once_do_not_collide(tmp_path: Path) -> None:
    import threading

    store = Store(tmp_path / "autoposter.db")
    _add(Repo(store), "concurrent")
    errors: list[Exception] = []

    def run() -> None:
        try:
            for _ in range(5):
                backup_now(store, NOW)
        except Exception as exc:  # pragma: no cover - the failure we guard against
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [p.name for p in list_backups(store.db_path)] == ["autoposter-20261128.db"]
    assert not list((tmp_path / "backups").glob("*.tmp"))
