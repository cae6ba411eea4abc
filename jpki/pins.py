"""PIN rules (docs/card.md, "PINs"): checked on the host before anything reaches the card."""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import PinFormatError
from .layout import PinKind

#: Something that supplies a PIN: the PIN itself, or a callable asked with the
#: PIN kind and the tries left (so the prompt can show them).
PinPrompt = Callable[[PinKind, int], str]
PinSource = str | PinPrompt

_DIGITS4 = re.compile(r"[0-9]{4}")
_SIGN = re.compile(r"[A-Z0-9]{6,16}")


def rule(kind: PinKind) -> str:
    """The PIN's format in words."""
    if kind is PinKind.SIGN:
        return "6 to 16 characters, upper-case letters A-Z and digits 0-9, at least one of each"
    return "exactly 4 digits"


def normalize_pin(kind: PinKind, pin: str) -> bytes:
    """The PIN as the card expects it (ASCII; a signature PIN upper-cased).

    Raises :class:`PinFormatError` — whose message never repeats the PIN — when
    the PIN breaks its kind's rule.
    """
    if not isinstance(pin, str):
        raise PinFormatError(kind, f"the {kind.label} must be text")
    if not pin.isascii():  # "ſ".upper() == "S": only ASCII may be upper-cased into the rule
        raise PinFormatError(kind, f"the {kind.label} must be {rule(kind)}")
    candidate = pin.upper() if kind is PinKind.SIGN else pin
    if kind is PinKind.SIGN:
        ok = (
            _SIGN.fullmatch(candidate) is not None
            and any(c.isalpha() for c in candidate)
            and any(c.isdigit() for c in candidate)
        )
    else:
        ok = _DIGITS4.fullmatch(candidate) is not None
    if not ok:
        raise PinFormatError(kind, f"the {kind.label} must be {rule(kind)}")
    return candidate.encode("ascii")


def is_valid_pin(kind: PinKind, pin: str) -> bool:
    try:
        normalize_pin(kind, pin)
    except PinFormatError:
        return False
    return True
