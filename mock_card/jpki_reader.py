"""The mock card as jpki's virtual reader ``mock``: ``jpki --reader mock``, ``JPKI_READER=mock``.

Registered in ``pyproject.toml`` (entry-point group ``jpki.readers``); :mod:`jpki`
never imports this package. The card's state (keys, certificates, PIN
counters) lives in ``$JPKI_MOCK_STATE`` or the user's data directory, so PIN
counters carry over between programs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from apdu import ReaderGoneError, Transport
from jpki.reader_registry import VirtualReader

from .state import StateError, default_state_path, open_card

NAME: Final = "mock"


def virtual_reader() -> VirtualReader:
    """The entry point: the mock card, with its state file as the detail ``jpki readers`` shows."""
    return VirtualReader(
        name=NAME,
        description="built-in mock card",
        connect=connect,
        details={"state_file": str(default_state_path())},
    )


@contextmanager
def connect() -> Iterator[Transport]:
    """The card in the state file (a new demo card if there is none)."""
    try:
        card = open_card()
    except StateError as exc:
        raise ReaderGoneError(f"mock card: {exc}") from None
    yield card
