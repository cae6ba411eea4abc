"""A masked PIN entry: the buffer lives here only until it is submitted or wiped."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from jpki.layout import PinKind
from jpki.pins import is_valid_pin

from . import style

_SIGN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_DIGITS = frozenset("0123456789")


class PinField(QWidget):
    """Shows one dot per character typed, never the characters.

    Takes digits (and, for the signature PIN, letters, upper-cased as typed)
    from the physical keyboard and from an on-screen keypad (:meth:`append`).
    Enter emits :attr:`submitted`; Escape and Tab pass on to the window.
    """

    changed = Signal()
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buffer: list[str] = []
        self._kind = PinKind.AUTH
        self._alphabet = _DIGITS
        self._max = 4
        self.placeholder = ""  # shown in the empty signature-PIN box (its rule)
        self.hint = ""  # shown after the dots (e.g. "add a digit")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(80)
        self.setObjectName("pin-field")

    # -- configuration ---------------------------------------------------------------

    def configure(self, kind: PinKind) -> None:
        """Accept ``kind``'s characters and length; empties the buffer."""
        self._kind = kind
        if kind is PinKind.SIGN:
            self._alphabet, self._max = _SIGN_CHARS, 16
        else:
            self._alphabet, self._max = _DIGITS, 4
        self.clear()

    @property
    def kind(self) -> PinKind:
        return self._kind

    @property
    def max_length(self) -> int:
        return self._max

    # -- the buffer ----------------------------------------------------------------------

    def length(self) -> int:
        """How many characters are typed (no ``__len__``: an empty field must stay truthy)."""
        return len(self._buffer)

    def reveal(self) -> str:
        """The PIN typed so far (to hand to a :class:`gui.flow.Secret`, then :meth:`clear`)."""
        return "".join(self._buffer)

    def is_complete(self) -> bool:
        return is_valid_pin(self._kind, self.reveal())

    def append(self, char: str) -> None:
        char = char.upper() if self._kind is PinKind.SIGN else char
        if len(char) != 1 or char not in self._alphabet or len(self._buffer) >= self._max:
            return
        self._buffer.append(char)
        self._changed()

    def backspace(self) -> None:
        if self._buffer:
            self._buffer.pop()
            self._changed()

    def clear(self) -> None:
        self._buffer.clear()
        self._changed()

    def _changed(self) -> None:
        n = len(self._buffer)
        self.setAccessibleDescription(
            QCoreApplication.translate("PinField", "{count} characters entered").format(count=n)
        )
        self.update()
        self.changed.emit()

    # -- events ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            return
        if key == Qt.Key.Key_Backspace:
            self.backspace()
            return
        if key == Qt.Key.Key_Delete:
            self.clear()
            return
        text = event.text()
        if (
            len(text) == 1
            and text.isprintable()
            and not event.modifiers()
            & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            self.append(text)
            return
        super().keyPressEvent(event)  # Escape, Tab, arrows: to the parents

    def sizeHint(self) -> QSize:
        return QSize(560, 80)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        focused = self.hasFocus()
        ink = QColor(style.INK)
        frame = QColor(style.PRIMARY if focused else style.LINE)
        h = self.height() - 8
        n = len(self._buffer)
        zoom = self.height() / 80  # > 1 when the kiosk is scaled up (gui.widgets.scaling)
        if self._max == 4:
            box = min(h, 76 * zoom)
            gap = 20 * zoom
            total = 4 * box + 3 * gap
            x0 = (self.width() - total) / 2
            for i in range(4):
                r = QRectF(x0 + i * (box + gap), 4, box, box)
                p.setPen(QPen(frame, 5 if focused and i == n else 3))
                p.setBrush(QColor(style.PAPER))
                p.drawRoundedRect(r, 10, 10)
                if i < n:
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(ink)
                    p.drawEllipse(r.center(), box / 6, box / 6)
        else:
            r = QRectF(4, 4, self.width() - 8, h)
            p.setPen(QPen(frame, 5 if focused else 3))
            p.setBrush(QColor(style.PAPER))
            p.drawRoundedRect(r, 10, 10)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(ink)
            step = min(34.0 * zoom, (r.width() - 40) / 16)
            dot = 9 * zoom
            for i in range(n):
                p.drawEllipse(
                    QRectF(
                        r.left() + 24 + i * step, r.center().y() - dot, 2 * dot, 2 * dot
                    ).center(),
                    dot,
                    dot,
                )
            x = r.left() + 24 + n * step
            if focused:  # the caret
                p.setBrush(QColor(style.PRIMARY))
                p.drawRect(QRectF(x, r.top() + 16, 4, r.height() - 32))
            text = self.placeholder if n == 0 else self.hint
            if text:
                p.setFont(style.font(round(style.SMALL_PX * zoom)))
                p.setPen(QColor("#3b4250"))
                area = QRectF(x + 20, r.top(), r.right() - x - 36, r.height())
                p.drawText(
                    area, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), text
                )
        p.end()
