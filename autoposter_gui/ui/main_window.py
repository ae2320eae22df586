"""The main window: Composer, Queue, Calendar, Activity, Accounts and Insights tabs, menus, status bar, tray."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from autoposter_gui import APP_NAME, window_title
from autoposter_gui.ui import icons
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.lazy_page import LazyPage, LazyTabs
from autoposter_gui.ui.queue_tab import QueueTab
from autoposter_gui.ui.status_bar import AppStatusBar
from autoposter_gui.ui.tray import TrayController

if TYPE_CHECKING:
    from autoposter_gui.ui.accounts_tab import AccountsTab
    from autoposter_gui.ui.activity_tab import ActivityTab
    from autoposter_gui.ui.calendar_tab import CalendarTab
    from autoposter_gui.ui.composer_tab import ComposerTab
    from autoposter_gui.ui.insights_tab import InsightsTab
    from autoposter_gui.ui.quit_prompt import QuitPrompt

CLOSE_HINT_KEY = "tray/close_hint_shown"
GEOMETRY_KEY = "window/geometry"
TABS = ("composer", "queue", "calendar", "activity", "accounts", "insights")


class MainWindow(QMainWindow):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tray: TrayController | None = None
        self._quitting = False
        self._session_ends = False
        self.quit_prompt: QuitPrompt | None = None
        self._quit: Callable[[], None] = lambda: QCoreApplication.exit(0)
        self.setWindowTitle(window_title(controller.sandbox))
        self.setWindowIcon(icons.app_icon())
        self.setMinimumSize(640, 440)  # a small laptop window (700×480) must still show the whole Composer

        # The Queue is built at once (it decides which tab the window opens on); every other tab's contents (and
        # their modules) are built when the tab is first shown, or first asked for (``composer``, ``calendar``...).
        self.composer_page: LazyPage[ComposerTab] = LazyPage(self._build_composer, self)
        self.queue = QueueTab(controller, self)
        self.calendar_page: LazyPage[CalendarTab] = LazyPage(self._build_calendar, self)
        self.activity_page: LazyPage[ActivityTab] = LazyPage(self._build_activity, self)
        self.accounts_page: LazyPage[AccountsTab] = LazyPage(self._build_accounts, self)
        self.insights_page: LazyPage[InsightsTab] = LazyPage(self._build_insights, self)
        self.tabs = LazyTabs(self)
        self.tabs.setDocumentMode(True)
        for name, widget, title in (
            ("composer", self.composer_page, "&Composer"),
            ("queue", self.queue, "&Queue"),
            ("calendar", self.calendar_page, "Ca&lendar"),
            ("activity", self.activity_page, "&Activity"),
            ("accounts", self.accounts_page, "Acc&ounts"),
            ("insights", self.insights_page, "&Insights"),
        ):
            self.tabs.addTab(widget, icons.tab_icon(name), title)
        self.tabs.setCurrentIndex(TABS.index(self.start_tab()))
        self.setCentralWidget(self.tabs)
        self.status = AppStatusBar(controller, self)
        self.setStatusBar(self.status)
        self._build_menus()

        self.queue.edit_requested.connect(self.edit_item)
        self.queue.duplicate_requested.connect(self.duplicate_item)
        self.queue.compose_requested.connect(lambda: self.show_tab("composer"))
        controller.show_tab_requested.connect(self.show_tab)
        controller.scheduler_changed.connect(self._scheduler_changed)
        self._scheduler_changed()

        geometry = controller.settings.value(GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1120, 720)

    def start_tab(self) -> str:
        """The tab the window opens on: the Queue once there are posts (what an owner opens the app to check: what
        goes out next, what failed), the Composer until then (the first thing a new owner does is write a post)."""
        return "queue" if self.controller.reads.count_items() else "composer"

    def _build_composer(self, page: QWidget) -> ComposerTab:
        from autoposter_gui.ui.composer_tab import ComposerTab

        composer = ComposerTab(self.controller, page)
        composer.saved.connect(self._composer_saved)
        composer.connect_requested.connect(self._connect_requested)
        return composer

    def _build_activity(self, page: QWidget) -> ActivityTab:
        from autoposter_gui.ui.activity_tab import ActivityTab

        return ActivityTab(self.controller, page)

    def _build_accounts(self, page: QWidget) -> AccountsTab:
        from autoposter_gui.ui.accounts_tab import AccountsTab

        return AccountsTab(self.controller, page)

    @property
    def composer(self) -> ComposerTab:
        """The Composer tab's contents (built now if the tab was never shown)."""
        return self.composer_page.content()

    @property
    def activity(self) -> ActivityTab:
        """The Activity tab's contents (built now if the tab was never shown)."""
        return self.activity_page.content()

    @property
    def accounts(self) -> AccountsTab:
        """The Accounts tab's contents (built now if the tab was never shown)."""
        return self.accounts_page.content()

    def _build_calendar(self, page: QWidget) -> CalendarTab:
        from autoposter_gui.ui.calendar_tab import CalendarTab

        calendar = CalendarTab(self.controller, page)
        calendar.edit_requested.connect(self.edit_item)
        calendar.compose_requested.connect(self.compose_at)
        return calendar

    def _build_insights(self, page: QWidget) -> InsightsTab:
        from autoposter_gui.ui.insights_tab import InsightsTab

        return InsightsTab(self.controller, page)

    @property
    def calendar(self) -> CalendarTab:
        """The Calendar tab's contents (built now if the tab was never shown)."""
        return self.calendar_page.content()

    @property
    def insights(self) -> InsightsTab:
        """The Insights tab's contents (built now if the tab was never shown)."""
        return self.insights_page.content()

    # ----- menus -------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        new_post = file_menu.addAction("&New Post")
        new_post.setShortcut(QKeySequence.StandardKey.New)
        new_post.triggered.connect(self.new_post)
        file_menu.addSeparator()
        import_posts = file_menu.addAction("&Import Posts…")
        import_posts.setStatusTip("Queue posts from a CSV file (checked first; nothing written until it is clean)")
        import_posts.triggered.connect(lambda: self.import_posts())
        export_posts = file_menu.addAction("&Export Posts…")
        export_posts.setStatusTip("Save the posts still to go out as a CSV file")
        export_posts.triggered.connect(lambda: self.export_posts())
        file_menu.addSeparator()
        settings = file_menu.addAction("&Settings…")
        preferences = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        settings.setShortcut(preferences[0] if preferences else QKeySequence("Ctrl+,"))
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        settings.triggered.connect(self.open_settings)
        file_menu.addSeparator()
        close = file_menu.addAction("&Close Window")
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.request_quit)

        publishing = bar.addMenu("&Publishing")
        self.run_now_action = publishing.addAction("&Run Now")
        self.run_now_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.run_now_action.setStatusTip("Publish every due post now")
        self.run_now_action.triggered.connect(self.controller.run_now)
        self.pause_action = publishing.addAction("&Pause Publishing")
        self.pause_action.triggered.connect(self.controller.toggle_pause)
        publishing.addSeparator()
        retry = publishing.addAction("Retry All &Failed")
        retry.triggered.connect(self.queue.retry_all_failed)

        view = bar.addMenu("&View")
        for number, name in enumerate(TABS, start=1):
            action = view.addAction(name.title())
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, tab=name: self.show_tab(tab))

        help_menu = bar.addMenu("&Help")
        guide = help_menu.addAction("&Getting Started")
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        guide.setStatusTip("Step by step: create your Meta app, put it Live and connect your Page")
        guide.triggered.connect(lambda: self.accounts.open_connect_dialog(guided=True))
        help_menu.addSeparator()
        logs = help_menu.addAction("Open &Log Folder")
        logs.triggered.connect(self.open_log_folder)
        diagnostics = help_menu.addAction("Copy &Diagnostics")
        diagnostics.setStatusTip("Copy versions, folders and the scheduler's state (no passwords or tokens)")
        diagnostics.triggered.connect(self.copy_diagnostics)
        help_menu.addSeparator()
        about = help_menu.addAction(f"&About {APP_NAME}")
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.about)

    @Slot()
    def _scheduler_changed(self) -> None:
        paused = self.controller.paused
        ready = self.controller.scheduler is not None
        self.pause_action.setText("&Resume Publishing" if paused else "&Pause Publishing")
        self.pause_action.setEnabled(ready)
        self.run_now_action.setEnabled(ready and not paused)

    # ----- navigation --------------------------------------------------------------------------------
    def current_tab(self) -> str:
        return TABS[self.tabs.currentIndex()]

    @Slot(str)
    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))
        if name == "composer":
            self.composer.text_edit.setFocus()

    @Slot()
    def show_and_raise(self) -> None:
        """Bring the window back from the tray or from behind other windows."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    @Slot()
    def show_activity(self) -> None:
        self.show_and_raise()
        self.show_tab("activity")

    @Slot()
    def new_post(self) -> None:
        self.show_tab("composer")

    @Slot(int)
    def edit_item(self, item_id: int) -> None:
        if self.composer.edit_item(item_id):
            self.show_tab("composer")

    def compose_at(self, local: datetime) -> bool:
        """A click on an empty calendar slot: a new post at that local time (naive) in the Composer."""
        from autoposter_gui.ui import fmt
        from autoposter_gui.ui.composer_editing import may_discard

        if self.composer.is_dirty() and not may_discard(self, "start a new post at this time"):
            return False
        self.composer.clear()
        self.composer.when_edit.setDateTime(fmt.qdatetime_from_naive(local))
        self.show_tab("composer")
        return True

    def import_posts(self, path: str | None = None) -> list[int]:
        """File → Import Posts…: the preview dialog; the ids it queued (none until the owner confirms)."""
        from autoposter_gui.ui.import_dialog import ImportDialog, choose_import_file

        path = path or choose_import_file(self)
        if not path:
            return []
        self.import_dialog = ImportDialog(self.controller, path, self)
        self.import_dialog.exec()
        return self.import_dialog.imported

    def export_posts(self, path: str | None = None) -> int | None:
        from autoposter_gui.ui.import_dialog import export_posts

        return export_posts(self.controller, self, path)

    @Slot(int)
    def duplicate_item(self, item_id: int) -> None:
        if self.composer.duplicate_item(item_id):
            self.show_tab("composer")
            self.controller.notice.emit("A new post, copied from the selected one: change it as you like")

    @Slot(list)
    def _composer_saved(self, item_ids: list[int]) -> None:
        self.show_tab("queue")
        self.queue.show_items(item_ids)

    @Slot()
    def _connect_requested(self) -> None:
        self.show_tab("accounts")
        self.accounts.choose_and_connect()

    @Slot()
    def open_log_folder(self) -> None:
        folder = self.controller.config.log_dir
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    @Slot()
    def open_settings(self) -> None:
        from autoposter_gui.ui.settings_dialog import SettingsDialog

        SettingsDialog(self.controller, parent=self).exec()

    @Slot()
    def copy_diagnostics(self) -> str:
        from autoposter_gui.ui.diagnostics import diagnostics_text

        text = diagnostics_text(self.controller)
        QGuiApplication.clipboard().setText(text)
        self.controller.notice.emit("Diagnostics copied: paste them into your support request")
        return text

    @Slot()
    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from autoposter_gui.ui.diagnostics import about_html

        QMessageBox.about(self, f"About {APP_NAME}", about_html(self.controller.sandbox))

    # ----- closing -----------------------------------------------------------------------------------
    def set_tray(self, tray: TrayController | None) -> None:
        self.tray = tray
        if tray is not None:
            tray.show_window_requested.connect(self.show_and_raise)
            tray.activity_requested.connect(self.show_activity)
            tray.quit_requested.connect(self.request_quit)

    def set_quit_handler(self, handler: Callable[[], None]) -> None:
        self._quit = handler

    @Slot()
    def request_quit(self) -> None:
        """The owner's Quit (File → Quit, the tray's Quit): when posts go out soon (within the hour; with no tray,
        any still waiting) or one is being published, ask first; otherwise quit at once."""
        if self.quit_prompt is not None:  # already asking
            self.quit_prompt.show()
            self.quit_prompt.raise_()
            self.quit_prompt.activateWindow()
            return
        tray = self.tray is not None and self.tray.visible
        from autoposter_gui.ui.quit_prompt import SOON, QuitPrompt  # the question's module: when first asked

        due = None if self._session_ending() else self.controller.posts.due_within(SOON if tray else None)
        if due is None or not due.total:
            self.quit_now()
            return
        prompt = QuitPrompt(due, self.controller.now(), tray=tray, parent=self if self.isVisible() else None)
        prompt.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        prompt.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.quit_prompt = prompt

        def answered(_result: int) -> None:
            self.quit_prompt = None
            if prompt.quit_chosen():
                self.quit_now()
            elif tray and self.isVisible():
                self.close()  # keep running in the tray: the window goes, as when it is closed

        prompt.finished.connect(answered)
        prompt.show()
        prompt.raise_()
        prompt.activateWindow()

    def _session_ending(self) -> bool:
        """Log-out or shut-down: the session manager must never wait on a question."""
        app = QGuiApplication.instance()
        return self._session_ends or (isinstance(app, QGuiApplication) and app.isSavingSession())

    @Slot()
    def session_ending(self) -> None:
        """``commitDataRequest``: from now on, quitting and closing ask nothing."""
        self._session_ends = True

    @Slot()
    def quit_now(self) -> None:
        """Quit without asking (the scheduler stops after the tick in progress; due posts wait for the next start)."""
        self._quitting = True
        if self.quit_prompt is not None:
            self.quit_prompt.close()
            self.quit_prompt = None
        self.controller.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.hide()
        self._quit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        if self._quitting or self._session_ending():
            event.accept()
            if not self._quitting:
                self.quit_now()
            return
        if self.tray is not None and self.tray.visible:
            event.ignore()
            self.hide()
            if not self.controller.settings.value(CLOSE_HINT_KEY, False, type=bool):
                self.controller.settings.setValue(CLOSE_HINT_KEY, True)
                self.tray.notify(
                    f"{APP_NAME} is still running",
                    "It keeps publishing your scheduled posts from the system tray. "
                    "Choose Quit from the tray menu to stop it.",
                )
            return
        event.ignore()  # no tray: closing the window quits, once the owner agrees if posts are waiting
        self.request_quit()
