"""A touch keyboard for the form's text fields: kana (gojūon), Latin letters, digits.

Japanese without an input method: the hiragana/katakana grid as on ticket and
certificate machines (あかさたな… across, あいうえお down), with ゛ ゜ (they
change the last character: か→が, は→ば→ぱ), 小 (つ→っ) and ー. Latin letters
come in alphabetical order or QWERTY, with @ . - _ for e-mail addresses. The
keyboard types into one :class:`QLineEdit` at a time (:meth:`attach`); its keys
never take the focus.

Why not Qt Virtual Keyboard: PySide6-Essentials ships its input-context plugin
but not the libQt6VirtualKeyboard library it needs (that is in PySide6-Addons),
and in a widget application it opens as a separate top-level window, which a
bare X server without a window manager cannot place; its Japanese layout is a
romaji keyboard, not the gojūon grid applicants know.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import style
from .keypad import ABC_ROWS, QWERTY_ROWS, control_button, key_button

translate = QCoreApplication.translate

HIRAGANA: Final = "hiragana"
KATAKANA: Final = "katakana"
LATIN: Final = "latin"
DIGITS: Final = "digits"
MODES: Final = (HIRAGANA, KATAKANA, LATIN, DIGITS)

# The gojūon table, one column per consonant row (あ か さ … わ), vowels down; " " is a gap.
GOJUON: Final = (
    "あいうえお",
    "かきくけこ",
    "さしすせそ",
    "たちつてと",
    "なにぬねの",
    "はひふへほ",
    "まみむめも",
    "や ゆ よ",
    "らりるれろ",
    "わ を ん",
)
_SMALL: Final = dict(zip("あいうえおつやゆよわ", "ぁぃぅぇぉっゃゅょゎ", strict=True))
_LARGE: Final = {v: k for k, v in _SMALL.items()}
DAKUTEN: Final = "゛"
HANDAKUTEN: Final = "゜"
SMALL: Final = "小"
LONG_VOWEL: Final = "ー"
LATIN_SYMBOLS: Final = "@.-_',"
DIGIT_SYMBOLS: Final = "-"


def katakana(text: str) -> str:
    """Hiragana to katakana (other characters unchanged)."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def _hiragana(c: str) -> str:
    return chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c


def with_mark(c: str, mark: str) -> str | None:
    """``c`` with the voicing ``mark`` (``\\u3099`` or ``\\u309a``) toggled; None if it takes none."""
    base = unicodedata.normalize("NFD", c)
    if base.endswith(mark) and len(base) == 2:
        return base[0]  # が → か
    plain = base[0]
    combined = unicodedata.normalize("NFC", plain + mark)
    return combined if len(combined) == 1 else None


def toggle_small(c: str) -> str | None:
    h = _hiragana(c)
    out = _SMALL.get(h) or _LARGE.get(h)
    if out is None:
        return None
    return katakana(out) if h != c else out


def kana_modifier(last: str, key: str) -> str | None:
    """What ``last`` becomes after ゛, ゜ or 小; None if the key does not apply to it."""
    if key == DAKUTEN:
        if last == "う":
            return "ゔ"
        return with_mark(last, "\u3099")
    if key == HANDAKUTEN:
        h = unicodedata.normalize("NFD", last)[0]
        if _hiragana(h) not in "はひふへほ":
            return None
        return with_mark(last, "\u309a")
    return toggle_small(last)


class TouchKeyboard(QWidget):
    """One page per mode, a row of mode tabs and ⌫ / Clear; types into :attr:`target`."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None, *, key_px: int = 60) -> None:
        super().__init__(parent)
        self.target: QLineEdit | None = None
        self.mode = ""
        self.latin_order = "abc"
        self.upper = False
        self._key_px = key_px
        # mode -> character -> key (the character it types; ゛ ゜ 小 for the modifiers)
        self.keys: dict[str, dict[str, QPushButton]] = {m: {} for m in MODES}
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(8)
        self.pages = QStackedWidget(self)
        self._pages: dict[str, QWidget] = {}
        for mode in MODES:
            page = QWidget(self.pages)
            self._pages[mode] = page
            self.pages.addWidget(page)
        self._build_kana(HIRAGANA)
        self._build_kana(KATAKANA)
        self._build_latin()
        self._build_digits()
        col.addWidget(self.pages)

        controls = QHBoxLayout()
        controls.setSpacing(8)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[str, QPushButton] = {}
        for mode in MODES:
            b = control_button("", self, key_px, key_px)
            b.setCheckable(True)
            b.clicked.connect(lambda _c=False, m=mode: self.set_mode(m))
            self.mode_group.addButton(b)
            self.mode_buttons[mode] = b
            controls.addWidget(b)
        self.space = control_button("", self, key_px, key_px)
        self.space.clicked.connect(lambda: self.type_text(" "))
        controls.addWidget(self.space, 1)
        self.back = control_button("", self, key_px * 2, key_px)
        self.back.clicked.connect(self.backspace)
        self.clear_key = control_button("", self, key_px * 2, key_px)
        self.clear_key.clicked.connect(self.clear)
        controls.addWidget(self.back)
        controls.addSpacing(key_px // 3)
        controls.addWidget(self.clear_key)
        col.addLayout(controls)
        self.set_mode(HIRAGANA)
        self.retranslate()

    # -- building ----------------------------------------------------------------------------

    def _char_key(self, mode: str, char: str, page: QWidget) -> QPushButton:
        b = key_button(char, page, self._key_px, self._key_px)
        b.setFont(style.font(28, bold=True))
        b.clicked.connect(lambda _c=False, m=mode, ch=char: self._pressed(m, ch))
        self.keys[mode][char] = b
        return b

    def _build_kana(self, mode: str) -> None:
        page = self._pages[mode]
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for c, column in enumerate(GOJUON):
            for r, ch in enumerate(column):
                if ch != " ":
                    grid.addWidget(
                        self._char_key(mode, katakana(ch) if mode == KATAKANA else ch, page), r, c
                    )
        extra = len(GOJUON) + 1  # a gap column, then the modifiers
        grid.setColumnMinimumWidth(len(GOJUON), self._key_px // 3)
        for r, ch in enumerate((DAKUTEN, HANDAKUTEN, SMALL, LONG_VOWEL, "、")):
            grid.addWidget(self._char_key(mode, ch, page), r, extra)

    def _build_latin(self) -> None:
        page = self._pages[LATIN]
        self._latin_grid = QGridLayout(page)
        self._latin_grid.setContentsMargins(0, 0, 0, 0)
        self._latin_grid.setSpacing(6)
        for ch in "".join(ABC_ROWS) + LATIN_SYMBOLS:
            self._char_key(LATIN, ch, page)
        self.shift = control_button("", page, self._key_px * 2, self._key_px)
        self.shift.setCheckable(True)
        self.shift.clicked.connect(self._toggle_shift)
        self.order_key = control_button("", page, self._key_px * 3, self._key_px)
        self.order_key.clicked.connect(self.toggle_latin_order)
        self._place_latin()
        self._set_case()

    def _place_latin(self) -> None:
        g = self._latin_grid
        for b in self.keys[LATIN].values():
            g.removeWidget(b)
        g.removeWidget(self.shift)
        g.removeWidget(self.order_key)
        table = QWERTY_ROWS if self.latin_order == "qwerty" else ABC_ROWS
        for r, chars in enumerate(table):
            for c, ch in enumerate(chars):
                g.addWidget(self.keys[LATIN][ch], r, c)
        for c, ch in enumerate(LATIN_SYMBOLS):
            g.addWidget(self.keys[LATIN][ch], 4, c)
        g.addWidget(self.shift, 4, len(LATIN_SYMBOLS), 1, 2)
        g.addWidget(self.order_key, 4, len(LATIN_SYMBOLS) + 2, 1, 3)

    def _build_digits(self) -> None:
        page = self._pages[DIGITS]
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        w = self._key_px * 2
        for i, ch in enumerate("1234567890" + DIGIT_SYMBOLS):
            b = self._char_key(DIGITS, ch, page)
            b.setMinimumWidth(w)
            grid.addWidget(b, i // 3, i % 3)

    # -- modes -------------------------------------------------------------------------------

    def attach(
        self, target: QLineEdit | None, modes: Sequence[str] = MODES, mode: str = ""
    ) -> None:
        """Type into ``target``; offer ``modes`` (the tabs), starting in ``mode``."""
        self.target = target
        for m, b in self.mode_buttons.items():
            b.setVisible(m in modes and len(modes) > 1)
        self.space.setVisible(any(m != DIGITS for m in modes))
        self.set_mode(mode or modes[0])

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.pages.setCurrentWidget(self._pages[mode])
        self.mode_buttons[mode].setChecked(True)

    def set_latin_order(self, order: str) -> None:
        """``"abc"`` (alphabetical) or ``"qwerty"``."""
        if order == self.latin_order:
            return
        self.latin_order = order
        self._place_latin()
        self.retranslate()

    def toggle_latin_order(self) -> None:
        self.set_latin_order("abc" if self.latin_order == "qwerty" else "qwerty")

    def _toggle_shift(self) -> None:
        self.upper = self.shift.isChecked()
        self._set_case()

    def _set_case(self) -> None:
        for ch, b in self.keys[LATIN].items():
            if ch.isalpha():
                b.setText(ch if self.upper else ch.lower())

    def key(self, char: str, mode: str = "") -> QPushButton:
        """The key that types ``char`` in ``mode`` (default: the current one), for tests and
        accessibility tools. Latin letters are looked up upper-case."""
        m = mode or self.mode
        return self.keys[m][char.upper() if m == LATIN else char]

    # -- typing --------------------------------------------------------------------------

    def _pressed(self, mode: str, char: str) -> None:
        if mode == LATIN and char.isalpha():
            self.type_text(char if self.upper else char.lower())
        elif char in (DAKUTEN, HANDAKUTEN, SMALL):
            self._modify(char)
        else:
            self.type_text(char)

    def _modify(self, key: str) -> None:
        e = self.target
        if e is None or e.isReadOnly():
            return
        pos = e.cursorPosition()
        if pos == 0:
            return
        text = e.text()
        changed = kana_modifier(text[pos - 1], key)
        if changed is None:
            return
        e.setText(text[: pos - 1] + changed + text[pos:])
        e.setCursorPosition(pos)
        self.edited.emit()

    def type_text(self, text: str) -> None:
        e = self.target
        if e is None or e.isReadOnly():
            return
        e.insert(text)
        self.edited.emit()

    def backspace(self) -> None:
        if self.target is not None:
            self.target.backspace()
            self.edited.emit()

    def clear(self) -> None:
        if self.target is not None:
            self.target.clear()
            self.edited.emit()

    # -- texts ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        names = {
            HIRAGANA: translate("Keyboard", "Hiragana"),
            KATAKANA: translate("Keyboard", "Katakana"),
            LATIN: translate("Keyboard", "ABC"),
            DIGITS: translate("Keyboard", "Numbers"),
        }
        for m, b in self.mode_buttons.items():
            b.setText(names[m])
        self.space.setText(translate("Keyboard", "Space"))
        delete = translate("Keyboard", "Delete")
        self.back.setText(f"⌫ {delete}")
        self.back.setAccessibleName(delete)
        self.clear_key.setText(translate("Keyboard", "Clear all"))
        self.shift.setText(translate("Keyboard", "Capitals"))
        self.order_key.setText(
            translate("Keyboard", "QWERTY order")
            if self.latin_order == "abc"
            else translate("Keyboard", "ABC order")
        )
        for mode in (HIRAGANA, KATAKANA):
            self.keys[mode][DAKUTEN].setAccessibleName(translate("Keyboard", "Voiced mark"))
            self.keys[mode][HANDAKUTEN].setAccessibleName(translate("Keyboard", "Half-voiced mark"))
            self.keys[mode][SMALL].setAccessibleName(translate("Keyboard", "Small kana"))
