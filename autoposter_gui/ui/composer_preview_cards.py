"""The Composer's X and Google Business Profile preview cards (the Facebook and Instagram ones: composer_preview)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from autoposter_gui.domain.models import MediaKind
from autoposter_gui.ui.composer_google import BUTTONS
from autoposter_gui.ui.composer_preview import Cell, MediaCanvas, _card, _escape, _text
from autoposter_gui.ui.when_picker import clock_text

X_BLUE = "#1d9bf0"
GOOGLE_BLUE = "#1a73e8"
GREY = "#65676b"
URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
X_URL_SHOWN = 23  # X shows a link without its scheme, cut after this many characters with "…"
GOOGLE_SUMMARY_CUT = 300  # Google's post card shows about this much, then "…"
BUTTON_LABELS = {code: label for label, code in BUTTONS if code} | {"CALL": "Call now"}


def x_link(url: str) -> str:
    """A link as X shows it in a post: no scheme nor "www.", cut with "…" when long ("example.com/spring-men…")."""
    shown = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    return shown if len(shown) <= X_URL_SHOWN else shown[: X_URL_SHOWN - 1] + "…"


def x_html(text: str) -> str:
    """The post's text as X shows it: plain text, each link shortened and blue."""
    text = text.strip()
    parts: list[str] = []
    last = 0
    for match in URL_RE.finditer(text):
        parts.append(_escape(text[last : match.start()]))
        parts.append(f"<span style='color:{X_BLUE}'>{_escape(x_link(match.group(0)))}</span>")
        last = match.end()
    parts.append(_escape(text[last:]))
    return "".join(parts)


def x_cells(count: int) -> list[Cell]:
    """X's photo grid for 1-4 photos, as (x, y, w, h) fractions: one; two side by side; one tall and two; 2×2."""
    if count <= 1:
        return [(0, 0, 1, 1)]
    if count == 2:
        return [(0, 0, 0.5, 1), (0.5, 0, 0.5, 1)]
    if count == 3:
        return [(0, 0, 0.5, 1), (0.5, 0, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5)]
    return [(0, 0, 0.5, 0.5), (0.5, 0, 0.5, 0.5), (0, 0.5, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5)]


def event_dates(start: str | None, end: str | None) -> str:
    """An event's period as Google's card shows it: "Sat, Dec 5, 6:00 PM – Sat, Dec 5, 9:00 PM" ("" without it)."""

    def one(value: str | None) -> str:
        try:
            moment = datetime.fromisoformat(value or "")
        except ValueError:
            return ""
        return f"{moment:%a, %b} {moment.day}, {clock_text(moment.hour, moment.minute)}"

    shown = [one(start), one(end)]
    return " – ".join(s for s in shown if s)


def _pill(parent: QWidget) -> QLabel:
    pill = QLabel(parent)
    pill.setAlignment(Qt.AlignmentFlag.AlignCenter)
    pill.setFixedHeight(28)
    pill.setStyleSheet(
        f"color: {GOOGLE_BLUE}; background: white; border: 1px solid #dadce0; border-radius: 13px; padding: 0 16px;"
    )
    return pill


def _framed(widget: QWidget) -> tuple[QFrame, QVBoxLayout]:
    """A preview card's frame filling ``widget``, and the frame's layout."""
    frame, layout = _card(widget)
    outer = QHBoxLayout(widget)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(frame)
    return frame, layout


class XCard(QWidget):
    """A post on X: the name and @username, the text with its links shortened, up to 4 images (or a video)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = _framed(self)
        self.frame = frame
        self.name = _text(frame, rich=True)
        self.text = _text(frame, rich=True)
        self.media = MediaCanvas(frame)
        for widget in (self.name, self.text, self.media):
            layout.addWidget(widget)
        layout.addStretch(1)

    def show_post(
        self, text: str, images: list[QImage | None], video: bool, badge: str | None, who: tuple[str, str]
    ) -> None:
        name, username = who
        self.name.setText(
            f"<b>{_escape(name)}</b> <span style='color:{GREY}'>@{_escape(username.lstrip('@'))} · now</span>"
        )
        self.text.setText(x_html(text))
        self.text.setVisible(bool(text.strip()))
        shown = images[:1] if video else images[:4]
        self.media.show_media(shown, x_cells(len(shown)), 16 / 9, badge=badge if video else None)
        self.media.setVisible(bool(images))


class GoogleCard(QWidget):
    """A Google Business Profile post: the location, its photo, an event's or offer's title and dates, the
    summary, an offer's code and terms, and the button as a pill."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = _framed(self)
        self.frame = frame
        self.name = _text(frame, rich=True)
        self.media = MediaCanvas(frame)
        self.title = _text(frame, rich=True)
        self.summary = _text(frame)
        self.code = _text(frame, rich=True)
        self.code.setStyleSheet("color: #1c1e21; background: transparent; border: none;")
        self.pill = _pill(frame)
        for widget in (self.name, self.media, self.title, self.summary, self.code):
            layout.addWidget(widget)
        pill_row = QHBoxLayout()
        pill_row.setContentsMargins(10, 2, 10, 0)
        pill_row.addWidget(self.pill)
        pill_row.addStretch(1)
        layout.addLayout(pill_row)
        layout.addStretch(1)

    def show_post(
        self, text: str, photo: QImage | None, has_photo: bool, place: str, options: Mapping[str, str | None]
    ) -> None:
        self.name.setText(f"<b>{_escape(place)}</b><br><span style='color:{GREY}'>Just now</span>")
        self.media.show_media([photo], [(0, 0, 1, 1)], 4 / 3)
        self.media.setVisible(has_photo)
        kind = (options.get("google_type") or "standard").lower()
        title = options.get("event_title") or ""
        dates = event_dates(options.get("event_start"), options.get("event_end"))
        lines = []
        if kind in ("event", "offer"):
            lines.append(f"<b>{_escape(title or ('Offer title' if kind == 'offer' else 'Event title'))}</b>")
            if dates:
                lines.append(f"<span style='color:{GREY}'>{_escape(dates)}</span>")
        self.title.setText("<br>".join(lines))
        self.title.setVisible(bool(lines))
        summary = text.strip()
        self.summary.setText(summary if len(summary) <= GOOGLE_SUMMARY_CUT else summary[:GOOGLE_SUMMARY_CUT] + "…")
        self.summary.setVisible(bool(summary))
        code, terms = options.get("offer_code"), options.get("offer_terms")
        offer: list[str] = []
        if kind == "offer" and code:
            offer.append(
                f"<span style='color:{GREY}'>Show this code at the store</span><br>"
                f"<b style='font-size:large'>{_escape(code)}</b>"
            )
        if kind == "offer" and terms:
            offer.append(f"<span style='color:{GREY}; font-size:small'>{_escape(terms)}</span>")
        self.code.setText("<br>".join(offer))
        self.code.setVisible(bool(offer))
        button = (options.get("button") or "").upper()
        if kind == "offer":
            label = "Redeem online" if options.get("offer_url") else ""
        else:
            label = BUTTON_LABELS.get(button, "")
        self.pill.setText(label)
        self.pill.setVisible(bool(label))


def show_network_cards(
    x_card: XCard,
    google_card: GoogleCard,
    text: str,
    images: list[QImage | None],
    media_kinds: Sequence[MediaKind],
    badge: str | None,
    who: tuple[str, str],
    place: str,
    options: Mapping[str, str | None],
) -> None:
    """Fill both cards (the caller shows the ticked networks' ones)."""
    video = bool(media_kinds) and media_kinds[0] is MediaKind.VIDEO
    x_card.show_post(text, images, video, badge, who)
    photo = images[0] if images and not video else None
    google_card.show_post(text, photo, bool(images) and not video, place, options)
