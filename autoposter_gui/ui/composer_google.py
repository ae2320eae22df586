"""The Composer's "Google post" group: a Google Business Profile post's type, button, event and offer fields."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from autoposter_gui.domain.post_options import FLAGS, normal_time
from autoposter_gui.ui.when_picker import date_format
from autoposter_gui.ui.widgets import MessageLabel

TYPES = (("Standard", "standard"), ("Event", "event"), ("Offer", "offer"))
BUTTONS = (
    ("None", ""),
    ("Learn more", "LEARN_MORE"),
    ("Book", "BOOK"),
    ("Order", "ORDER"),
    ("Shop", "SHOP"),
    ("Sign up", "SIGN_UP"),
    ("Call", "CALL"),
)
# Each option's name in the Composer (the core's messages name the CLI's flags: said with these words here).
LABELS = {
    "google_type": "Type",
    "button": "Button",
    "button_url": "Button link",
    "event_title": "Title",
    "event_start": "Starts",
    "event_end": "Ends",
    "offer_code": "Coupon code",
    "offer_terms": "Terms",
    "offer_url": "Redeem link",
}
CALL_NOTE = "Call dials the phone number on the business's Google profile."


def in_composer_words(message: str) -> str:
    """A core message naming the CLI's flags (--event-title…) said with the Composer's field names (“Title”…)."""
    for key in sorted(FLAGS, key=lambda k: -len(FLAGS[k])):  # --button-url before --button
        message = re.sub(re.escape(FLAGS[key]) + r"(?![\w-])", f"“{LABELS[key]}”", message)
    for label, code in BUTTONS[1:]:
        message = message.replace(f"“Button” {code}", f"“Button” {label}")
    return message


def _line(parent: QWidget, placeholder: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def _date_time(parent: QWidget) -> QDateTimeEdit:
    edit = QDateTimeEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(f"{date_format()} {QLocale().timeFormat(QLocale.FormatType.ShortFormat)}")
    edit.setToolTip("Local time at the business, sent to Google as written")
    return edit


def _naive(edit: QDateTimeEdit) -> datetime:
    d, t = edit.date(), edit.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def _set_naive(edit: QDateTimeEdit, value: datetime) -> None:
    edit.setDateTime(QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute)))


class GoogleFields(QGroupBox):
    """Type (Standard / Event / Offer), a button and its link, an event's title and times, an offer's code, terms
    and link: each row shown only when it fits the type, each with its problems under it. ``flags`` gives them as
    the engine's PostRequest.options takes them."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Google post", parent)
        self.type_combo = QComboBox(self)
        for label, value in TYPES:
            self.type_combo.addItem(label, value)
        self.button_combo = QComboBox(self)
        for label, value in BUTTONS:
            self.button_combo.addItem(label, value)
        self.button_url = _line(self, "https://… (the page the button opens)")
        self.event_title = _line(self, "e.g. Tasting night")
        self.event_start, self.event_end = _date_time(self), _date_time(self)
        self.offer_code = _line(self, "Optional, e.g. BREAD10")
        self.offer_terms = _line(self, "Optional, e.g. One per customer")
        self.offer_url = _line(self, "Optional: https://… where it is redeemed online")
        self.call_note = QLabel(CALL_NOTE, self)
        self.call_note.setWordWrap(True)
        self.inputs: dict[str, QWidget] = {
            "google_type": self.type_combo,
            "button": self.button_combo,
            "button_url": self.button_url,
            "event_title": self.event_title,
            "event_start": self.event_start,
            "event_end": self.event_end,
            "offer_code": self.offer_code,
            "offer_terms": self.offer_terms,
            "offer_url": self.offer_url,
        }
        self.errors: dict[str, MessageLabel] = {key: MessageLabel(self) for key in self.inputs}
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rows: dict[str, QWidget] = {}  # each option's field with its problems under it
        self._labels: dict[str, QLabel] = {}
        for key, field in self.inputs.items():
            cell = QWidget(self)
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            if key == "event_start" or key == "event_end":
                row = QHBoxLayout()
                row.addWidget(field)
                row.addStretch(1)
                column.addLayout(row)
            else:
                column.addWidget(field)
            if key == "button":
                column.addWidget(self.call_note)
            column.addWidget(self.errors[key])
            name = QLabel(f"{LABELS[key]}:", self)
            name.setBuddy(field)
            self.form.addRow(name, cell)
            self.rows[key], self._labels[key] = cell, name
        self._labels["google_type"].setText("T&ype:")
        self.type_combo.currentIndexChanged.connect(self._shape)
        self.button_combo.currentIndexChanged.connect(self._shape)
        for edit in (self.button_url, self.event_title, self.offer_code, self.offer_terms, self.offer_url):
            edit.textChanged.connect(self.changed)
        for when in (self.event_start, self.event_end):
            when.dateTimeChanged.connect(self.changed)
        self._shape()

    # ----- the fields that fit the type ----------------------------------------------------------------
    def google_type(self) -> str:
        return str(self.type_combo.currentData())

    def button(self) -> str:
        return str(self.button_combo.currentData()) if self.google_type() != "offer" else ""

    def visible_keys(self) -> list[str]:
        """The options shown for the chosen type and button."""
        kind, button = self.google_type(), self.button()
        keys = ["google_type"]
        if kind != "offer":  # Google shows no button on an offer: its link is the redeem link
            keys.append("button")
            if button and button != "CALL":
                keys.append("button_url")
        if kind in ("event", "offer"):
            keys += ["event_title", "event_start", "event_end"]
        if kind == "offer":
            keys += ["offer_code", "offer_terms", "offer_url"]
        return keys

    def _shape(self) -> None:
        shown = set(self.visible_keys())
        for key in self.inputs:
            self.form.setRowVisible(self.rows[key], key in shown)
        self.call_note.setVisible(self.button() == "CALL")
        offer = self.google_type() == "offer"
        self._labels["event_title"].setText("Offer title:" if offer else "Title:")
        self.changed.emit()

    # ----- the options, as PostRequest.options takes them ----------------------------------------------
    def flags(self) -> dict[str, str | None]:
        """The options given for the shown fields (blank ones left out, so the core names what is missing); {} for
        a standard post without a button (Google's default: nothing to send)."""
        shown = self.visible_keys()
        flags: dict[str, str | None] = {}
        if self.google_type() != "standard":
            flags["google_type"] = self.google_type()
        if "button" in shown and self.button():
            flags["button"] = self.button()
        texts = {
            "button_url": self.button_url,
            "event_title": self.event_title,
            "offer_code": self.offer_code,
            "offer_terms": self.offer_terms,
            "offer_url": self.offer_url,
        }
        for key in shown:
            if key in texts and texts[key].text().strip():
                flags[key] = texts[key].text().strip()
            elif key in ("event_start", "event_end"):
                flags[key] = normal_time(_naive(self.event_start if key == "event_start" else self.event_end))
        return flags

    def set_flags(self, flags: Mapping[str, str | None]) -> None:
        """Show a stored post's options (``post_options.stored_flags``)."""
        kind = (flags.get("google_type") or "standard").lower()
        self.type_combo.setCurrentIndex(max(self.type_combo.findData(kind), 0))
        self.button_combo.setCurrentIndex(max(self.button_combo.findData((flags.get("button") or "").upper()), 0))
        for key, edit in (
            ("button_url", self.button_url),
            ("event_title", self.event_title),
            ("offer_code", self.offer_code),
            ("offer_terms", self.offer_terms),
            ("offer_url", self.offer_url),
        ):
            edit.setText(flags.get(key) or "")
        for key, when in (("event_start", self.event_start), ("event_end", self.event_end)):
            value = flags.get(key)
            if value:
                with contextlib.suppress(ValueError):  # a stored time is one the core wrote: always readable
                    _set_naive(when, datetime.fromisoformat(value))
        self._shape()

    def reset(self, now_local: datetime) -> None:
        """A standard post with no button; an event's times proposed for tomorrow evening."""
        self.set_flags({})
        start = (now_local + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
        _set_naive(self.event_start, start)
        _set_naive(self.event_end, start + timedelta(hours=3))
        self.clear_errors()

    def set_editable(self, editable: bool) -> None:
        for field in self.inputs.values():
            field.setEnabled(editable)

    # ----- problems --------------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()

    def show_errors(self, by_key: Mapping[str, list[str]]) -> None:
        for key, messages in by_key.items():
            self.errors[key].show_message("\n".join(in_composer_words(m) for m in messages))  # (said once: idempotent)

    def shown(self) -> dict[str, str]:
        return {key: label.text() for key, label in self.errors.items() if label.text()}
