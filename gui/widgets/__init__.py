"""Kiosk widgets: PIN field, keypads, buttons and the style."""

from .common import Button, Choices, card_frame, label, set_role
from .keyboard import TouchKeyboard
from .keypad import AlphanumericKeypad, Keypad, NumericKeypad
from .pin_field import PinField

__all__ = [
    "AlphanumericKeypad",
    "Button",
    "Choices",
    "Keypad",
    "NumericKeypad",
    "PinField",
    "TouchKeyboard",
    "card_frame",
    "label",
    "set_role",
]
