"""On-screen keypads: digits for the 4-digit PINs, digits and A–Z for the signature PIN.

The keys never take the keyboard focus, so typing on a physical keyboard and
tapping keys feed the same :class:`~gui.widgets.pin_field.PinField`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from . import style

_ALPHA_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


def _key(
    text: str, parent: QWidget, width: int = style.KEY_PX, height: int = style.KEY_PX
) -> QPushButton:
    b = QPushButton(text, parent)
    b.setProperty("role", "key")
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setFont(style.font(30, bold=True))
    b.setMinimumSize(width, height)
    b.setAutoRepeat(False)
    return b


class Keypad(QWidget):
    """Emits :attr:`key` with a character, :attr:`backspace` and :attr:`clear`."""

    key = Signal(str)
    backspace = Signal()
    clear = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._back: QPushButton | None = None
        self._clear: QPushButton | None = None
        self.keys: dict[str, QPushButton] = {}

    def _add_char(
        self, char: str, width: int = style.KEY_PX, height: int = style.KEY_PX
    ) -> QPushButton:
        b = _key(char, self, width, height)
        b.clicked.connect(lambda _checked=False, c=char: self.key.emit(c))
        self.keys[char] = b
        return b

    def _add_controls(
        self, width: int, height: int = style.KEY_PX
    ) -> tuple[QPushButton, QPushButton]:
        self._back = _key("⌫", self, width, height)
        self._back.clicked.connect(self.backspace.emit)
        self._clear = _key("", self, width, height)
        self._clear.setFont(style.font(style.SMALL_PX, bold=True))
        self._clear.clicked.connect(self.clear.emit)
        self.retranslate()
        return self._back, self._clear

    def retranslate(self) -> None:
        if self._back is not None:
            self._back.setAccessibleName(QCoreApplication.translate("Keypad", "Delete"))
            self._back.setToolTip(QCoreApplication.translate("Keypad", "Delete"))
        if self._clear is not None:
            self._clear.setText(QCoreApplication.translate("Keypad", "Clear"))


class NumericKeypad(Keypad):
    """1–9 over Clear 0 ⌫, large keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(12)
        grid.setContentsMargins(0, 0, 0, 0)
        w, h = 104, 80
        for i, c in enumerate("123456789"):
            grid.addWidget(self._add_char(c, w, h), i // 3, i % 3)
        back, clear = self._add_controls(w, h)
        grid.addWidget(clear, 3, 0)
        grid.addWidget(self._add_char("0", w, h), 3, 1)
        grid.addWidget(back, 3, 2)


class AlphanumericKeypad(Keypad):
    """Digits and A–Z in keyboard order, with ⌫ and Clear."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setSpacing(6)
        rows.setContentsMargins(0, 0, 0, 0)
        back, clear = self._add_controls(style.KEY_PX * 2)
        for n, chars in enumerate(_ALPHA_ROWS):
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addStretch(1)
            if n == 3:
                row.addWidget(clear)
            for c in chars:
                row.addWidget(self._add_char(c))
            if n == 3:
                row.addWidget(back)
            row.addStretch(1)
            rows.addLayout(row)
