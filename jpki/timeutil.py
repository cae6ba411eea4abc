"""Time helpers: Japan Standard Time and the aware datetimes the library works with.

Every time the library judges by (a validation time, a signing time, a clock) is an
aware datetime; a naive one is refused with ``ValueError`` rather than guessed at.
Times shown to people are in JST (UTC+9, no daylight saving time)::

    >>> from datetime import UTC, datetime
    >>> when = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    >>> jst_text(when)
    '2026-06-15 12:00:00 JST'
    >>> jst_iso(when)
    '2026-06-15T12:00:00+09:00'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Final, overload

__all__ = ["JST", "JST_TEXT_FORMAT", "aware", "jst_iso", "jst_text", "to_jst", "utc"]

#: Japan Standard Time.
JST: Final = timezone(timedelta(hours=9), "JST")

#: How :func:`jst_text` writes a time.
JST_TEXT_FORMAT: Final = "%Y-%m-%d %H:%M:%S JST"


def aware(at: datetime | None, what: str = "the time") -> datetime:
    """``at`` unchanged if it is timezone-aware, now (UTC) if ``None``; ``ValueError`` naming
    ``what`` for a naive datetime."""
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {at!r}")
    return at


def utc(at: datetime | None, what: str = "the time") -> datetime:
    """:func:`aware`, in UTC."""
    return aware(at, what).astimezone(UTC)


def to_jst(when: datetime) -> datetime:
    """An aware ``when`` in JST."""
    return when.astimezone(JST)


def jst_text(when: datetime, *, seconds: bool = True) -> str:
    """``2026-06-15 12:00:00 JST``: a time for messages and terminals (``seconds=False``:
    ``2026-06-15 12:00 JST``)."""
    return when.astimezone(JST).strftime(JST_TEXT_FORMAT if seconds else "%Y-%m-%d %H:%M JST")


@overload
def jst_iso(when: datetime) -> str: ...
@overload
def jst_iso(when: None) -> None: ...
def jst_iso(when: datetime | None) -> str | None:
    """ISO 8601 in JST (``2026-06-15T12:00:00+09:00``): a time for JSON; ``None`` stays
    ``None``."""
    return None if when is None else when.astimezone(JST).isoformat()
