"""Small building blocks: labels with a role, buttons that Enter activates, option groups."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from . import style


def label(
    text: str = "",
    px: int = style.BODY_PX,
    *,
    bold: bool = False,
    role: str = "",
    parent: QWidget | None = None,
    wrap: bool = True,
    center: bool = False,
) -> QLabel:
    lab = QLabel(text, parent)
    lab.setFont(style.font(px, bold=bold))
    lab.setWordWrap(wrap)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        lab.setProperty("role", role)
    if center:
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    lab.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return lab


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's style role and re-apply the style sheet."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    font, smallest = widget.font(), widget.minimumSize()  # as scaled (gui.widgets.scaling)
    widget.style().unpolish(widget)  # the style sheet's unpolish restores the design font
    widget.style().polish(widget)
    widget.setFont(font)
    widget.setMinimumSize(smallest)


class Button(QPushButton):
    """A push button at least 64 px high that Enter and Return activate too."""

    def __init__(
        self, text: str = "", parent: QWidget | None = None, *, role: str = "", px: int = 0
    ) -> None:
        super().__init__(text, parent)
        if role:
            self.setProperty("role", role)
        self.setFont(style.font(px or style.BODY_PX, bold=role in ("primary", "header")))
        self.setMinimumHeight(64)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoDefault(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.isEnabled():
            self.click()
            return
        super().keyPressEvent(event)


class Choices(QWidget):
    """Exclusive options as big toggle buttons in a grid (radio buttons are too small).

    ``columns`` is the most columns; where the longest option does not fit that many side
    by side (long English names at 1024×768, a portrait screen), fewer are used, down to
    one, rather than pushing the grid wider than the screen (a kiosk never scrolls
    sideways)."""

    changed = Signal(str)

    def __init__(self, columns: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(12)
        # the widget's minimum is one column (minimumSizeHint), not the grid's
        self._grid.setSizeConstraint(QGridLayout.SizeConstraint.SetNoConstraint)
        self._columns = columns
        self._shown_columns = columns
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[str, Button] = {}  # offered now, in order
        self._pool: dict[str, Button] = {}  # every button made so far
        self._group.buttonClicked.connect(self._clicked)

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        """``(key, text)`` pairs; keeps the selection if its key is still offered.

        Buttons are made once per key and then shown or hidden, never deleted: the
        options change with every choice of certificate.
        """
        current = self.value()
        for b in self._buttons.values():
            self._grid.removeWidget(b)
            b.hide()
        self._buttons = {}
        for key, text in options:
            pooled = self._pool.get(key)
            if pooled is not None:
                b = pooled
            else:
                b = Button(text, self, role="choice")
                b.setCheckable(True)
                b.setProperty("key", key)
                b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                self._group.addButton(b)
                self._pool[key] = b
            b.setText(text)
            b.setAccessibleName(text)
            b.show()  # now, not queued: it may get the focus right away
            self._buttons[key] = b
        self._shown_columns = self._fitting_columns(self.width())
        self._place()
        if current in self._buttons:
            self._buttons[current].setChecked(True)
        elif current:
            self.clear_selection()

    def set_texts(self, texts: dict[str, str]) -> None:
        for key, text in texts.items():
            if key in self._buttons:
                self._buttons[key].setText(text)
                self._buttons[key].setAccessibleName(text)
        self._refit(self.width())

    def _widest(self) -> int:
        return max((b.sizeHint().width() for b in self._buttons.values()), default=0)

    def _fitting_columns(self, width: int) -> int:
        widest, spacing = self._widest(), self._grid.horizontalSpacing()
        if not widest or width <= 0:
            return self._columns
        return max(1, min(self._columns, (width + spacing) // (widest + spacing)))

    def _place(self) -> None:
        for b in self._buttons.values():
            self._grid.removeWidget(b)
        cols = self._shown_columns
        for i, b in enumerate(self._buttons.values()):
            self._grid.addWidget(b, i // cols, i % cols)
        for c in range(self._columns):
            self._grid.setColumnStretch(c, 1 if c < cols else 0)
        self.updateGeometry()

    def _refit(self, width: int) -> None:
        cols = self._fitting_columns(width)
        if cols != self._shown_columns:
            self._shown_columns = cols
            self._place()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit(event.size().width())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._widest(), super().minimumSizeHint().height())

    def columns(self) -> int:
        """How many columns the options are shown in now."""
        return self._shown_columns

    def buttons(self) -> list[Button]:
        return list(self._buttons.values())

    def button(self, key: str) -> Button | None:
        return self._buttons.get(key)

    def value(self) -> str:
        b = self._group.checkedButton()
        return str(b.property("key")) if b is not None else ""

    def set_value(self, key: str) -> None:
        if key in self._buttons:
            self._buttons[key].setChecked(True)
        else:
            self.clear_selection()

    def clear_selection(self) -> None:
        self._group.setExclusive(False)
        for b in self._pool.values():
            b.setChecked(False)
        self._group.setExclusive(True)

    def _clicked(self, button: QPushButton) -> None:
        self.changed.emit(str(button.property("key")))


def card_frame(parent: QWidget | None = None) -> QFrame:
    f = QFrame(parent)
    f.setProperty("role", "card")
    return f
