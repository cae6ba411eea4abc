"""Finding a card: PC/SC readers by name, or a virtual reader another package registered
(:mod:`jpki.reader_registry`; the mock card registers ``mock``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from apdu import Transport

from . import errors, reader_registry
from .session_errors import translated_transport_errors

#: The name the mock card registers under, when it is installed (for help texts: nothing
#: here treats it apart from any other virtual reader).
MOCK_READER: Final = "mock"
ENV_READER: Final = "JPKI_READER"


def requested_reader(reader: str | None) -> str | None:
    """``reader``, else ``$JPKI_READER``, else ``None`` (any reader)."""
    return reader if reader else (os.environ.get(ENV_READER) or None)


def list_readers() -> list[str]:
    """The PC/SC readers' names (virtual readers are not listed)."""
    from apdu.pcsc import list_readers as pcsc_list_readers

    with translated_transport_errors():
        return pcsc_list_readers()


def matching_readers(reader: str | None) -> list[str]:
    """Readers to try for ``reader`` (a virtual reader's name, a PC/SC reader's name or a
    part of one, or ``None`` for every PC/SC reader)."""
    reader = requested_reader(reader)
    if reader is not None:
        virtual = reader_registry.find(reader)
        if virtual is not None:
            return [virtual.name]
    from apdu.pcsc import match_readers

    try:
        names = list_readers()
        with translated_transport_errors():
            return match_readers(names, reader)
    except (errors.NoReader, errors.ReaderUnavailable) as exc:
        if reader is None:
            raise
        raise type(exc)(f"{exc}; {_virtual_readers_hint()}") from exc


def _virtual_readers_hint() -> str:
    installed = reader_registry.names()
    if installed:
        return "virtual readers: " + ", ".join(installed)
    return (
        "no virtual reader is installed (a package such as the mock card offers one in the "
        f"{reader_registry.ENTRY_POINT_GROUP!r} entry-point group)"
    )


def virtual_reader_info(name: str) -> dict[str, str] | None:
    """What ``jpki readers`` shows of the virtual reader ``name``: its name, description and
    details; ``None`` when none is installed under that name."""
    virtual = reader_registry.find(name)
    if virtual is None:
        return None
    return {"name": virtual.name, "description": virtual.description, **virtual.details}


@contextmanager
def connect(name: str) -> Iterator[Transport]:
    """An exclusive connection to the card in reader ``name`` (exact), reset at the end;
    or the card of the virtual reader ``name``."""
    virtual = reader_registry.find(name)
    if virtual is not None:
        with translated_transport_errors(), virtual.connect() as transport:
            yield transport
        return
    from apdu.pcsc import PcscTransport

    with translated_transport_errors():
        transport = PcscTransport.connect(name, exclusive=True)
    try:
        yield transport
    finally:
        with translated_transport_errors():
            transport.close("reset")
