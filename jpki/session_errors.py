"""Translation of :mod:`apdu` errors into :mod:`jpki` errors at the session boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import apdu

from . import errors


@contextmanager
def translated_transport_errors() -> Iterator[None]:
    """Re-raise :class:`apdu.TransportError` as the matching :class:`jpki.JpkiError`."""
    try:
        yield
    except apdu.CardRemovedError as exc:
        raise errors.CardRemoved(f"the card was removed: {exc}") from exc
    except apdu.NoCardError as exc:
        raise errors.NoCard(str(exc) or "no card in the reader") from exc
    except apdu.NoReaderError as exc:
        raise errors.NoReader(str(exc) or "no card reader found") from exc
    except apdu.ReaderInUseError as exc:
        raise errors.ReaderInUse(str(exc) or "the reader is in use by another program") from exc
    except apdu.ReaderGoneError as exc:
        raise errors.ReaderUnavailable(str(exc) or "the reader is unavailable") from exc
    except apdu.TransportError as exc:
        raise errors.TransportFailure(str(exc) or "the card did not answer") from exc
