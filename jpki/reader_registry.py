"""Virtual readers: cards that other packages offer under a reader name.

:mod:`jpki` itself knows PC/SC readers only. A package with a card of its own
(the mock card, a card behind a network service) offers it under a name in
the ``jpki.readers`` entry-point group of its ``pyproject.toml``::

    [project.entry-points."jpki.readers"]
    mock = "mock_card.jpki_reader:virtual_reader"

The object named is a callable returning a :class:`VirtualReader`. It is
imported only when that name is asked for (``--reader mock``,
``JPKI_READER=mock``, ``jpki readers``), so an installed virtual reader costs
nothing otherwise. :func:`register` adds one at run time (tests, programs
embedding jpki); it wins over an entry point of the same name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Final

from apdu import Transport

from . import errors

ENTRY_POINT_GROUP: Final = "jpki.readers"


@dataclass(frozen=True, slots=True)
class VirtualReader:
    """A card reachable under ``name`` (matched case-insensitively).

    ``connect()`` gives the card's transport for one session (what leaving the
    block does to the card is the reader's business: a PC/SC card is reset).
    It raises :class:`apdu.TransportError` subclasses, as a PC/SC transport does.
    ``details`` are shown by ``jpki readers`` (e.g. the mock card's state file).
    """

    name: str
    description: str
    connect: Callable[[], AbstractContextManager[Transport]]
    details: Mapping[str, str] = field(default_factory=dict)


_lock = threading.Lock()
_registered: dict[str, VirtualReader] = {}


def register(reader: VirtualReader) -> None:
    """Offer ``reader`` under its name (replacing one registered under the same name)."""
    with _lock:
        _registered[reader.name.casefold()] = reader


def unregister(name: str) -> None:
    """Withdraw the reader :func:`register` added under ``name`` (entry points stay)."""
    with _lock:
        _registered.pop(name.casefold(), None)


def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(point.name.casefold(), point)
    return found


def names() -> list[str]:
    """The names of every virtual reader installed or registered (nothing is imported)."""
    with _lock:
        registered = {key: reader.name for key, reader in _registered.items()}
    installed = {key: point.name for key, point in _entry_points().items()}
    return sorted({**installed, **registered}.values(), key=str.casefold)


def find(name: str) -> VirtualReader | None:
    """The virtual reader called ``name`` (any case), else ``None``.

    Raises :class:`jpki.ReaderUnavailable` when the package offering it is
    installed but broken.
    """
    key = name.casefold()
    with _lock:
        reader = _registered.get(key)
    if reader is not None:
        return reader
    point = _entry_points().get(key)
    if point is None:
        return None
    try:
        factory = point.load()
        made = factory()
    except Exception as exc:
        raise errors.ReaderUnavailable(
            f"the virtual reader {point.name!r} ({point.value}) could not be loaded: {exc}"
        ) from exc
    if not isinstance(made, VirtualReader):
        raise errors.ReaderUnavailable(
            f"the virtual reader {point.name!r} ({point.value}) is not a VirtualReader"
        )
    return made
