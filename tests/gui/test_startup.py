"""Start-up: a loading state (never "No accounts…") until the accounts are known, the shell, the ready mark."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from autoposter_gui.app import DEMO_LOADING, ENGINE_MARK_ENV, READY_MARK_ENV, Application, _make_shell, make_config
from autoposter_gui.config import AppConfig
from autoposter_gui.domain.errors import StoreError
from autoposter_gui.domain.models import DiscoveredAccount, ItemStatus, Platform
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.reads import startup_reads
from autoposter_gui.storage.db import Store
from autoposter_gui.storage.repo import NewItem, Repo
from autoposter_gui.ui.controller import AppController, EngineStartingError
from autoposter_gui.ui.main_window import MainWindow
from tests.conftest import START
from tests.gui.helpers import shut_down


def _composer_state(window: MainWindow) -> tuple[bool, bool]:
    """(the loading line shows, "No accounts are connected yet" shows) in the Composer's "Post to" box."""
    composer = window.composer
    return composer.accounts_loading.isVisibleTo(window), composer.no_accounts.isVisibleTo(window)


def test_sandbox_start_shows_a_loading_state_until_the_demo_accounts_are_connected(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app = Application(qapp, make_config(True, None), tray_available=False, sandbox_port=0)
    monkeypatch.setattr(app, "quit", lambda: None)
    try:
        assert app.start()
        window = app.window
        assert window is not None and app.controller is not None
        assert app.ctx is not None and app.ctx.repo.accounts() == []  # nothing connected yet
        # Right after start: "Connecting the sandbox's demo accounts…", never "No accounts…"
        assert _composer_state(window) == (True, False)
        assert window.composer.accounts_loading.text() == DEMO_LOADING
        accounts = window.accounts
        assert accounts.stack.currentWidget() is accounts.loading
        assert accounts.loading.text.text() == DEMO_LOADING
        assert not app.ready  # not usable before the accounts show

        qtbot.waitUntil(lambda: app.demo_ready, timeout=20_000)
        assert app.controller.accounts_loading is None
        qtbot.waitUntil(lambda: len(window.composer._checks) == 3)
        assert _composer_state(window) == (False, False)
        qtbot.waitUntil(lambda: accounts.stack.currentWidget() is accounts.view)
        assert accounts.model.rowCount() == 3
        qtbot.waitUntil(lambda: app.ready, timeout=5_000)
    finally:
        shut_down(qapp, app)


def test_the_empty_state_shows_once_the_accounts_are_known_to_be_none(
    controller: AppController, window: MainWindow
) -> None:
    assert _composer_state(window) == (False, True)  # known from the start: none
    controller.set_accounts_loading("Loading your accounts…")
    assert _composer_state(window) == (True, False)
    assert window.accounts.stack.currentWidget() is window.accounts.loading

    controller.set_accounts_loading(None)  # known: there are none
    assert _composer_state(window) == (False, True)
    assert window.accounts.stack.currentWidget() is window.accounts.empty


def test_normal_start_is_usable_at_once_and_prints_the_ready_mark(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    monkeypatch.setenv(READY_MARK_ENV, "READY-42")
    app = Application(qapp, make_config(False, str(tmp_path / "data")), tray_available=False)
    monkeypatch.setattr(app, "quit", lambda: None)
    try:
        assert app.start()
        window = app.window
        assert window is not None and app.controller is not None
        assert app.controller.accounts_loading is None  # the accounts are in the database: known
        assert _composer_state(window) == (False, True)
        qtbot.waitUntil(lambda: app.ready, timeout=5_000)
        assert "READY-42" in capsys.readouterr().out.splitlines()
    finally:
        shut_down(qapp, app)


def test_the_first_window_says_it_is_loading(tmp_path: Path) -> None:
    config = make_config(True, str(tmp_path / "data"))
    config.ensure_dir()
    shell = _make_shell(config)
    try:
        text = " ".join(label.text() for label in shell.findChildren(QLabel))
        assert "Loading your accounts and posts" in text and "sandbox" in text
    finally:
        shell.deleteLater()


def _folder_in_use(tmp_path: Path) -> AppConfig:
    """A data folder the store made before, with one Page and one post (what the quick start reads)."""
    config = make_config(False, str(tmp_path / "data"))
    config.ensure_dir()
    repo = Repo(Store(config.db_path))
    page = repo.upsert_account(DiscoveredAccount(Platform.FACEBOOK, "111", "Corner Bakery", "tok"), None, START)
    later = START + timedelta(days=1)
    repo.add_items([NewItem(page.id, Platform.FACEBOOK, "Fresh bread", None, ItemStatus.SCHEDULED, later)], START)
    repo.store.close()
    return config


def test_a_quick_start_paints_the_window_from_a_plain_read_then_opens_the_engine(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    config = _folder_in_use(tmp_path)
    monkeypatch.setenv(READY_MARK_ENV, "READY-7")
    monkeypatch.setenv(ENGINE_MARK_ENV, "ENGINE-7")
    quick = startup_reads(config.db_path)
    assert quick is not None
    app = Application(qapp, config, tray_available=False)
    monkeypatch.setattr(app, "quit", lambda: None)
    try:
        assert app.start(quick=quick)
        window, controller = app.window, app.controller
        assert window is not None and controller is not None
        # The whole window, from the plain read: no store, no SQLAlchemy session yet
        assert app.ctx is None and not controller.ready
        assert window.queue.model.rowCount() == 1 and window.queue.model.item_at(0).text == "Fresh bread"  # type: ignore[union-attr]
        assert window.accounts.model.rowCount() == 1 and controller.accounts_loading is None
        # Actions wait for the engine: typed keys are held, a service call says why. Until the first frame only
        # the window's own QWindow is watched (what the window system sends goes through it), then every event
        with pytest.raises(EngineStartingError, match="still opening"):
            controller.posts.retry_all_failed()
        held = app._held
        assert held is not None and not held.everywhere
        assert held.eventFilter(window.windowHandle(), QKeyEvent(QKeyEvent.Type.KeyPress, Qt.Key.Key_A, Qt.NoModifier))
        typed: list[str] = []

        def type_before_the_engine() -> None:  # after the first frame, right before the engine opens
            assert held.everywhere and not controller.ready
            QTest.keyClicks(window.composer.text_edit, "abc")
            typed.append(window.composer.text_edit.toPlainText())

        app.before_engine = type_before_the_engine
        assert QGuiApplication.overrideCursor() is not None  # the pointer says it is busy
        note = window.composer.footer.handoff_note  # needs the engine's settings: said once they are open
        assert window.composer.selected_account_ids() and not note.text() and note.isHidden()
        # Tabs whose reads need the engine: Calendar and Insights are not even built until first shown (their
        # modules not loaded); Activity's metric summaries and the snippets menu have read nothing through it yet
        assert not window.calendar_page.built and not window.insights_page.built
        assert window.activity.model.summaries_source is None

        qtbot.waitUntil(lambda: controller.ready, timeout=10_000)
        assert typed == [""]  # held
        assert "Meta" in note.text() and not note.isHidden()  # the Page's post goes out through Meta's scheduler
        assert window.activity.model.summaries_source is not None  # Activity reads the insights now
        assert window.composer.snippets_button.service.all() == []
        window.show_tab("calendar")  # built when first shown, once the engine is open: it reads its range
        assert window.calendar_page.built and window.calendar.isVisible()
        qtbot.waitUntil(lambda: not window.calendar._stale)
        assert window.calendar.service.drafts() == []
        assert app.ready and app.ctx is not None
        out = capsys.readouterr().out.splitlines()
        assert out.index("READY-7") < out.index("ENGINE-7")  # usable first, the engine right after
        assert QGuiApplication.overrideCursor() is None
        QTest.keyClicks(window.composer.text_edit, "abc")
        assert window.composer.text_edit.toPlainText() == "abc"
        # The bridge hears the engine's own events: a change made through the store shows in the Queue
        item_id = window.queue.model.item_at(0).id  # type: ignore[union-attr]
        app.ctx.repo.cancel(item_id, START)
        app.ctx.events.emit("item_changed", item_id)
        qtbot.waitUntil(lambda: window.queue.model.item_at(0).status == ItemStatus.CANCELED.value)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: app.scheduler is not None, timeout=10_000)
    finally:
        shut_down(qapp, app)


def test_a_quick_start_whose_store_does_not_open_starts_again_the_normal_way(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    config = _folder_in_use(tmp_path)
    quick = startup_reads(config.db_path)
    assert quick is not None
    real_open = Context.open.__func__  # type: ignore[attr-defined]
    calls: list[int] = []

    def flaky_open(cls: type[Context], *args: Any, **kwargs: Any) -> Context:
        calls.append(1)
        if len(calls) == 1:
            raise StoreError("The database is busy (another Autoposter is writing); try again in a moment")
        return real_open(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Context, "open", classmethod(flaky_open))
    app = Application(qapp, config, tray_available=False)
    monkeypatch.setattr(app, "quit", lambda: None)
    try:
        assert app.start(quick=quick)
        first = app.window
        qtbot.waitUntil(lambda: app.controller is not None and app.controller.ready, timeout=10_000)
        assert len(calls) == 2 and app.window is not None and app.window is not first
        assert app.window.queue.model.rowCount() == 1
        assert QGuiApplication.overrideCursor() is None
    finally:
        shut_down(qapp, app)
