"""The Composer's live preview: a Facebook card (text, image grid or link card), an Instagram feed card, and the X
and Google Business Profile cards (composer_preview_cards)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from autoposter_gui.domain.models import MediaKind, MediaRef, Platform
from autoposter_gui.ui import icons
from autoposter_gui.ui.media_strip import cover
from autoposter_gui.ui.thumbnails import ThumbnailLoader
from autoposter_gui.ui.widgets import heading

CARD_WIDTH = 250
MEDIA_WIDTH = CARD_WIDTH - 2
IG_CAPTION_CUT = 125  # Instagram's feed shows this many characters, then "… more"
FB_TEXT_CUT = 480  # and Facebook "… See more" after about this many
MORE = "… more"
Cell = tuple[float, float, float, float]


def instagram_caption(text: str, cut: int = IG_CAPTION_CUT) -> str:
    """The caption as Instagram's feed shows it: the first ``cut`` characters, then "… more"."""
    text = text.strip()
    return text if len(text) <= cut else text[:cut].rstrip() + MORE


def facebook_text(text: str, cut: int = FB_TEXT_CUT) -> str:
    text = text.strip()
    return text if len(text) <= cut else text[:cut].rstrip() + "… See more"


def instagram_ratio(width: int, height: int) -> float:
    """Width / height of Instagram's feed frame for a first image or video: 4:5 when it is portrait, else square."""
    return 4 / 5 if height > width else 1.0


def facebook_ratio(width: int, height: int) -> float:
    """One picture on Facebook keeps its shape, within 4:5 portrait and 1.91:1 landscape."""
    return min(max(width / height, 4 / 5), 1.91) if width > 0 and height > 0 else 1.0


def grid_cells(count: int) -> list[Cell]:
    """Facebook's photo grid for ``count`` photos, as (x, y, w, h) fractions: up to 5 cells (then "+N")."""
    if count <= 1:
        return [(0, 0, 1, 1)]
    if count == 2:
        return [(0, 0, 0.5, 1), (0.5, 0, 0.5, 1)]
    if count == 3:
        return [(0, 0, 1, 0.6), (0, 0.6, 0.5, 0.4), (0.5, 0.6, 0.5, 0.4)]
    if count == 4:
        return [(0, 0, 0.5, 0.5), (0.5, 0, 0.5, 0.5), (0, 0.5, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5)]
    third = 1 / 3
    return [(0, 0, 0.5, 0.55), (0.5, 0, 0.5, 0.55)] + [(i * third, 0.55, third, 0.45) for i in range(3)]


def link_domain(link: str) -> str:
    """The site a link card names, in capitals as Facebook shows it: "EXAMPLE.COM"."""
    host = urlsplit(link.strip()).hostname or link.strip()
    return host.removeprefix("www.").upper()


class MediaCanvas(QWidget):
    """Pictures painted into cells (a grid, or one frame), "+N" on the last cell, ▶ and a length on a video."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: list[QImage | None] = []
        self.cells: list[Cell] = [(0, 0, 1, 1)]
        self.more = 0
        self.badge: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def show_media(
        self, images: list[QImage | None], cells: list[Cell], ratio: float, *, more: int = 0, badge: str | None = None
    ) -> None:
        self.images, self.cells, self.more, self.badge = images, cells, more, badge
        self.setFixedSize(MEDIA_WIDTH, round(MEDIA_WIDTH / ratio))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        width, height = self.width(), self.height()
        for index, (x, y, w, h) in enumerate(self.cells):
            rect = QRectF(x * width, y * height, w * width, h * height).adjusted(1, 1, -1, -1).toRect()
            image = self.images[index] if index < len(self.images) else None
            if image is None or image.isNull():
                painter.fillRect(rect, QColor("#e4e6eb"))
            else:
                painter.drawImage(rect.topLeft(), cover(image, rect.size()))
            if self.more and index == len(self.cells) - 1:
                painter.fillRect(rect, QColor(0, 0, 0, 110))
                font = QFont(self.font())
                font.setPointSizeF(font.pointSizeF() * 1.8)
                painter.setFont(font)
                painter.setPen(QColor("white"))
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), f"+{self.more}")
        if self.badge is not None:
            painter.setPen(QColor("white"))
            box = QRectF(0, height - 24, width, 24).toRect()
            painter.fillRect(box, QColor(0, 0, 0, 140))
            painter.drawText(box.adjusted(8, 0, -8, 0), int(Qt.AlignmentFlag.AlignVCenter), f"▶  {self.badge}")
        painter.end()


def _card(parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(parent)
    card.setObjectName("card")
    card.setStyleSheet("QFrame#card { background: white; border: 1px solid #dadce0; border-radius: 6px; }")
    card.setFixedWidth(CARD_WIDTH)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(0, 8, 0, 8)
    layout.setSpacing(6)
    return card, layout


def _text(parent: QWidget, *, rich: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setContentsMargins(10, 0, 10, 0)
    label.setStyleSheet("color: #1c1e21; background: transparent; border: none;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


class PostPreview(QWidget):
    """Both cards side by side (one above the other when narrow); only the ticked networks' cards (both when
    none is ticked)."""

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.facebook, fb = _card(self)
        self.fb_name = _text(self.facebook, rich=True)
        self.fb_text = _text(self.facebook)
        self.fb_media = MediaCanvas(self.facebook)
        self.link_card = QFrame(self.facebook)
        self.link_card.setStyleSheet("QFrame { background: #f0f2f5; border: none; }")
        link_layout = QVBoxLayout(self.link_card)
        link_layout.setContentsMargins(10, 8, 10, 8)
        self.link_domain = _text(self.link_card)
        self.link_domain.setContentsMargins(0, 0, 0, 0)
        self.link_domain.setStyleSheet("color: #65676b; background: transparent; border: none;")
        self.link_url = _text(self.link_card)
        self.link_url.setContentsMargins(0, 0, 0, 0)
        self.link_url.setStyleSheet("color: #1c1e21; font-weight: bold; background: transparent; border: none;")
        link_layout.addWidget(self.link_domain)
        link_layout.addWidget(self.link_url)
        for widget in (self.fb_name, self.fb_text, self.fb_media, self.link_card):
            fb.addWidget(widget)
        fb.addStretch(1)

        self.instagram, ig = _card(self)
        self.ig_name = _text(self.instagram, rich=True)
        self.ig_media = MediaCanvas(self.instagram)
        self.dots = QLabel(self.instagram)
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setStyleSheet(f"color: {icons.BLUE}; background: transparent; border: none;")
        self.ig_caption = _text(self.instagram, rich=True)
        for widget in (self.ig_name, self.ig_media, self.dots, self.ig_caption):
            ig.addWidget(widget)
        ig.addStretch(1)

        from autoposter_gui.ui.composer_preview_cards import GoogleCard, XCard  # they build on this module's parts

        self.x_card = XCard(self)
        self.google_card = GoogleCard(self)
        self.x_card.hide()
        self.google_card.hide()
        self.all_cards: list[QWidget] = [self.facebook, self.instagram, self.x_card, self.google_card]
        self.cards = QGridLayout()  # the shown cards, as many side by side as the width holds
        self.cards.setContentsMargins(0, 0, 0, 0)
        self._columns = 0
        self._placed: list[QWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Preview", self, scale=1.0))
        layout.addLayout(self.cards)
        self.setMinimumWidth(CARD_WIDTH)
        self._dots = 0
        self._caption = ""
        self._arrange()

    def sizeHint(self) -> QSize:
        return QSize(CARD_WIDTH, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Lay the shown cards out in rows, as many side by side as the width holds."""
        shown = [card for card in self.all_cards if not card.isHidden()]
        step = CARD_WIDTH + max(self.cards.horizontalSpacing(), 0)
        columns = max(1, min(len(shown), (self.width() + max(self.cards.horizontalSpacing(), 0)) // step))
        if columns == self._columns and shown == self._placed:
            return
        for card in self.all_cards:
            self.cards.removeWidget(card)
        for n, card in enumerate(shown):
            self.cards.addWidget(
                card, n // columns, n % columns, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
            )
        for column in range(len(self.all_cards) + 1):
            self.cards.setColumnStretch(column, 1 if column == columns else 0)
        self._columns, self._placed = columns, shown

    def show_post(
        self,
        text: str,
        media: Sequence[MediaRef],
        link: str | None,
        platforms: set[Platform],
        names: tuple[str, str] = ("Your Page", "your.account"),
    ) -> None:
        """Redraw both cards for this post (thumbnails not decoded yet show grey, and are drawn when they come)."""
        page, username = names
        self.facebook.setVisible(Platform.FACEBOOK in platforms or not platforms)
        self.instagram.setVisible(Platform.INSTAGRAM in platforms or not platforms)
        thumbs = [self.loader.get(m.path) for m in media]
        images = [t.image if t is not None else None for t in thumbs]
        video = bool(media) and media[0].kind is MediaKind.VIDEO
        badge = (thumbs[0].duration or "") if video and thumbs[0] is not None else ("" if video else None)
        first = images[0] if images else None
        size = (first.width(), first.height()) if first is not None and not first.isNull() else (1, 1)

        self.fb_name.setText(f"<b>{_escape(page)}</b><br><span style='color:#65676b'>Just now</span>")
        self.fb_text.setText(facebook_text(text))
        self.fb_text.setVisible(bool(text.strip()))
        shown = images[:5]
        cells: list[Cell] = grid_cells(len(media)) if not video else [(0.0, 0.0, 1.0, 1.0)]
        ratio = facebook_ratio(*size) if len(media) == 1 else 1.0
        self.fb_media.show_media(shown, cells, ratio, more=max(len(media) - 5, 0), badge=badge)
        self.fb_media.setVisible(bool(media))
        self.link_card.setVisible(bool(link) and not media)
        if link:
            self.link_domain.setText(link_domain(link))
            self.link_url.setText(link.strip())

        self.ig_name.setText(f"<b>{_escape(username)}</b>")
        self.ig_media.show_media(images[:1], [(0, 0, 1, 1)], instagram_ratio(*size), badge=badge)
        self._dots = len(media) if len(media) > 1 and not video else 0
        self.dots.setText("  ".join(["●"] + ["○"] * (self._dots - 1)) if self._dots else "")
        self.dots.setVisible(bool(self._dots))
        self._caption = instagram_caption(text)
        cut = self._caption.endswith(MORE) and len(text.strip()) > IG_CAPTION_CUT
        body = _escape(self._caption[: -len(MORE)] if cut else self._caption)
        more = "<span style='color:#8e8e8e'>… more</span>" if cut else ""
        self.ig_caption.setText(f"<b>{_escape(username)}</b> {body}{more}")
        self._arrange()

    def show_networks(
        self,
        text: str,
        media: Sequence[MediaRef],
        platforms: set[Platform],
        who: tuple[str, str] = ("Your name", "you"),
        place: str = "Your business",
        options: Mapping[str, str | None] | None = None,
    ) -> None:
        """Redraw the X card (name and @username) and the Google card (the location and the post's options), each
        shown while its network is ticked; then lay out the shown cards."""
        from autoposter_gui.ui.composer_preview_cards import show_network_cards

        self.x_card.setVisible(Platform.X in platforms)
        self.google_card.setVisible(Platform.GOOGLE in platforms)
        thumbs = [self.loader.get(m.path) for m in media]
        images = [t.image if t is not None else None for t in thumbs]
        video = bool(media) and media[0].kind is MediaKind.VIDEO
        badge = (thumbs[0].duration or "") if video and thumbs[0] is not None else ("" if video else None)
        kinds = [m.kind for m in media]
        show_network_cards(self.x_card, self.google_card, text, images, kinds, badge, who, place, options or {})
        self._arrange()

    def dots_count(self) -> int:
        """How many carousel dots the Instagram card shows (0: not a carousel)."""
        return self._dots

    def instagram_caption_text(self) -> str:
        """The Instagram card's caption as plain text (without the user name)."""
        return self._caption


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
