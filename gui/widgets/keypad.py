"""On-screen keypads: digits for the 4-digit PINs, digits and A–Z for the signature PIN.

The keys never take the keyboard focus, so typing on a physical keyboard and
tapping keys feed the same :class:`~gui.widgets.pin_field.PinField`. The
letters come in alphabetical order (as on public kiosks) or in keyboard
(QWERTY) order; a key on the pad switches. ⌫ is labelled in words, and Clear
sits apart from the letters (first in the digit row's corner on the number
pad, at the right end of the control row on the letter pad).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from . import style

ABC_ROWS: Final = ("1234567890", "ABCDEFGHIJ", "KLMNOPQRS", "TUVWXYZ")
QWERTY_ROWS: Final = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


def key_button(
    text: str, parent: QWidget, width: int = style.KEY_PX, height: int = style.KEY_PX
) -> QPushButton:
    """A key: never takes the focus (no focus ring that could look like a selection)."""
    b = QPushButton(text, parent)
    b.setProperty("role", "key")
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setFont(style.font(30, bold=True))
    b.setMinimumSize(width, height)
    b.setAutoRepeat(False)
    b.setAutoDefault(False)
    return b


def control_button(
    text: str, parent: QWidget, width: int, height: int = style.KEY_PX
) -> QPushButton:
    """A key with a word on it (Delete, Clear, a mode)."""
    b = key_button(text, parent, width, height)
    b.setProperty("role", "key-control")
    b.setFont(style.font(style.SMALL_PX, bold=True))
    return b


class Keypad(QWidget):
    """Emits :attr:`key` with a character, :attr:`backspace` and :attr:`clear`."""

    key = Signal(str)
    backspace = Signal()
    clear = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.back: QPushButton | None = None
        self.clear_key: QPushButton | None = None
        self.keys: dict[str, QPushButton] = {}

    def _add_char(
        self, char: str, width: int = style.KEY_PX, height: int = style.KEY_PX
    ) -> QPushButton:
        b = key_button(char, self, width, height)
        b.clicked.connect(lambda _checked=False, c=char: self.key.emit(c))
        self.keys[char] = b
        return b

    def _add_controls(
        self, width: int, height: int = style.KEY_PX
    ) -> tuple[QPushButton, QPushButton]:
        self.back = control_button("", self, width, height)
        self.back.clicked.connect(self.backspace.emit)
        self.clear_key = control_button("", self, width, height)
        self.clear_key.clicked.connect(self.clear.emit)
        return self.back, self.clear_key

    def retranslate(self) -> None:
        if self.back is not None:
            delete = QCoreApplication.translate("Keypad", "Delete")
            self.back.setText(f"⌫ {delete}")
            self.back.setAccessibleName(delete)
        if self.clear_key is not None:
            self.clear_key.setText(QCoreApplication.translate("Keypad", "Clear"))


class NumericKeypad(Keypad):
    """1–9 over Clear 0 ⌫, large keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(12)
        grid.setContentsMargins(0, 0, 0, 0)
        w, h = 104, 76
        for i, c in enumerate("123456789"):
            grid.addWidget(self._add_char(c, w, h), i // 3, i % 3)
        back, clear = self._add_controls(w, h)
        grid.addWidget(clear, 3, 0)
        grid.addWidget(self._add_char("0", w, h), 3, 1)
        grid.addWidget(back, 3, 2)
        self.retranslate()


class AlphanumericKeypad(Keypad):
    """Digits and A–Z in alphabetical (default) or keyboard order. The controls sit at the
    right, after a gap: Clear at the top right, ⌫ under it, the order switch under that —
    none of them next to a letter (Clear is far from Z)."""

    def __init__(self, parent: QWidget | None = None, *, order: str = "abc") -> None:
        super().__init__(parent)
        self.order = ""
        self._grid = QGridLayout(self)
        self._grid.setSpacing(6)
        self._grid.setContentsMargins(0, 0, 0, 0)
        for c in "".join(ABC_ROWS):
            self._add_char(c)
        self.order_key = control_button("", self, style.KEY_PX * 2)
        self.order_key.clicked.connect(self.toggle_order)
        back, clear = self._add_controls(style.KEY_PX * 2)
        gap = 10
        self._grid.setColumnMinimumWidth(gap, style.KEY_PX // 3)
        self._grid.addWidget(clear, 0, gap + 1)
        self._grid.addWidget(back, 1, gap + 1)
        self._grid.addWidget(self.order_key, 2, gap + 1)
        self.set_order(order)

    def set_order(self, order: str) -> None:
        """``"abc"`` (alphabetical) or ``"qwerty"``."""
        if order == self.order:
            return
        self.order = order
        table = QWERTY_ROWS if order == "qwerty" else ABC_ROWS
        for b in self.keys.values():
            self._grid.removeWidget(b)
        for r, chars in enumerate(table):
            for c, ch in enumerate(chars):
                self._grid.addWidget(self.keys[ch], r, c)
        self.retranslate()

    def toggle_order(self) -> None:
        self.set_order("abc" if self.order == "qwerty" else "qwerty")

    def retranslate(self) -> None:
        super().retranslate()
        self.order_key.setText(
            QCoreApplication.translate("Keypad", "QWERTY order")
            if self.order == "abc"
            else QCoreApplication.translate("Keypad", "ABC order")
        )
