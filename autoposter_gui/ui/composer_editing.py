"""Loading a queued post into the Composer, to edit it or to start a new one from it (Duplicate)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from autoposter_gui.domain.models import MediaKind, MediaRef
from autoposter_gui.domain.post_options import stored_flags
from autoposter_gui.engine.views import ItemView

if TYPE_CHECKING:
    from autoposter_gui.ui.composer_tab import ComposerTab

RICH_NOTE = " Its photos, video, comment and link stay as queued: Duplicate it to change them."
NO_LONGER_KEPT = "The image of that post is no longer kept: choose it again."


def stored_media(item: ItemView) -> list[MediaRef]:
    """A queued post's media in order: its ``media`` list, or the one image of ``image_path``."""
    refs = list(item.media)
    return refs or ([MediaRef(item.image_path)] if item.image_path else [])


def is_rich(media: Sequence[MediaRef], comment: str | None, link: str | None) -> bool:
    """Whether a post has more than the one plain image the engine's ``update`` can change."""
    plain = len(media) <= 1 and all(m.kind is MediaKind.IMAGE and not m.alt_text for m in media)
    return not plain or bool(comment) or bool(link)


def may_discard(parent: QWidget, then: str) -> bool:
    """Ask before unsaved work in the Composer is replaced; True when the owner lets it go."""
    answer = QMessageBox.question(
        parent,
        "Discard your draft?",
        f"The Composer has a post you have not saved. Discard it and {then}?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return bool(answer == QMessageBox.StandardButton.Discard)


def fill_from(tab: ComposerTab, item: ItemView, *, editing: bool) -> bool:
    """Put ``item``'s text, media, first comment, link and account into the (cleared) Composer. Editing keeps
    its stored copies as they are; a duplicate leaves out those already cleaned up (and says so). Returns whether
    the post is rich (more than the engine's ``update`` can change)."""
    tab.text_edit.setPlainText(item.text)
    refs = stored_media(item)
    kept = refs if editing else [ref for ref in refs if Path(ref.path).is_file()]
    tab.image_box.set_media(kept)
    if len(kept) < len(refs):  # the stored copy was cleaned up after the grace period
        tab.image_error.show_message(NO_LONGER_KEPT)
    tab.extras.comment_edit.setPlainText(item.first_comment or "")
    tab.extras.link_edit.setText(item.link or "")
    tab.set_selected_accounts([item.account_id])
    if not editing:  # a duplicate keeps a Google post's type, button, event and offer (an edit leaves them as stored)
        tab.carried_options = stored_flags(item.meta)
    return is_rich(refs, item.first_comment, item.link)
