"""What every screen has: a title, a body, a row of buttons; present, retranslate, wipe."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from jpki.birthdate import BirthDate
from jpki.layout import PinKind

from .. import texts
from ..flow import Back, Cancel, Event, Finish, Model, Screen
from ..widgets import Button, label, style

translate = QCoreApplication.translate


def format_date(d: date | BirthDate, language: str) -> str:
    """A date for a person; a birth date whose month or day the register does not know as
    ``1980年 月日不詳`` / ``1980, month and day unknown``."""
    if isinstance(d, BirthDate):
        whole = d.as_date()
        return (
            d.text(language if language in ("en", "ja") else "en")
            if whole is None
            else (texts.date_text(language, whole))
        )
    return texts.date_text(language, d)


def format_iso_date(text: str, language: str) -> str:
    try:
        return format_date(date.fromisoformat(text[:10]), language)
    except ValueError:
        return text


def pin_name(kind: PinKind) -> str:
    if kind is PinKind.AUTH:
        return translate("Pins", "user-authentication PIN")
    if kind is PinKind.SIGN:
        return translate("Pins", "signature PIN")
    return translate("Pins", "personal-information PIN")


def pin_rule(kind: PinKind) -> str:
    if kind is PinKind.SIGN:
        return translate("Pins", "6 to 16 letters A–Z and digits 0–9, at least one of each")
    return translate("Pins", "4 digits")


class KioskScreen(QWidget):
    """One screen of the flow. It shows a :class:`Model` and posts events, nothing more."""

    post = Signal(object)  # a gui.flow Event

    #: Escape on this screen: Cancel (start over) by default; Finish on the closing screens.
    escape_event: type[Cancel] | type[Finish] = Cancel
    #: Whether the header's Cancel button is offered on this screen.
    cancellable = True

    def __init__(self, screen: Screen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow_screen = screen
        self.setObjectName("screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName(screen.value)
        self.outer = QVBoxLayout(self)
        self.outer.setProperty("own_scale", True)  # resizeEvent sets its margins
        self.outer.setContentsMargins(56, 18, 56, 18)
        self.outer.setSpacing(14)
        self.title = label("", style.TITLE_PX, bold=True, role="title")
        self.title.setAccessibleName("title")
        self.outer.addWidget(self.title)
        # The body scrolls only when it cannot fit (a long text at the smallest size): then
        # nothing is cut off, and the action row below stays in view.
        self.body_area = QScrollArea(self)
        self.body_area.setObjectName("body")
        self.body_area.setWidgetResizable(True)
        self.body_area.setFrameShape(QFrame.Shape.NoFrame)
        self.body_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget(self.body_area)
        inner.setObjectName("screen")
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(12)
        self.body_area.setWidget(inner)
        QScroller.grabGesture(self.body_area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.outer.addWidget(self.body_area, 1)
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(24)
        self.outer.addLayout(self.action_row)
        self._primary: QPushButton | None = None
        self.model: Model | None = None

    # -- for subclasses ---------------------------------------------------------------------

    def add_primary(self, button: Button | None = None, *, stretch: bool = True) -> Button:
        """The screen's main button, at the right of the action row (after a stretch unless
        the row's own content stretches)."""
        b = button or Button("", self, role="primary")
        b.setMinimumWidth(320)
        if stretch:
            self.action_row.addStretch(1)
        self.action_row.addWidget(b)
        self._primary = b
        return b

    def add_back(self) -> Button:
        """A Back button at the left of the action row: one step back, nothing lost."""
        b = Button("", self)
        b.setAccessibleName("back")
        b.setMinimumWidth(160)
        b.clicked.connect(lambda: self.send(Back()))
        self.action_row.insertWidget(0, b)
        self.back = b
        return b

    @staticmethod
    def back_text() -> str:
        return translate("Screen", "Back")

    def primary(self) -> QPushButton | None:
        return self._primary

    def focus_target(self) -> QWidget | None:
        """The widget that gets the keyboard focus when the screen opens."""
        return self._primary

    # -- the interface the window uses --------------------------------------------------------

    def retranslate(self) -> None:
        """Set every fixed text in the current language."""

    def present(self, model: Model, entering: bool) -> None:
        """Show ``model``; ``entering`` when the screen has just become the current one."""
        self.model = model

    def wipe(self) -> None:
        """Forget everything entered: fields, choices, PIN buffers."""
        self.model = None

    def send(self, event: Event) -> None:
        self.post.emit(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Narrower margins on a short or narrow screen (1024×768, 1366×768)."""
        super().resizeEvent(event)
        scale = float(self.property("scaled") or 1.0)
        compact = event.size().height() < 860 * scale or event.size().width() < 1100 * scale
        x, y, gap = (round(v * scale) for v in ((32, 8, 8) if compact else (56, 18, 14)))
        if self.outer.spacing() != gap or self.outer.contentsMargins().left() != x:
            self.outer.setContentsMargins(x, y, x, y)
            self.outer.setSpacing(gap)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            b = self.primary()
            if b is not None and b.isEnabled() and b.isVisible():
                b.click()
                return
        super().keyPressEvent(event)


def heading(text: str = "") -> QLabel:
    return label(text, 30, bold=True)
