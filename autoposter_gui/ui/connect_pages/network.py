"""The Connect wizard's first page: which network to connect (a list with each network's icon; arrows and Enter)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from autoposter_gui.engine.networks import NetworkChoice
from autoposter_gui.ui import icons
from autoposter_gui.ui.connect_pages.common import Page
from autoposter_gui.ui.widgets import heading, secondary

# What each network connects, in the owner's words (a network without a line here shows its name only).
BLURBS = {
    "meta": "Your Facebook Pages and their Instagram business accounts, through your Meta app.",
    "x": "Your X account, through your app in X's developer portal.",
    "google": "Your business's locations on Google Search and Maps, through your Google Cloud project.",
}


class NetworkPage(Page):
    """The networks to choose from (arrows move; Enter is the wizard's Next); a double click emits ``chosen``."""

    chosen = Signal(str)

    def __init__(self, choices: list[NetworkChoice], parent: QWidget) -> None:
        super().__init__(parent)
        self.choices = choices
        self.column.addWidget(heading("What would you like to connect?", self))
        self.column.addWidget(
            secondary("Pick a network, then follow its steps. You can connect the others afterwards.", self)
        )
        self.list = QListWidget(self)
        self.list.setIconSize(QSize(32, 32))
        self.list.setSpacing(3)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)  # each network's line wraps at the dialog's width, no sideways scrolling
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setAccessibleName("Networks")
        for choice in choices:
            blurb = BLURBS.get(choice.key, "")
            item = QListWidgetItem(icons.network_icon(choice.platforms or (choice.key,)), choice.label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, choice.key)
            item.setToolTip(blurb)
            if blurb:
                item.setText(f"{choice.label}\n{blurb}")
        self.list.setCurrentRow(0)
        # Enter is the dialog's default button (Next); a double click chooses too.
        self.list.itemDoubleClicked.connect(lambda item: self.chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        rows = max(1, len(choices))
        self.list.setMinimumHeight(rows * 48 + 8)
        self.column.addWidget(self.list, 1)

    @property
    def current(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def keys(self) -> list[str]:
        return [c.key for c in self.choices]

    def select(self, key: str) -> None:
        if key in self.keys():
            self.list.setCurrentRow(self.keys().index(key))
