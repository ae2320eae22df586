"""File → Import posts…: a preview of the CSV with each bad row's reason; nothing written until a clean file is
confirmed. Also File → Export posts…. Both through the CLI's CsvService."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.errors import AutoposterError
from autoposter_gui.engine.csv_io import CsvService, ImportPlan
from autoposter_gui.ui import fmt
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.errors import show_error

HEADERS = ("Line", "Account", "Text", "At", "Image", "Problem")
BAD = QColor(217, 48, 37, 40)


class ImportDialog(QDialog):
    """Checks the file with ``CsvService.check`` and shows every row; "Import" is offered only for a clean file."""

    def __init__(self, controller: AppController, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.path = Path(path)
        self.service = CsvService(controller.ctx)
        self.plan: ImportPlan | None = None
        self.imported: list[int] = []
        self.setWindowTitle(f"Import posts from {self.path.name}")
        self.resize(900, 480)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.buttons = QDialogButtonBox(self)
        self.recheck_button = QPushButton("Check &again", self)
        self.recheck_button.setToolTip("Read the file again after fixing it")
        self.import_button = QPushButton("&Import", self)
        self.buttons.addButton(self.recheck_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.recheck_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.write)
        self.buttons.rejected.connect(self.reject)
        self.check()

    def check(self) -> None:
        """Read and check the file (writes nothing) and show every row with its problem."""
        self.table.setRowCount(0)
        self.plan = None
        try:
            plan = self.service.check(self.path)
        except AutoposterError as exc:
            self.summary.setText(f"<b>Nothing can be imported:</b> {fmt_html(str(exc))}")
            self.import_button.setEnabled(False)
            return
        self.plan = plan
        problems = {p.line: p.message for p in plan.problems}
        names = {a.external_id: fmt.account_name(a) for a in self.controller.accounts()}
        by_line = {row.line: row for row in plan.rows}
        lines = sorted(set(problems) | set(by_line))
        self.table.setRowCount(len(lines))
        for n, line in enumerate(lines):
            row = by_line.get(line)
            cells = [str(line)]
            if row is not None:
                images = "; ".join(Path(p).name for p in row.images)
                accounts = ", ".join(names.get(a, a) for a in row.accounts)
                cells += [accounts, fmt.preview(row.text, 80), row.at or "(draft)", images]
            else:
                cells += ["", "", "", ""]
            cells.append(problems.get(line, "OK"))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if line in problems:
                    cell.setBackground(BAD)
                self.table.setItem(n, column, cell)
        self.table.resizeColumnsToContents()
        bad = len(plan.problems)
        if bad:
            self.summary.setText(
                f"<b>{fmt.plural(bad, 'bad row')}</b> (in red, with the reason). Nothing is imported until every "
                "row is right: fix the file, then press <i>Check again</i>."
            )
            self.import_button.setEnabled(False)
            self.import_button.setText("&Import")
        else:
            self.summary.setText(f"Every row is right: {fmt.plural(plan.posts, 'post')} ready to import.")
            self.import_button.setEnabled(True)
            self.import_button.setText(f"&Import {fmt.plural(plan.posts, 'post')}")

    def bad_lines(self) -> dict[int, str]:
        return {p.line: p.message for p in self.plan.problems} if self.plan is not None else {}

    def write(self) -> None:
        if self.plan is None or self.plan.problems:
            return
        try:
            self.imported = self.service.write(self.plan)
        except AutoposterError as exc:
            show_error(self, "Can't import these posts", str(exc))
            return
        self.controller.notice.emit(f"Imported {fmt.plural(len(self.imported), 'post')} from {self.path.name}")
        self.accept()


def fmt_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def choose_import_file(parent: QWidget | None) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import posts", "", "CSV files (*.csv);;All files (*)")
    return path or None


def export_posts(controller: AppController, parent: QWidget | None, path: str | None = None) -> int | None:
    """Ask where (unless ``path``), write the posts still to go out; how many (None: nothing written)."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, "Export posts", "autoposter-posts.csv", "CSV files (*.csv)")
        if not path:
            return None
    try:
        count = CsvService(controller.ctx).export(path)
    except AutoposterError as exc:
        show_error(parent, "Can't export the posts", str(exc))
        return None
    controller.notice.emit(f"Exported {fmt.plural(count, 'post')} to {Path(path).name}")
    return count
