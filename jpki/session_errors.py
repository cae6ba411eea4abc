"""Translation of :mod:`apdu` errors into :mod:`jpki` errors at the session boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import apdu

from . import errors

_TRANSLATION: tuple[tuple[type[apdu.TransportError], type[errors.ReaderError], str], ...] = (
    (apdu.CardRemovedError, errors.CardRemoved, "the card was removed"),
    (apdu.NoCardError, errors.NoCard, "no card in the reader"),
    (apdu.NoReaderError, errors.NoReader, "no card reader found"),
    (apdu.ReaderInUseError, errors.ReaderInUse, "the reader is in use by another program"),
    (apdu.ReaderGoneError, errors.ReaderUnavailable, "the reader is unavailable"),
)


def translate(exc: apdu.TransportError) -> errors.ReaderError:
    """The :class:`jpki.JpkiError` for a transport error (chain it with ``from exc``)."""
    for source, target, default in _TRANSLATION:
        if isinstance(exc, source):
            return target(str(exc) or default)
    return errors.TransportFailure(str(exc) or "the card did not answer")


@contextmanager
def translated_transport_errors() -> Iterator[None]:
    """Re-raise :class:`apdu.TransportError` as the matching :class:`jpki.JpkiError`."""
    try:
        yield
    except apdu.TransportError as exc:
        raise translate(exc) from exc
