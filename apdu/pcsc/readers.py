"""PC/SC readers: listing them, matching a name someone typed, waiting for a card."""

from __future__ import annotations

import time

from ..errors import NoCardError, NoReaderError
from . import scard


def _readers(context: int) -> list[str]:
    hr, names = scard.list_readers(context)
    if hr == scard.E_NO_READERS_AVAILABLE:
        return []
    if hr != scard.SUCCESS:
        raise scard.error(hr, "cannot list the readers")
    return names


def list_readers() -> list[str]:
    """Names of the readers the PC/SC service knows (``[]`` if there are none).

    Raises :class:`ReaderGoneError` when the service (pcscd) is not running.
    """
    context = scard.establish()
    try:
        return _readers(context)
    finally:
        scard.release(context)


def match_readers(readers: list[str], wanted: str | None) -> list[str]:
    """The readers ``wanted`` names: an exact name, else every name containing it
    (case-insensitive); all of them for ``None``.

    Raises :class:`NoReaderError` when there is no reader or none matches.
    """
    if not readers:
        raise NoReaderError("no card reader is connected")
    if wanted is None:
        return list(readers)
    if wanted in readers:
        return [wanted]
    needle = wanted.casefold()
    found = [r for r in readers if needle in r.casefold()]
    if not found:
        raise NoReaderError(f"no reader matches {wanted!r}; readers: {', '.join(readers)}")
    return found


def choose_reader(context: int, wanted: str | None) -> str:
    """The reader to connect to for ``wanted``: the only match, else the first matching
    reader holding a card. Raises :class:`NoReaderError` / :class:`NoCardError`."""
    readers = _readers(context)
    candidates = match_readers(readers, wanted)
    if wanted is not None and len(candidates) == 1:
        return candidates[0]
    hr, states = scard.get_status_change(context, 0, [(r, scard.STATE_UNAWARE) for r in candidates])
    if hr != scard.SUCCESS:
        raise scard.error(hr, "cannot read the reader states")
    for name, state, _atr in states:
        if state & scard.STATE_PRESENT:
            return name
    if wanted is not None:
        return candidates[0]  # SCardConnect will say "no card"
    raise NoCardError(f"no card in any reader ({', '.join(readers)})")


def wait_for_card(reader: str, *, present: bool = True, timeout: float = 5.0) -> bool:
    """Wait until ``reader`` (exact name) holds a card (or none, ``present=False``).

    Returns False if that did not happen within ``timeout`` seconds (``0``:
    just look). An unknown reader counts as holding no card.
    """
    deadline = time.monotonic() + timeout
    context = scard.establish()
    try:
        current = scard.STATE_UNAWARE
        while True:
            wait_ms = max(0, min(int((deadline - time.monotonic()) * 1000), 500))
            hr, states = scard.get_status_change(context, wait_ms, [(reader, current)])
            if hr == scard.SUCCESS:
                state = states[0][1]
                if state & scard.STATE_UNKNOWN:
                    if not present:
                        return True
                    current = scard.STATE_UNAWARE  # not there (yet): look again shortly
                    time.sleep(max(0.0, min(0.05, deadline - time.monotonic())))
                elif bool(state & scard.STATE_PRESENT) == present:
                    return True
                else:
                    current = state & ~scard.STATE_CHANGED
            elif hr != scard.E_TIMEOUT:
                raise scard.error(hr, "cannot read the reader state")
            if time.monotonic() >= deadline:
                return False
    finally:
        scard.release(context)
