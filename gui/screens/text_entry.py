"""The form's text entry page: one field, its validation message right under it, and the
touch keyboard. A tap on a form field opens it; Done writes the text back, Back leaves the
field as it was. A physical keyboard still types into the form's fields directly."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ..widgets import Button, TouchKeyboard, label, style
from ..widgets.keyboard import MODES

translate = QCoreApplication.translate

# ``check(text)``: the message to show next to the field, "" when the text is fine.
Check = Callable[[str], str]


class _Line(QLineEdit):
    """Enter means Done."""

    done = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.done.emit()
            return
        super().keyPressEvent(event)


class TextEntry(QWidget):
    """Emits :attr:`finished` (True: Done, False: Back) after :meth:`open`."""

    finished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screen")
        self.target: QLineEdit | None = None
        self._check: Check = lambda _t: ""
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)
        self.heading = label("", 30, bold=True)
        self.heading.setAccessibleName("entry-heading")
        col.addWidget(self.heading)
        row = QHBoxLayout()
        row.setSpacing(16)
        self.line = _Line(self)
        self.line.setFont(style.font(30))
        self.line.setMinimumHeight(72)
        self.line.setAccessibleName("entry")
        self.back = Button("", self)
        self.done = Button("", self, role="primary")
        self.done.setMinimumWidth(160)
        row.addWidget(self.line, 1)
        row.addWidget(self.back)
        row.addWidget(self.done)
        col.addLayout(row)
        self.error = label("", style.SMALL_PX, role="notice")
        self.error.setAccessibleName("entry-error")
        self.error.hide()
        col.addWidget(self.error)
        self.keyboard = TouchKeyboard(self)
        col.addWidget(self.keyboard, 0, Qt.AlignmentFlag.AlignHCenter)
        col.addStretch(1)
        self.line.textChanged.connect(self._validate)
        self.line.done.connect(self._done)
        self.done.clicked.connect(self._done)
        self.back.clicked.connect(lambda: self._finish(False))
        self.retranslate()

    def open(
        self,
        target: QLineEdit,
        heading: str,
        modes: Sequence[str],
        mode: str,
        check: Check,
    ) -> None:
        """Edit ``target``'s text on the keyboard's ``modes`` (starting in ``mode``)."""
        self.target = target
        self._check = check
        self.heading.setText(heading)
        self.line.setMaxLength(target.maxLength())
        self.line.setInputMethodHints(target.inputMethodHints())
        self.line.setText(target.text())
        self.line.setCursorPosition(len(target.text()))
        self.keyboard.attach(self.line, modes, mode)
        self._validate()
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)

    def _validate(self) -> None:
        message = self._check(self.line.text()) if self.target is not None else ""
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _done(self) -> None:
        if self.target is not None:
            self.target.setText(self.line.text().strip())
        self._finish(True)

    def _finish(self, done: bool) -> None:
        self.target = None
        self.line.clear()
        self.keyboard.attach(None, MODES, self.keyboard.mode)
        self.finished.emit(done)

    def wipe(self) -> None:
        self.target = None
        self.line.clear()
        self.error.hide()

    def retranslate(self) -> None:
        self.back.setText(translate("Keyboard", "Back"))
        self.done.setText(translate("Keyboard", "Done"))
        self.keyboard.retranslate()
        if self.target is not None:
            self._validate()
