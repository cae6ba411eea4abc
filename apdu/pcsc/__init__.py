"""PC/SC readers through pyscard, in four layers:

* :mod:`apdu.pcsc.scard` — the raw ``SCard*`` calls, typed; the only module of the
  project that imports pyscard.
* :mod:`apdu.pcsc.readers` — :func:`list_readers`, :func:`match_readers` (a name or a
  part of one, as people type it) and :func:`wait_for_card`.
* :mod:`apdu.pcsc.transport` — :class:`PcscTransport`, an exclusive connection to the
  card in one reader; a :class:`~apdu.transport.Transport` and
  :class:`~apdu.transport.SupportsTransaction`.
* :mod:`apdu.pcsc.watcher` — :class:`CardWatcher`, a background thread reporting card
  and reader events, which survives restarts of the PC/SC service.

Every ``SCARD_*`` failure becomes one of the :mod:`apdu.errors` transport errors;
no error message ever holds APDU data.
"""

from .readers import list_readers, match_readers, wait_for_card
from .scard import PNP_NOTIFICATION
from .transport import Disposition, PcscTransport
from .watcher import CardEvent, CardEventKind, CardWatcher

__all__ = [
    "PNP_NOTIFICATION",
    "CardEvent",
    "CardEventKind",
    "CardWatcher",
    "Disposition",
    "PcscTransport",
    "list_readers",
    "match_readers",
    "wait_for_card",
]
