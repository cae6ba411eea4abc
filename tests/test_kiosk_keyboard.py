"""The touch keyboards and keypads, driven by mouse clicks on their real keys."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from gui.widgets import AlphanumericKeypad, NumericKeypad, PinField, TouchKeyboard
from gui.widgets.keyboard import (
    DAKUTEN,
    DIGITS,
    HANDAKUTEN,
    HIRAGANA,
    KATAKANA,
    LATIN,
    LONG_VOWEL,
    SMALL,
    kana_modifier,
)
from jpki.layout import PinKind


@pytest.fixture
def board(qtbot):  # type: ignore[no-untyped-def]
    """A keyboard typing into a line edit (the host is kept alive while the test runs)."""
    host = QWidget()
    qtbot.addWidget(host)
    edit = QLineEdit(host)
    kb = TouchKeyboard(host)
    kb.attach(edit)
    host.resize(1200, 600)
    host.show()
    yield kb, edit
    host.close()


def tap(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_kana_by_touch_with_voicing_small_and_long_vowel(qtbot, board) -> None:  # type: ignore[no-untyped-def]
    kb, edit = board
    for ch in "みほん":
        tap(qtbot, kb.key(ch))
    tap(qtbot, kb.key("は"))
    tap(qtbot, kb.key(HANDAKUTEN))  # は → ぱ
    tap(qtbot, kb.key("な"))
    tap(qtbot, kb.key("こ"))
    tap(qtbot, kb.key(DAKUTEN))  # こ → ご
    tap(qtbot, kb.key("つ"))
    tap(qtbot, kb.key(SMALL))  # つ → っ
    tap(qtbot, kb.key(LONG_VOWEL))
    assert edit.text() == "みほんぱなごっー"
    tap(qtbot, kb.back)
    assert edit.text() == "みほんぱなごっ"
    tap(qtbot, kb.mode_buttons[KATAKANA])
    tap(qtbot, kb.key("カ"))
    tap(qtbot, kb.key(DAKUTEN))
    tap(qtbot, kb.key(DAKUTEN))  # twice: back to カ
    tap(qtbot, kb.space)
    assert edit.text() == "みほんぱなごっカ "
    tap(qtbot, kb.clear_key)
    assert edit.text() == ""
    assert kb.back.text().endswith("Delete") or "消す" in kb.back.text()


def test_kana_modifiers_apply_only_where_they_can() -> None:
    assert kana_modifier("か", DAKUTEN) == "が"
    assert kana_modifier("が", DAKUTEN) == "か"
    assert kana_modifier("ハ", HANDAKUTEN) == "パ"
    assert kana_modifier("ば", HANDAKUTEN) == "ぱ"
    assert kana_modifier("か", HANDAKUTEN) is None
    assert kana_modifier("あ", DAKUTEN) is None
    assert kana_modifier("う", DAKUTEN) == "ゔ"
    assert kana_modifier("ヨ", SMALL) == "ョ" and kana_modifier("ょ", SMALL) == "よ"
    assert kana_modifier("A", SMALL) is None


def test_latin_email_in_both_orders(qtbot, board) -> None:  # type: ignore[no-untyped-def]
    kb, edit = board
    kb.attach(edit, (LATIN, DIGITS), LATIN)
    assert not kb.mode_buttons[HIRAGANA].isVisible()
    abc_a = kb.key("A").pos()
    for ch in "HR":
        tap(qtbot, kb.key(ch))
    tap(qtbot, kb.key("@"))
    tap(qtbot, kb.order_key)  # QWERTY: the same keys, elsewhere
    qtbot.waitUntil(lambda: kb.key("A").pos() != abc_a, timeout=1000)
    for ch in "EXAMPLE":
        tap(qtbot, kb.key(ch))
    tap(qtbot, kb.key("."))
    tap(qtbot, kb.shift)
    for ch in "JP":
        tap(qtbot, kb.key(ch))
    tap(qtbot, kb.key("_"))
    tap(qtbot, kb.mode_buttons[DIGITS])
    tap(qtbot, kb.key("7"))
    assert edit.text() == "hr@example.JP_7"


def test_digits_only_for_a_postal_code(qtbot, board) -> None:  # type: ignore[no-untyped-def]
    kb, edit = board
    kb.attach(edit, (DIGITS,))
    assert not any(b.isVisible() for b in kb.mode_buttons.values())  # one mode: no tabs
    assert not kb.space.isVisible()
    for ch in "102-8160":
        tap(qtbot, kb.key(ch))
    assert edit.text() == "102-8160"


def test_keys_never_take_the_focus(qtbot, board) -> None:  # type: ignore[no-untyped-def]
    kb, edit = board
    edit.setFocus()
    tap(qtbot, kb.key("あ"))
    tap(qtbot, kb.back)
    for mode in kb.keys.values():
        for b in mode.values():
            assert b.focusPolicy() is Qt.FocusPolicy.NoFocus


def test_pin_keypads(qtbot) -> None:  # type: ignore[no-untyped-def]
    field = PinField()
    alpha = AlphanumericKeypad()
    numeric = NumericKeypad()
    for w in (field, alpha, numeric):
        qtbot.addWidget(w)
        w.show()
    field.configure(PinKind.SIGN)
    alpha.key.connect(field.append)
    alpha.backspace.connect(field.backspace)
    alpha.clear.connect(field.clear)
    assert alpha.order == "abc"
    # alphabetical: A B C … side by side on one row
    assert alpha.keys["A"].y() == alpha.keys["B"].y() < alpha.keys["K"].y()
    assert alpha.keys["A"].x() < alpha.keys["B"].x() < alpha.keys["C"].x()
    for ch in "ABC12":
        tap(qtbot, alpha.keys[ch])
    tap(qtbot, alpha.order_key)
    assert alpha.order == "qwerty"
    qtbot.waitUntil(lambda: alpha.keys["Q"].y() == alpha.keys["W"].y(), timeout=1000)
    assert alpha.keys["Q"].y() == alpha.keys["W"].y() < alpha.keys["A"].y()
    tap(qtbot, alpha.keys["Z"])
    tap(qtbot, alpha.back)
    tap(qtbot, alpha.keys["X"])
    assert field.reveal() == "ABC12X"
    assert alpha.back is not None and alpha.clear_key is not None
    assert "⌫" in alpha.back.text() and len(alpha.back.text()) > 2  # labelled in words
    # the controls sit right of every key after a gap; Clear is at the top, far from Z
    right = max(b.x() + b.width() for b in alpha.keys.values())
    for control in (alpha.clear_key, alpha.back, alpha.order_key):
        assert control.x() >= right + 16
    assert alpha.clear_key.y() == alpha.keys["1"].y() < alpha.keys["Z"].y()
    tap(qtbot, alpha.clear_key)
    assert field.length() == 0
    for b in [*alpha.keys.values(), *numeric.keys.values()]:
        assert b.focusPolicy() is Qt.FocusPolicy.NoFocus
