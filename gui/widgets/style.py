"""Fonts, colours and the style sheet: large type, high contrast, big touch targets."""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QFont, QFontDatabase

#: Japanese first, so kana and kanji take the JP glyph forms; Latin comes from the same font.
FONT_FAMILIES: Final = ["Noto Sans CJK JP", "Noto Sans JP", "Noto Sans", "DejaVu Sans"]
BODY_PX: Final = 26
SMALL_PX: Final = 24  # the smallest text on a kiosk screen
TITLE_PX: Final = 38
HUGE_PX: Final = 48
TOUCH_PX: Final = 72  # the height of buttons and input fields (>= 64 px)
KEY_PX: Final = 64  # a keypad key

INK: Final = "#111111"
PAPER: Final = "#ffffff"
PRIMARY: Final = "#0a3a82"  # white text on it: contrast 11:1
PRIMARY_DOWN: Final = "#062a60"
SOFT: Final = "#e9eef6"
LINE: Final = "#4a5568"
WARN_BG: Final = "#ffd84d"  # black text on it
DANGER: Final = "#a3001b"  # white text on it: contrast 8.6:1
OK_GREEN: Final = "#0b6b2f"
DISABLED_BG: Final = "#c9ced6"
DISABLED_INK: Final = "#3b4250"


def font(px: int = BODY_PX, *, bold: bool = False, mono: bool = False) -> QFont:
    """A font of ``px`` pixels: ``QFont()`` with families set, never ``QFont("", n)``."""
    f = QFont()
    families = (
        ["Noto Sans Mono CJK JP", "DejaVu Sans Mono", *FONT_FAMILIES] if mono else FONT_FAMILIES
    )
    f.setFamilies(families)
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def has_cjk_font() -> bool:
    return any("CJK JP" in family or family.endswith(" JP") for family in QFontDatabase.families())


STYLE_SHEET: Final = f"""
QWidget#kiosk, QWidget#screen, QScrollArea, QScrollArea > QWidget > QWidget {{
    background: {PAPER};
    color: {INK};
}}
QLabel {{ color: {INK}; }}
QLabel[role="title"] {{ color: {INK}; }}
QLabel[role="muted"] {{ color: #333a45; }}
QLabel[role="notice"] {{
    background: {WARN_BG}; color: #000000; border: 3px solid #000000;
    border-radius: 10px; padding: 12px 16px;
}}
QLabel[role="danger"] {{
    background: {DANGER}; color: #ffffff; border-radius: 10px; padding: 12px 16px;
}}
QLabel[role="info"] {{
    background: {SOFT}; color: {INK}; border-left: 8px solid {PRIMARY};
    border-radius: 6px; padding: 12px 16px;
}}
QLabel[role="flash"] {{
    background: {WARN_BG}; color: #000000; border: 4px solid #000000;
    border-radius: 12px; padding: 16px;
}}
QLabel[role="flash-off"] {{
    background: #000000; color: {WARN_BG}; border: 4px solid #000000;
    border-radius: 12px; padding: 16px;
}}
QFrame#header {{ background: {PRIMARY}; }}
QFrame#header QLabel {{ color: #ffffff; }}
QFrame#countdown {{ background: {WARN_BG}; border-top: 4px solid #000000; }}
QFrame#countdown QLabel {{ color: #000000; }}
QFrame[role="card"] {{
    background: {SOFT}; border: 2px solid {LINE}; border-radius: 12px;
}}
QPushButton {{
    min-height: {TOUCH_PX}px; padding: 4px 24px; border-radius: 12px;
    background: {PAPER}; color: {INK}; border: 3px solid {PRIMARY};
}}
QPushButton[role="choice"] {{ padding: 4px 10px; }}
QPushButton:focus {{ border: 4px dashed #000000; }}  /* keyboard focus: dashed, never a fill */
QPushButton:pressed {{ background: {SOFT}; }}
QPushButton:checked {{ background: {PRIMARY}; color: #ffffff; border-color: {PRIMARY_DOWN}; }}
QPushButton:checked:focus {{ border: 4px dashed #000000; }}
QPushButton[role="primary"] {{ background: {PRIMARY}; color: #ffffff; border-color: {PRIMARY}; }}
QPushButton[role="primary"]:pressed {{ background: {PRIMARY_DOWN}; }}
QPushButton[role="primary"]:focus {{ border: 4px dashed #000000; }}
QPushButton[role="primary"]:disabled, QPushButton:disabled {{
    background: {DISABLED_BG}; color: {DISABLED_INK}; border-color: {DISABLED_BG};
}}
QPushButton[role="header"] {{
    background: {PRIMARY}; color: #ffffff; border: 3px solid #ffffff; min-height: 64px;
    padding: 2px 18px;
}}
QPushButton[role="header"]:checked {{ background: #ffffff; color: {PRIMARY}; }}
QPushButton[role="header"]:focus {{ border: 3px dashed {WARN_BG}; }}  /* its size stays */
QPushButton[role="key"] {{
    min-height: {KEY_PX - 4}px; padding: 0px; border-radius: 10px;
    background: {SOFT}; border: 2px solid {LINE};
}}
QPushButton[role="key"]:pressed {{ background: {PRIMARY}; color: #ffffff; }}
QPushButton[role="key-control"] {{
    min-height: {KEY_PX - 6}px; padding: 0px 8px; border-radius: 10px;
    background: {PAPER}; border: 3px solid {LINE};
}}
QPushButton[role="key-control"]:pressed {{ background: {PRIMARY}; color: #ffffff; }}
QPushButton[role="key-control"]:checked {{
    background: {PRIMARY}; color: #ffffff; border-color: {PRIMARY_DOWN};
}}
QPushButton[role="link"] {{
    background: {PAPER}; color: {PRIMARY}; border: 3px solid {PRIMARY}; min-height: 64px;
    padding: 2px 16px;
}}
QLineEdit {{
    min-height: {TOUCH_PX - 8}px; padding: 2px 12px; border: 3px solid {LINE};
    border-radius: 8px; background: {PAPER}; color: {INK};
}}
QLineEdit:focus {{ border: 4px solid {PRIMARY}; }}
QProgressBar {{
    min-height: 28px; border: 2px solid {LINE}; border-radius: 8px; background: {SOFT};
}}
QProgressBar::chunk {{ background: {PRIMARY}; border-radius: 6px; }}
QScrollBar:vertical {{ width: 28px; background: {SOFT}; }}
QScrollBar::handle:vertical {{ background: {LINE}; min-height: 64px; border-radius: 10px; }}
"""
