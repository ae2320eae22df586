"""When the database can't be opened at start (damaged, or missing in a folder used before): the reason, and
"Restore latest backup" / "Start empty" (missing only) / "Open data folder" / "Quit"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from autoposter_gui import APP_NAME
from autoposter_gui.ui import icons
from autoposter_gui.ui.settings_dialog import backup_day, open_folder
from autoposter_gui.ui.widgets import MessageLabel, heading, secondary

QUIT, RESTORE, START_EMPTY = 0, 2, 3


class RecoveryDialog(QDialog):
    """``exec()`` returns ``RESTORE`` (restore ``latest_backup``), ``START_EMPTY`` (a missing database only: the
    owner starts empty on purpose) or ``QUIT``; "Open data folder" keeps it open.

    Nothing here changes a file: the caller restores (the damaged database is moved aside, never deleted).
    """

    def __init__(
        self,
        message: str,
        data_dir: Path,
        *,
        damaged: bool,
        latest_backup: Path | None,
        missing: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.latest_backup = latest_backup
        self.setWindowTitle("Can't open the database")  # Qt appends " — Autoposter"
        self.setWindowIcon(icons.app_icon())
        self.setMinimumWidth(520)

        icon = QLabel(self)
        icon.setPixmap(icons.error_icon().pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = f"{APP_NAME} can't open its database"
        if damaged:
            title = "Your database is damaged"
        elif missing:
            title = "Your database is missing"
        self.title = heading(title, self, scale=1.2)
        # The core's sentence points to Settings, which this window replaces: its button is right here.
        self.message = QLabel(message.replace(" (Settings → Restore from backup)", ""), self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if missing and latest_backup is not None:
            day = backup_day(latest_backup, datetime.now(UTC))
            advice = (
                f"Restore the latest good daily backup, from {day}, to get your posts, accounts and history back as "
                f"they were then. Or start with an empty database on purpose."
            )
        elif missing:
            advice = (
                "There is no backup to restore. Put the database file back and start Autoposter again, or start "
                "with an empty database on purpose."
            )
        elif damaged and latest_backup is not None:
            day = backup_day(latest_backup, datetime.now(UTC))
            advice = (
                f"Restoring puts back the latest good daily backup, from {day}. Changes made since then are lost. "
                "The damaged file is kept in the data folder, renamed, in case you need it."
            )
        elif damaged:
            advice = (
                "There is no backup to restore yet. The damaged file is left untouched: move it out of the data "
                f"folder to start {APP_NAME} with an empty database."
            )
        else:
            advice = "Nothing was changed. Fix the problem above, then start Autoposter again."
        self.advice = secondary(advice, self)
        self.error = MessageLabel(self)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.message)
        text.addWidget(self.advice)
        text.addWidget(self.error)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(8)
        top.addLayout(text, 1)

        self.buttons = QDialogButtonBox(self)
        self.open_button = QPushButton("&Open data folder", self)
        self.quit_button = QPushButton("&Quit", self)
        self.restore_button = QPushButton("&Restore latest backup", self)
        self.empty_button = QPushButton("&Start empty", self)
        self.empty_button.setToolTip("Start with no posts and no accounts (the backups stay in the data folder)")
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.empty_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setAutoDefault(False)
        self.empty_button.setAutoDefault(False)
        self.empty_button.setVisible(missing)
        self.restore_button.setVisible(damaged or missing)
        self.restore_button.setEnabled(latest_backup is not None)
        if latest_backup is not None:
            self.restore_button.setDefault(True)
        else:
            self.quit_button.setDefault(True)
        self.open_button.clicked.connect(self.open_data_folder)
        self.quit_button.clicked.connect(lambda: self.done(QUIT))
        self.restore_button.clicked.connect(lambda: self.done(RESTORE))
        self.empty_button.clicked.connect(lambda: self.done(START_EMPTY))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(self.buttons)

    @Slot()
    def open_data_folder(self) -> None:
        if not open_folder(self.data_dir):
            self.error.show_message(f"Could not open {self.data_dir}; open it in your file manager")

    def show_error(self, text: str) -> None:
        """A restore that failed: say why and stay open."""
        self.error.show_message(text)

    def reject(self) -> None:  # Escape or the window's close button: quit
        self.done(QUIT)
