"""A damaged database at start: the recovery dialog (restore / open folder / quit); the damaged file is kept."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from autoposter_gui.app import Application
from autoposter_gui.config import AppConfig
from autoposter_gui.domain.clock import FixedClock
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.storage.backup import backups_dir
from autoposter_gui.storage.repo import NewItem
from autoposter_gui.tokens import TokenStore
from autoposter_gui.ui.recovery_dialog import QUIT, RESTORE, START_EMPTY, RecoveryDialog
from tests.gui.helpers import shut_down
from tests.support.memory_keyring import MemoryKeyring

GARBAGE = b"this is not an SQLite database, it was damaged by a bad disk " * 64


@pytest.fixture
def config(tmp_path: Path) -> AppConfig:  # no sandbox needed: nothing here talks to Meta
    return AppConfig(tmp_path / "appdata")


def _backup(config: AppConfig, clock: FixedClock, keyring: MemoryKeyring, name: str = "autoposter-20250101.db") -> Path:
    """A healthy database with one draft, copied into the backups folder."""
    scratch = AppConfig(config.data_dir.parent / f"scratch-{name}")
    ctx = Context.open(scratch, tokens=TokenStore("x", keyring), clock=clock)
    found = DiscoveredAccount(Platform.FACEBOOK, "100000000000001", "Sandbox Bakery", "EAA-not-stored-here")
    account = ctx.repo.upsert_account(found, None, clock.now())
    ctx.repo.add_items(
        [NewItem(account.id, Platform.FACEBOOK, "From the backup", None, ItemStatus.DRAFT, None)], clock.now()
    )
    ctx.close()
    target = backups_dir(config.db_path) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(scratch.db_path, target)
    return target


@pytest.fixture
def damaged(config: AppConfig) -> bytes:
    config.ensure_dir()
    config.db_path.write_bytes(GARBAGE)
    return GARBAGE


@pytest.fixture
def make_app(
    qtbot: Any, config: AppConfig, clock: FixedClock, keyring_backend: MemoryKeyring
) -> Iterator[Callable[[], Application]]:
    made: list[Application] = []
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)

    def make() -> Application:
        app = Application(
            qapp, config, tokens=TokenStore(config.keyring_service, keyring_backend), clock=clock, tray_available=False
        )
        made.append(app)
        return app

    yield make
    shut_down(qapp, *made)


def _answer(
    monkeypatch: pytest.MonkeyPatch, *answers: int, also: Callable[[RecoveryDialog], None] | None = None
) -> list[RecoveryDialog]:
    shown: list[RecoveryDialog] = []
    queue = list(answers)

    def exec_(self: RecoveryDialog) -> int:
        shown.append(self)
        if also is not None:
            also(self)
        return queue.pop(0)

    monkeypatch.setattr(RecoveryDialog, "exec", exec_)
    return shown


def test_quit_leaves_the_damaged_file_alone(
    make_app: Callable[[], Application], config: AppConfig, damaged: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _answer(monkeypatch, QUIT)
    assert not make_app().start()
    (dialog,) = shown
    assert dialog.title.text() == "Your database is damaged"
    assert "damaged" in dialog.message.text() and str(config.db_path) in dialog.message.text()
    assert "Settings" not in dialog.message.text()  # no pointer to a window that is not there
    assert not dialog.restore_button.isHidden() and not dialog.restore_button.isEnabled()  # no backup yet
    assert dialog.quit_button.isDefault()
    assert config.db_path.read_bytes() == damaged


def test_restore_latest_backup_and_keep_the_damaged_file(
    make_app: Callable[[], Application],
    config: AppConfig,
    damaged: bytes,
    clock: FixedClock,
    keyring_backend: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _backup(config, clock, keyring_backend, "autoposter-20250101.db")
    newest = _backup(config, clock, keyring_backend, "autoposter-20250102.db")
    shown = _answer(monkeypatch, RESTORE)
    app = make_app()
    assert app.start()
    (dialog,) = shown
    assert dialog.restore_button.isEnabled() and dialog.restore_button.isDefault()
    assert newest.name == "autoposter-20250102.db" and "from Thu 02 Jan 2025" in dialog.advice.text()
    assert app.ctx is not None and [i.text for i in app.ctx.repo.items()] == ["From the backup"]
    (aside,) = config.data_dir.glob("autoposter.db.before-restore-*")
    assert aside.read_bytes() == damaged  # kept, renamed
    assert app.hold_due_posts  # the first tick holds due posts as missed
    assert app.window is not None and app.window.isVisible()
    assert app.window.status.currentMessage().startswith(f"Restored the backup {newest.name}; the damaged database")


def test_a_damaged_latest_backup_falls_back_to_an_older_one(
    make_app: Callable[[], Application],
    config: AppConfig,
    damaged: bytes,
    clock: FixedClock,
    keyring_backend: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = _backup(config, clock, keyring_backend, "autoposter-20250101.db")
    bad = backups_dir(config.db_path) / "autoposter-20250102.db"
    bad.write_bytes(GARBAGE)
    shown = _answer(monkeypatch, RESTORE)
    assert make_app().start()
    assert shown[0].latest_backup == good


def test_open_data_folder_keeps_the_dialog(
    make_app: Callable[[], Application], config: AppConfig, damaged: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    _answer(monkeypatch, QUIT, also=lambda dialog: dialog.open_button.click())
    assert not make_app().start()
    assert [u.toLocalFile() for u in opened] == [str(config.data_dir)]


def test_other_store_problems_offer_no_restore(
    make_app: Callable[[], Application], config: AppConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autoposter_gui.domain.errors import StoreError

    def refuse(*_args: Any, **_kwargs: Any) -> Context:
        raise StoreError(f"Cannot write to the data folder {config.data_dir}; check its permissions and free space")

    monkeypatch.setattr(Context, "open", refuse)
    shown = _answer(monkeypatch, QUIT)
    assert not make_app().start()
    assert shown[0].restore_button.isHidden()
    assert "check its permissions" in shown[0].message.text()


def test_escape_quits(qtbot: Any, tmp_path: Path) -> None:
    dialog = RecoveryDialog("damaged", tmp_path, damaged=True, latest_backup=None)
    qtbot.addWidget(dialog)
    dialog.reject()
    assert dialog.result() == QUIT


# ----- a database missing from a folder used before --------------------------------------------


@pytest.fixture
def missing(config: AppConfig, clock: FixedClock, keyring_backend: MemoryKeyring) -> Path:
    """A data folder that was used (its marker is there), whose database was then deleted."""
    Context.open(config, tokens=TokenStore(config.keyring_service, keyring_backend), clock=clock).close()
    for path in config.data_dir.glob("autoposter.db*"):
        path.unlink()
    return config.db_path


@pytest.fixture
def restores(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """Every restore the GUI asks for goes through the engine's BackupService (the CLI's too): record them."""
    from autoposter_gui.engine.backups import BackupService

    calls: list[Path | None] = []
    real = BackupService.restore

    def spy(self: BackupService, backup: Path | None, now: Any) -> Any:
        calls.append(backup)
        return real(self, backup, now)

    monkeypatch.setattr(BackupService, "restore", spy)
    return calls


def test_a_missing_database_offers_the_newest_backup(
    make_app: Callable[[], Application],
    config: AppConfig,
    missing: Path,
    clock: FixedClock,
    keyring_backend: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    restores: list[Path | None],
) -> None:
    newest = _backup(config, clock, keyring_backend, "autoposter-20250102.db")
    shown = _answer(monkeypatch, RESTORE)
    app = make_app()
    assert app.start()
    (dialog,) = shown
    assert dialog.title.text() == "Your database is missing"
    assert str(missing) in dialog.message.text() and "used before" in dialog.message.text()
    assert "autoposter restore" not in dialog.message.text()  # the CLI's advice; here there are buttons
    assert dialog.restore_button.isEnabled() and dialog.restore_button.isDefault()
    assert not dialog.empty_button.isHidden()
    assert restores == [newest]
    assert app.ctx is not None and [i.text for i in app.ctx.repo.items()] == ["From the backup"]
    assert app.hold_due_posts


def test_a_missing_database_is_not_started_empty_unless_the_owner_says_so(
    make_app: Callable[[], Application],
    config: AppConfig,
    missing: Path,
    monkeypatch: pytest.MonkeyPatch,
    restores: list[Path | None],
) -> None:
    shown = _answer(monkeypatch, QUIT)
    assert not make_app().start()
    assert not shown[0].restore_button.isEnabled()  # no backup to restore
    assert not missing.exists()  # quitting created nothing

    _answer(monkeypatch, START_EMPTY)
    app = make_app()
    assert app.start()
    assert restores == [None]
    assert app.ctx is not None and app.ctx.repo.count_items() == 0
    assert app.window is not None and app.window.status.currentMessage().startswith("Started with an empty database")


def test_settings_restore_goes_through_the_engine_service_and_waits_for_the_runner(
    make_app: Callable[[], Application],
    config: AppConfig,
    clock: FixedClock,
    keyring_backend: MemoryKeyring,
    restores: list[Path | None],
) -> None:
    from autoposter_gui.engine.runner import runner_lock

    app = make_app()
    assert app.start(show=False)
    backup = _backup(config, clock, keyring_backend)
    with runner_lock(config):  # a `run-due` from cron is publishing right now
        assert app.restore_and_restart(backup)
    assert restores == [backup]
    assert app.window is not None and "publishing" in app.window.status.currentMessage()
    assert app.ctx is not None and app.ctx.repo.count_items() == 0  # nothing replaced
    assert app.restore_and_restart(backup)
    assert app.ctx is not None and [i.text for i in app.ctx.repo.items()] == ["From the backup"]
