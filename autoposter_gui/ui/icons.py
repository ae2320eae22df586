"""Icons: app, tray and queue status from the shipped files (resources.py); the rest painted with QPainter."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from autoposter_gui import resources
from autoposter_gui.domain.models import AccountStatus, AttemptOutcome, ItemStatus, Platform

Draw = Callable[[QPainter, float], None]
SIZES = (16, 20, 22, 24, 32, 48, 64, 128, 256)  # the app's and the tray's icons (window lists, docks, launchers)
# Icons inside the window (tabs, table rows, lists, checkboxes: 16-32 px, twice that on a HiDPI screen). The large
# sizes would be most of the drawing: a 256 px pixmap has 13× the pixels of every size up to 64 together.
UI_SIZES = tuple(size for size in SIZES if size <= 64)

BLUE = "#1a73e8"
GREEN = "#188038"
RED = "#d93025"
AMBER = "#e8a100"
ORANGE = "#e37400"
GREY = "#80868b"
LIGHT_GREY = "#a8adb3"
TEAL = "#00897b"
INK = "#5f6368"


def _pixmap(size: int, draw: Draw) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    draw(painter, float(size))
    painter.end()
    return pixmap


def _icon(draw: Draw, sizes: tuple[int, ...] = UI_SIZES) -> QIcon:
    icon = QIcon()
    for size in sizes:
        icon.addPixmap(_pixmap(size, draw))
    return icon


def _file_icon(name: str, fallback: Draw) -> QIcon:
    """One QIcon from every shipped file of icon ``name`` (its PNGs, or its SVG); painted if they can't load."""
    icon = QIcon()
    for path in resources.icon_files(name):
        icon.addFile(str(path))
    if icon.isNull() or icon.pixmap(16, 16).isNull():  # a file missing, or no SVG support in this Qt
        return _icon(fallback, SIZES)
    return icon


def _pen(color: str, width: float) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _disc(p: QPainter, s: float, color: str) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    m = s * 0.06
    p.drawEllipse(QRectF(m, m, s - 2 * m, s - 2 * m))


# ----- glyphs, drawn in white on a disc ------------------------------------------------------------


def _check(p: QPainter, s: float, color: str = "white") -> None:
    p.setPen(_pen(color, s * 0.12))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(s * 0.29, s * 0.52))
    path.lineTo(s * 0.44, s * 0.67)
    path.lineTo(s * 0.72, s * 0.36)
    p.drawPath(path)


def _cross(p: QPainter, s: float) -> None:
    p.setPen(_pen("white", s * 0.12))
    p.drawLine(QPointF(s * 0.34, s * 0.34), QPointF(s * 0.66, s * 0.66))
    p.drawLine(QPointF(s * 0.66, s * 0.34), QPointF(s * 0.34, s * 0.66))


def _clock(p: QPainter, s: float) -> None:
    p.setPen(_pen("white", s * 0.09))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(s * 0.25, s * 0.25, s * 0.5, s * 0.5))
    p.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.35))
    p.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.61, s * 0.57))


def _hourglass(p: QPainter, s: float) -> None:
    p.setPen(_pen("white", s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(s * 0.34, s * 0.28))
    path.lineTo(s * 0.66, s * 0.28)
    path.lineTo(s * 0.34, s * 0.72)
    path.lineTo(s * 0.66, s * 0.72)
    path.closeSubpath()
    p.drawPath(path)


def _pencil(p: QPainter, s: float) -> None:
    p.setPen(_pen("white", s * 0.13))
    p.drawLine(QPointF(s * 0.33, s * 0.67), QPointF(s * 0.64, s * 0.36))
    p.setPen(_pen("white", s * 0.05))
    p.drawLine(QPointF(s * 0.28, s * 0.72), QPointF(s * 0.31, s * 0.69))


def _minus(p: QPainter, s: float) -> None:
    p.setPen(_pen("white", s * 0.12))
    p.drawLine(QPointF(s * 0.32, s * 0.5), QPointF(s * 0.68, s * 0.5))


def _bang(p: QPainter, s: float) -> None:
    p.setPen(_pen("white", s * 0.12))
    p.drawLine(QPointF(s * 0.5, s * 0.28), QPointF(s * 0.5, s * 0.56))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    r = s * 0.065
    p.drawEllipse(QPointF(s * 0.5, s * 0.71), r, r)


def _arrows(p: QPainter, s: float) -> None:
    """Two chasing arcs: work in progress."""
    p.setPen(_pen("white", s * 0.09))
    p.setBrush(Qt.BrushStyle.NoBrush)
    r = s * 0.21
    centre = QPointF(s * 0.5, s * 0.5)
    p.drawArc(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r), 20 * 16, 140 * 16)
    p.drawArc(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r), 200 * 16, 140 * 16)
    for end in (160.0, 340.0):
        theta = math.radians(end)
        tip = QPointF(centre.x() + r * math.cos(theta), centre.y() - r * math.sin(theta))
        travel = (-math.sin(theta), -math.cos(theta))
        for turn in (math.radians(150), math.radians(-150)):
            dx = travel[0] * math.cos(turn) - travel[1] * math.sin(turn)
            dy = travel[0] * math.sin(turn) + travel[1] * math.cos(turn)
            p.drawLine(tip, QPointF(tip.x() + dx * s * 0.12, tip.y() + dy * s * 0.12))


def _badge(color: str, glyph: Callable[[QPainter, float], None]) -> Draw:
    def draw(p: QPainter, s: float) -> None:
        _disc(p, s, color)
        glyph(p, s)

    return draw


_STATUS_DRAW: dict[str, Draw] = {
    ItemStatus.DRAFT.value: _badge(GREY, _pencil),
    ItemStatus.SCHEDULED.value: _badge(BLUE, _clock),
    ItemStatus.PROCESSING.value: _badge(AMBER, _arrows),
    ItemStatus.POSTED.value: _badge(GREEN, _check),
    ItemStatus.FAILED.value: _badge(RED, _cross),
    ItemStatus.CANCELED.value: _badge(LIGHT_GREY, _minus),
    ItemStatus.MISSED.value: _badge(ORANGE, _bang),
}

_OUTCOME_DRAW: dict[str, Draw] = {
    AttemptOutcome.IN_FLIGHT.value: _badge(AMBER, _arrows),
    AttemptOutcome.SUCCEEDED.value: _badge(GREEN, _check),
    AttemptOutcome.RETRY_SCHEDULED.value: _badge(AMBER, _hourglass),
    AttemptOutcome.FAILED.value: _badge(RED, _cross),
    AttemptOutcome.RECONCILED.value: _badge(TEAL, _check),
}

_ACCOUNT_DRAW: dict[str, Draw] = {
    AccountStatus.CONNECTED.value: _badge(GREEN, _check),
    AccountStatus.NEEDS_ATTENTION.value: _badge(AMBER, _bang),
    AccountStatus.INVALID.value: _badge(RED, _bang),
    AccountStatus.DISCONNECTED.value: _badge(LIGHT_GREY, _minus),
    AccountStatus.CANNOT_POST.value: _badge(RED, _minus),  # no entry: the role can't create posts
}


@cache
def status_icon(status: str) -> QIcon:
    """A queue item's status, from ``resources/icons/scalable/status-<status>.svg``."""
    draw = _STATUS_DRAW.get(status, _badge(GREY, _minus))
    if status not in resources.STATUS_ICONS:
        return _icon(draw)
    return _file_icon(f"status-{status}", draw)


@cache
def outcome_icon(outcome: str) -> QIcon:
    return _icon(_OUTCOME_DRAW.get(outcome, _badge(GREY, _minus)))


@cache
def account_status_icon(status: str) -> QIcon:
    return _icon(_ACCOUNT_DRAW.get(status, _badge(GREY, _minus)))


@cache
def warning_icon() -> QIcon:
    return _icon(_badge(AMBER, _bang))


@cache
def error_icon() -> QIcon:
    return _icon(_badge(RED, _bang))


# ----- platforms -----------------------------------------------------------------------------------


def _rounded(p: QPainter, s: float, brush: QBrush | QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(brush)
    m = s * 0.06
    p.drawRoundedRect(QRectF(m, m, s - 2 * m, s - 2 * m), s * 0.22, s * 0.22)


def _facebook(p: QPainter, s: float) -> None:
    _rounded(p, s, QColor("#1877f2"))
    p.setPen(_pen("white", s * 0.13))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(s * 0.66, s * 0.24))
    path.lineTo(s * 0.6, s * 0.24)
    path.quadTo(QPointF(s * 0.47, s * 0.24), QPointF(s * 0.47, s * 0.38))
    path.lineTo(s * 0.47, s * 0.86)
    p.drawPath(path)
    p.drawLine(QPointF(s * 0.34, s * 0.48), QPointF(s * 0.64, s * 0.48))


def _instagram(p: QPainter, s: float) -> None:
    from PySide6.QtGui import QLinearGradient  # its class's enum types (180 gradient presets...): when first drawn

    gradient = QLinearGradient(QPointF(0, s), QPointF(s, 0))
    gradient.setColorAt(0.0, QColor("#feda75"))
    gradient.setColorAt(0.35, QColor("#fa7e1e"))
    gradient.setColorAt(0.6, QColor("#d62976"))
    gradient.setColorAt(1.0, QColor("#4f5bd5"))
    _rounded(p, s, QBrush(gradient))
    p.setPen(_pen("white", s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(s * 0.24, s * 0.24, s * 0.52, s * 0.52), s * 0.15, s * 0.15)
    p.drawEllipse(QPointF(s * 0.5, s * 0.5), s * 0.12, s * 0.12)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawEllipse(QPointF(s * 0.65, s * 0.35), s * 0.035, s * 0.035)


def _x(p: QPainter, s: float) -> None:
    """X's mark: a black tile, a broad stroke from top left to bottom right crossed by a thin one."""
    _rounded(p, s, QColor("#000000"))
    broad = QPainterPath(QPointF(s * 0.25, s * 0.25))
    broad.lineTo(s * 0.4, s * 0.25)
    broad.lineTo(s * 0.75, s * 0.75)
    broad.lineTo(s * 0.6, s * 0.75)
    broad.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawPath(broad)
    p.setPen(_pen("white", max(1.0, s * 0.065)))
    p.drawLine(QPointF(s * 0.72, s * 0.26), QPointF(s * 0.29, s * 0.74))


def _google(p: QPainter, s: float) -> None:
    """Google Business Profile's mark: a white shop front with a striped awning on a blue tile."""
    _rounded(p, s, QColor(BLUE))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    left, right, top = s * 0.22, s * 0.78, s * 0.24
    p.drawRect(QRectF(left, top, right - left, s * 0.12))  # the awning's top
    width = (right - left) / 3
    for i in range(3):  # its three scallops
        p.drawPie(QRectF(left + i * width, top + s * 0.02, width, s * 0.2), 180 * 16, 180 * 16)
    p.drawRect(QRectF(s * 0.27, s * 0.46, s * 0.46, s * 0.3))  # the shop
    p.setBrush(QColor(BLUE))
    p.drawRect(QRectF(s * 0.44, s * 0.56, s * 0.12, s * 0.2))  # its door
    stripes = ("#ea4335", "#fbbc04", "#34a853")
    for i, color in enumerate(stripes):  # Google's colours along the awning's edge
        p.setBrush(QColor(color))
        p.drawRect(QRectF(left + i * width, top, width, s * 0.04))


_PLATFORM_DRAWINGS: dict[str, Draw] = {
    Platform.FACEBOOK.value: _facebook,
    Platform.INSTAGRAM.value: _instagram,
    Platform.X.value: _x,
    Platform.GOOGLE.value: _google,
}


@cache
def platform_icon(platform: str) -> QIcon:
    """The network's mark for a platform value (an unknown one gets a neutral tile)."""
    return _icon(_PLATFORM_DRAWINGS.get(platform, _unknown_platform))


def _unknown_platform(p: QPainter, s: float) -> None:
    _rounded(p, s, QColor(GREY))


@cache
def network_icon(platforms: tuple[str, ...]) -> QIcon:
    """A network's icon for the Connect wizard: its platforms' marks side by side (Facebook & Instagram)."""
    drawings = [_PLATFORM_DRAWINGS.get(p, _unknown_platform) for p in platforms] or [_unknown_platform]
    if len(drawings) == 1:
        return _icon(drawings[0])

    def pair(p: QPainter, s: float) -> None:
        half = s * 0.62
        for i, draw in enumerate(drawings[:2]):
            p.save()
            p.translate(i * (s - half), i * (s - half))
            draw(p, half)
            p.restore()

    return _icon(pair)


# ----- the app and tray --------------------------------------------------------------------------


def _app(p: QPainter, s: float) -> None:
    from PySide6.QtGui import QLinearGradient

    gradient = QLinearGradient(QPointF(0, 0), QPointF(s, s))
    gradient.setColorAt(0.0, QColor("#2f80ed"))
    gradient.setColorAt(1.0, QColor("#00a389"))
    _rounded(p, s, QBrush(gradient))
    # A paper plane: the post on its way.
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    wing = QPainterPath(QPointF(s * 0.2, s * 0.5))
    wing.lineTo(s * 0.8, s * 0.24)
    wing.lineTo(s * 0.6, s * 0.8)
    wing.lineTo(s * 0.47, s * 0.58)
    wing.closeSubpath()
    p.drawPath(wing)
    p.setBrush(QColor(255, 255, 255, 170))
    fold = QPainterPath(QPointF(s * 0.47, s * 0.58))
    fold.lineTo(s * 0.8, s * 0.24)
    fold.lineTo(s * 0.45, s * 0.74)
    fold.closeSubpath()
    p.drawPath(fold)


def _with_corner(color: str, glyph: Callable[[QPainter, float], None] | None) -> Draw:
    def draw(p: QPainter, s: float) -> None:
        _app(p, s)
        d = s * 0.5
        p.save()
        p.translate(s - d, s - d)
        p.setPen(QPen(QColor("white"), max(1.0, s * 0.04)))
        p.setBrush(QColor(color))
        p.drawEllipse(QRectF(d * 0.04, d * 0.04, d * 0.92, d * 0.92))
        if glyph is not None:
            glyph(p, d)
        p.restore()

    return draw


def _pause_bars(p: QPainter, s: float) -> None:
    p.setPen(_pen("white", s * 0.13))
    p.drawLine(QPointF(s * 0.4, s * 0.32), QPointF(s * 0.4, s * 0.68))
    p.drawLine(QPointF(s * 0.6, s * 0.32), QPointF(s * 0.6, s * 0.68))


_TRAY_DRAW: dict[str, Draw] = {
    "idle": _app,
    "publishing": _with_corner(AMBER, _arrows),
    "paused": _with_corner(GREY, _pause_bars),
    "attention": _with_corner(RED, _bang),
}


@cache
def app_icon() -> QIcon:
    """The application icon, from the shipped PNGs (16 to 512 px)."""
    return _file_icon(resources.APP_ICON, _app)


@cache
def tray_icon(state: str = "idle", sandbox: bool = False) -> QIcon:
    """The tray icon: ``idle``, ``publishing``, ``paused`` or ``attention``, from the shipped PNGs. ``sandbox``: with
    an orange "S" tag in the top-left corner (the state's badge is bottom-right), so that a sandbox instance
    running beside the real one can be told apart."""
    name = resources.tray_icon_name(state if state in _TRAY_DRAW else "idle")
    icon = _file_icon(name, _TRAY_DRAW[name.removeprefix("tray-")])
    if not sandbox:
        return icon
    tagged = QIcon()
    for size in SIZES:
        pixmap = icon.pixmap(size, size)
        if pixmap.width() != size:  # no file that large: draw on a scaled copy
            pixmap = pixmap.scaled(size, size)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        _sandbox_tag(painter, float(size))
        painter.end()
        tagged.addPixmap(pixmap)
    return tagged


def _sandbox_tag(p: QPainter, s: float) -> None:
    d = s * 0.52
    p.setPen(QPen(QColor("white"), max(1.0, s * 0.04)))
    p.setBrush(QColor(ORANGE))
    p.drawRoundedRect(QRectF(s * 0.02, s * 0.02, d, d), d * 0.22, d * 0.22)
    from PySide6.QtGui import QFont  # its class's enum types: when a tagged icon or a placeholder is first drawn

    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, round(d * 0.78)))
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(s * 0.02, s * 0.02, d, d), Qt.AlignmentFlag.AlignCenter, "S")


# ----- tabs (monochrome outlines) -----------------------------------------------------------------


def _tab_compose(p: QPainter, s: float) -> None:
    p.setPen(_pen(INK, s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(s * 0.14, s * 0.2, s * 0.56, s * 0.66), s * 0.08, s * 0.08)
    p.setPen(_pen(BLUE, s * 0.12))
    p.drawLine(QPointF(s * 0.48, s * 0.6), QPointF(s * 0.84, s * 0.22))


def _tab_queue(p: QPainter, s: float) -> None:
    p.setPen(_pen(INK, s * 0.09))
    for y in (0.28, 0.5, 0.72):
        p.drawLine(QPointF(s * 0.36, s * y), QPointF(s * 0.84, s * y))
    p.setPen(_pen(BLUE, s * 0.13))
    for y in (0.28, 0.5, 0.72):
        p.drawPoint(QPointF(s * 0.18, s * y))


def _tab_activity(p: QPainter, s: float) -> None:
    p.setPen(_pen(INK, s * 0.09))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(s * 0.1, s * 0.55))
    path.lineTo(s * 0.3, s * 0.55)
    path.lineTo(s * 0.42, s * 0.22)
    path.lineTo(s * 0.58, s * 0.8)
    path.lineTo(s * 0.7, s * 0.45)
    path.lineTo(s * 0.9, s * 0.45)
    p.drawPath(path)


def _tab_accounts(p: QPainter, s: float) -> None:
    p.setPen(_pen(INK, s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(s * 0.5, s * 0.34), s * 0.15, s * 0.15)
    path = QPainterPath(QPointF(s * 0.2, s * 0.84))
    path.cubicTo(QPointF(s * 0.2, s * 0.56), QPointF(s * 0.8, s * 0.56), QPointF(s * 0.8, s * 0.84))
    p.drawPath(path)


def _tab_calendar(p: QPainter, s: float) -> None:
    p.setPen(_pen(INK, s * 0.08))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(s * 0.14, s * 0.2, s * 0.72, s * 0.64), s * 0.06, s * 0.06)
    p.drawLine(QPointF(s * 0.14, s * 0.38), QPointF(s * 0.86, s * 0.38))
    p.setPen(_pen(BLUE, s * 0.13))
    p.drawPoint(QPointF(s * 0.62, s * 0.62))


def _tab_insights(p: QPainter, s: float) -> None:
    p.setPen(_pen(INK, s * 0.08))
    p.drawLine(QPointF(s * 0.14, s * 0.86), QPointF(s * 0.86, s * 0.86))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(BLUE))
    for n, height in enumerate((0.3, 0.5, 0.38, 0.64)):
        p.drawRect(QRectF(s * (0.18 + n * 0.17), s * (0.8 - height), s * 0.11, s * height))


_TABS: dict[str, Draw] = {
    "composer": _tab_compose,
    "queue": _tab_queue,
    "calendar": _tab_calendar,
    "activity": _tab_activity,
    "accounts": _tab_accounts,
    "insights": _tab_insights,
}


@cache
def tab_icon(name: str) -> QIcon:
    return _icon(_TABS[name])


def _picture(p: QPainter, s: float) -> None:
    p.setPen(_pen(INK, s * 0.07))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(s * 0.12, s * 0.2, s * 0.76, s * 0.6), s * 0.08, s * 0.08)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(INK))
    hills = QPainterPath(QPointF(s * 0.18, s * 0.74))
    hills.lineTo(s * 0.4, s * 0.46)
    hills.lineTo(s * 0.54, s * 0.62)
    hills.lineTo(s * 0.64, s * 0.52)
    hills.lineTo(s * 0.82, s * 0.74)
    hills.closeSubpath()
    p.drawPath(hills)
    p.drawEllipse(QPointF(s * 0.66, s * 0.36), s * 0.06, s * 0.06)


@cache
def image_icon() -> QIcon:
    """A small picture glyph: the post has an image."""
    return _icon(_picture)


@cache
def image_placeholder(width: int, height: int, text: str = "No image") -> QPixmap:
    """A dashed drop-zone picture for the composer's thumbnail."""
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(LIGHT_GREY), 1.5, Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.setBrush(QColor(0, 0, 0, 8))
    p.drawRoundedRect(QRectF(1, 1, width - 2, height - 2), 8, 8)
    from PySide6.QtGui import QFont

    font = QFont()
    p.setFont(font)
    p.setPen(QColor(GREY))
    p.drawText(QRectF(0, 0, width, height), int(Qt.AlignmentFlag.AlignCenter), text)
    p.end()
    return pixmap
