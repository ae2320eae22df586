"""The planner in the app: Composer "Add to queue" and "Repeat…", saved snippets, the Queue's series mark, and
File → Import posts… (preview, nothing written for a bad file) / Export posts… round-tripping."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from autoposter_gui.domain.errors import ValidationError
from autoposter_gui.engine.context import Context
from autoposter_gui.engine.csv_io import CsvService
from autoposter_gui.engine.planner import PlannerService
from autoposter_gui.engine.snippets import Snippet, SnippetKind, SnippetService
from autoposter_gui.storage.models import Account
from autoposter_gui.ui import fmt
from autoposter_gui.ui.composer_planning import RepeatDialog
from autoposter_gui.ui.composer_tab import ComposerTab
from autoposter_gui.ui.controller import AppController
from autoposter_gui.ui.import_dialog import ImportDialog
from autoposter_gui.ui.main_window import MainWindow
from autoposter_gui.ui.queue_model import QueueColumn, QueueTableModel
from autoposter_gui.ui.snippets import SnippetsButton, SnippetsDialog
from tests.gui.helpers import BAKERY_IG, BAKERY_PAGE, account_id
from tests.support.helpers import make_image


def _write(composer: ComposerTab, ctx: Context, text: str) -> None:
    composer.set_selected_accounts([account_id(ctx, BAKERY_PAGE)])
    composer.text_edit.setPlainText(text)


def test_add_to_queue_takes_the_next_free_slot_each_time(composer: ComposerTab, ctx: Context) -> None:
    planner = PlannerService(ctx)
    planner.set_slots(BAKERY_PAGE, ["mon 09:30", "wed 12:00", "fri 18:15"])
    [account] = planner.posts.resolve_accounts([BAKERY_PAGE])
    first = planner.next_slot(account)
    _write(composer, ctx, "Into the next slot")
    [one] = composer.add_to_queue()
    stored = ctx.repo.item(one)
    assert stored is not None and stored.scheduled_at == first and stored.status == "scheduled"
    _write(composer, ctx, "And the one after")
    [two] = composer.add_to_queue()
    second = ctx.repo.item(two)
    assert second is not None and second.scheduled_at is not None and second.scheduled_at > first
    assert fmt.to_local(second.scheduled_at).strftime("%a %H:%M") in {"Mon 09:30", "Wed 12:00", "Fri 18:15"}
    assert composer.text_edit.toPlainText() == ""  # saved: the form is cleared


def test_add_to_queue_without_slots_says_how_to_set_them(composer: ComposerTab, ctx: Context) -> None:
    _write(composer, ctx, "No slots yet")
    assert composer.add_to_queue() == []
    assert "no posting slots" in " ".join(composer.errors().values()).lower()
    assert ctx.repo.items() == []


def test_repeat_creates_a_weekly_series_at_the_same_local_time(composer: ComposerTab, ctx: Context) -> None:
    start = datetime.combine(ctx.clock.now().date() + timedelta(days=1), time(9, 30), tzinfo=UTC)
    _write(composer, ctx, "Every week")
    composer.when_edit.setDateTime(fmt.qdatetime_from_naive(fmt.naive_local(start)))
    dialog = RepeatDialog(start, composer)
    dialog.repeat_combo.setCurrentIndex(dialog.repeat_combo.findData("weekly"))
    dialog.count_spin.setValue(6)
    assert "6 posts" in dialog.summary.text()
    ids = composer.repeat(dialog)
    items = [ctx.repo.item(i) for i in ids]
    assert len(items) == 6 and len({i.series_id for i in items if i}) == 1
    assert [i.scheduled_at for i in items if i] == [start + timedelta(weeks=n) for n in range(6)]


def test_repeat_refuses_more_than_a_hundred(composer: ComposerTab, ctx: Context) -> None:
    start = ctx.clock.now() + timedelta(hours=2)
    dialog = RepeatDialog(start, composer)
    dialog.repeat_combo.setCurrentIndex(dialog.repeat_combo.findData("daily"))
    dialog.until_radio.setChecked(True)
    dialog.until_edit.setDate(dialog.until_edit.date().addDays(200))
    assert not dialog.ok_button.isEnabled() and "at most 100" in dialog.summary.text()


def test_the_queue_marks_posts_of_a_series(qtbot: Any, controller: AppController, ctx: Context, connected: Any) -> None:
    from autoposter_gui.domain.recurrence import Recurrence, Repeat
    from autoposter_gui.engine.posts import PostRequest, PostService

    PostService(ctx).create(PostRequest([BAKERY_PAGE], "On its own", when=ctx.clock.now() + timedelta(hours=1)))
    start = ctx.clock.now() + timedelta(days=1)
    PlannerService(ctx).create_series(PostRequest([BAKERY_PAGE], "Weekly", when=start), Recurrence(Repeat.WEEKLY, 3))
    model = QueueTableModel(lambda: ctx.reads, ctx.clock.now)
    model.reload()
    texts = [model.data(model.index(r, QueueColumn.POST)) for r in range(model.rowCount())]
    assert sorted(t.startswith("↻ ") for t in texts) == [False, True, True, True]
    row = next(r for r in range(model.rowCount()) if texts[r].startswith("↻ ") and model.item_at(r) is not None)
    tip = model.data(model.index(row, QueueColumn.POST), Qt.ItemDataRole.ToolTipRole)
    assert " of 3 in a weekly series" in tip


def test_snippets_are_checked_saved_and_inserted_with_a_click(composer: ComposerTab, ctx: Context) -> None:
    service = SnippetService(ctx)
    with pytest.raises(ValidationError, match="only hashtags"):
        service.save([Snippet(SnippetKind.HASHTAGS, "Tags", "#bread and butter")])
    assert service.all() == []
    service.save(
        [Snippet(SnippetKind.HASHTAGS, "Bakery", "#bakery #fresh"), Snippet(SnippetKind.TEXT, "Hours", "Open 7-18")]
    )
    button = composer.snippets_button
    assert isinstance(button, SnippetsButton)
    button.rebuild()
    composer.text_edit.setPlainText("Warm loaves")
    cursor = composer.text_edit.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    composer.text_edit.setTextCursor(cursor)
    next(a for a in button.menu().actions() if a.text() == "Bakery").trigger()
    assert composer.text_edit.toPlainText() == "Warm loaves #bakery #fresh"


def test_the_snippets_editor_refuses_a_bad_entry_and_saves_good_ones(qtbot: Any, ctx: Context) -> None:
    service = SnippetService(ctx)
    dialog = SnippetsDialog(service)
    qtbot.addWidget(dialog)
    dialog.add_row(Snippet(SnippetKind.TEXT, "", "no name"))
    dialog.accept()
    assert "no name" in dialog.error.text().lower() and service.all() == []
    dialog.table.item(0, 1).setText("Sign-off")
    dialog.accept()
    assert service.all() == [Snippet(SnippetKind.TEXT, "Sign-off", "no name")]


HEADER = "account,text,at,image,alt_text,first_comment,link"


def _csv(folder: Path, bad: bool) -> Path:
    (folder / "pics").mkdir(exist_ok=True)
    make_image(folder / "pics" / "bread.jpg")
    day = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    lines = [HEADER]
    for n in range(20):
        at = f"{day}T{8 + n % 10:02d}:{(n * 7) % 60:02d}"
        if n == 5:
            lines.append(f"{BAKERY_IG},Instagram post {n},{at},{'' if bad else 'pics/bread.jpg'},,,")
        elif n % 4 == 0:
            lines.append(f"{BAKERY_IG},Photo {n} #bakery,{at},pics/bread.jpg,,,")
        else:
            lines.append(f"{BAKERY_PAGE},Post {n},{at},,,,")
    path = folder / "plan.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_previews_a_bad_file_writes_nothing_then_imports_the_fixed_one_and_export_round_trips(
    qtbot: Any, window: MainWindow, ctx: Context, connected: list[Account], tmp_path: Path
) -> None:
    path = _csv(tmp_path, bad=True)
    dialog = ImportDialog(window.controller, path, window)
    qtbot.addWidget(dialog)
    assert list(dialog.bad_lines()) == [7]  # the header is line 1: the sixth post is on line 7
    assert "Instagram" in dialog.bad_lines()[7]
    assert not dialog.import_button.isEnabled()
    row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "7")
    assert "Instagram" in dialog.table.item(row, 5).text() and dialog.table.rowCount() == 20
    dialog.import_button.click()
    assert ctx.repo.items() == []  # nothing written
    _csv(tmp_path, bad=False)
    dialog.recheck_button.click()
    assert dialog.bad_lines() == {} and dialog.import_button.isEnabled()
    assert "20 posts" in dialog.import_button.text()
    dialog.import_button.click()
    items = ctx.repo.items()
    assert len(items) == 20 and len(dialog.imported) == 20
    exported = tmp_path / "out" / "again.csv"
    exported.parent.mkdir()
    assert window.export_posts(str(exported)) == 20
    plan = CsvService(ctx).check(exported)
    assert plan.problems == [] and plan.posts == 20
    before = sorted((i.account_id, i.text, i.scheduled_at) for i in items)
    again = sorted((p.account_refs[0], p.text, p.when) for p, _a, _i in plan.ready)
    ext = {a.id: a.external_id for a in ctx.repo.accounts()}
    assert [(ext[a], t, w) for a, t, w in before] == again


def test_import_of_an_unreadable_file_says_why(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("who,what\nx,y\n", encoding="utf-8")
    dialog = ImportDialog(window.controller, path, window)
    qtbot.addWidget(dialog)
    assert "unknown column" in dialog.table.item(0, 5).text() and not dialog.import_button.isEnabled()
