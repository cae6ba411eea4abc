"""The checks every part of a request document makes on its values, and the one error they raise.

The request document (:mod:`jpki.requests.document`), its delivery
(:mod:`jpki.requests.delivery`) and the catalogue of document types
(:mod:`jpki.requests.catalogue`) all check their fields with these functions,
so a bad value is reported the same way wherever it is found: a
:class:`RequestSchemaError` whose message names the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, Final

from ..errors import JpkiError

__all__ = [
    "LANGUAGES",
    "LONG_TEXT",
    "SHORT_TEXT",
    "RequestSchemaError",
    "check_code",
    "check_date",
    "check_int",
    "check_keys",
    "check_optional_text",
    "check_text",
    "check_time",
    "json_type",
    "parse_date",
    "parse_time",
    "time_text",
]

#: The languages of a kiosk session and of a certificate.
LANGUAGES: Final = frozenset({"ja", "en"})
#: The longest name-like text (a name, a recipient) and address-like text, in characters.
SHORT_TEXT: Final = 200
LONG_TEXT: Final = 500

_CODE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class RequestSchemaError(JpkiError, ValueError):
    """A request document (or a value for one) breaks the schema; the message says where."""


def json_type(value: object) -> str:
    """How JSON would call ``value``'s type (for messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def check_text(value: object, what: str, max_len: int, *, empty: bool = False) -> str:
    """A string of at most ``max_len`` characters, without control characters."""
    if not isinstance(value, str):
        raise RequestSchemaError(f"{what} must be a string, not {json_type(value)}")
    if not value and not empty:
        raise RequestSchemaError(f"{what} must not be empty")
    if len(value) > max_len:
        raise RequestSchemaError(f"{what} is longer than {max_len} characters")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise RequestSchemaError(f"{what} contains a control character (U+{ord(ch):04X})")
    return value


def check_optional_text(value: object, what: str, max_len: int) -> str | None:
    if value is None:
        return None
    return check_text(value, what, max_len)


def check_code(value: object, what: str) -> str:
    """A code: 1-48 lower-case letters, digits and ``-``, starting with a letter or digit."""
    if not isinstance(value, str):
        raise RequestSchemaError(f"{what} must be a string, not {json_type(value)}")
    if not _CODE.fullmatch(value):
        raise RequestSchemaError(
            f"{what} {value[:60]!r} is not a code (lower-case letters, digits and '-')"
        )
    return value


def check_int(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestSchemaError(f"{what} must be an integer, not {json_type(value)}")
    if not low <= value <= high:
        raise RequestSchemaError(f"{what} must be between {low} and {high}, not {value}")
    return value


def check_date(value: object, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RequestSchemaError(f"{what} must be a date, not {json_type(value)}")
    return value


def check_time(value: object, what: str) -> datetime:
    """An aware time in whole seconds with a whole-minute UTC offset."""
    if not isinstance(value, datetime):
        raise RequestSchemaError(f"{what} must be a date and time, not {json_type(value)}")
    offset = value.utcoffset()
    if offset is None:
        raise RequestSchemaError(f"{what} must carry a UTC offset")
    if value.microsecond or offset.total_seconds() % 60:
        raise RequestSchemaError(f"{what} must be in whole seconds with a whole-minute offset")
    return value


def _checked_text(value: object, what: str, noun: str, pattern: re.Pattern[str], form: str) -> str:
    if not isinstance(value, str):
        raise RequestSchemaError(f"{what} must be a {noun} string, not {json_type(value)}")
    if not pattern.fullmatch(value):
        raise RequestSchemaError(f"{what} {value[:40]!r} is not a {noun} ({form})")
    return value


def parse_date(value: object, what: str) -> date:
    """A ``YYYY-MM-DD`` string as a date."""
    text = _checked_text(value, what, "date", _DATE, "YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RequestSchemaError(f"{what} {text!r} is not a valid date") from None


def parse_time(value: object, what: str) -> datetime:
    """A ``YYYY-MM-DDTHH:MM:SS+HH:MM`` string as an aware time."""
    text = _checked_text(value, what, "time", _TIME, "YYYY-MM-DDTHH:MM:SS+HH:MM")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise RequestSchemaError(f"{what} {text!r} is not a valid time") from None


def time_text(value: datetime) -> str:
    """The document's form of a time (what :func:`parse_time` reads)."""
    return value.isoformat(timespec="seconds")


def check_keys(obj: object, what: str, required: Collection[str]) -> dict[str, Any]:
    """``obj`` as a dict holding exactly the keys ``required``."""
    if not isinstance(obj, dict):
        raise RequestSchemaError(f"{what} must be an object, not {json_type(obj)}")
    unknown = set(obj) - set(required)
    if unknown:
        raise RequestSchemaError(f"{what} has unknown key(s): {', '.join(sorted(unknown))}")
    missing = set(required) - set(obj)
    if missing:
        raise RequestSchemaError(f"{what} lacks key(s): {', '.join(sorted(missing))}")
    return obj
