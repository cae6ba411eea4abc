"""Finding a card: PC/SC readers by name, or the built-in mock card (reader ``mock``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from apdu import Transport

from . import errors
from .session_errors import translated_transport_errors

MOCK_READER: Final = "mock"
ENV_READER: Final = "JPKI_READER"


def requested_reader(reader: str | None) -> str | None:
    """``reader``, else ``$JPKI_READER``, else ``None`` (any reader)."""
    return reader if reader else (os.environ.get(ENV_READER) or None)


def list_readers() -> list[str]:
    """The PC/SC readers' names (the mock reader is not listed)."""
    from apdu.pcsc import list_readers as pcsc_list_readers

    with translated_transport_errors():
        return pcsc_list_readers()


def matching_readers(reader: str | None) -> list[str]:
    """Readers to try for ``reader`` (a name, a part of one, ``mock``, or ``None`` for all)."""
    reader = requested_reader(reader)
    if reader is not None and reader.casefold() == MOCK_READER:
        return [MOCK_READER]
    from apdu.pcsc import match_readers

    names = list_readers()
    with translated_transport_errors():
        return match_readers(names, reader)


@contextmanager
def connect(name: str) -> Iterator[Transport]:
    """An exclusive connection to the card in reader ``name`` (exact), reset at the end.

    ``mock`` opens the mock card whose state lives in ``$JPKI_MOCK_STATE`` (or
    the user's data directory), so PIN counters carry over between programs.
    """
    if name == MOCK_READER:
        from mock_card import open_card
        from mock_card.state import StateError

        try:
            card = open_card()
        except StateError as exc:
            raise errors.ReaderUnavailable(f"mock card: {exc}") from None
        yield card
        return
    from apdu.pcsc import PcscTransport

    with translated_transport_errors():
        transport = PcscTransport.connect(name, exclusive=True)
    try:
        yield transport
    finally:
        with translated_transport_errors():
            transport.close("reset")
