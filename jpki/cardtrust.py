"""A root from the card: a card carries its issuing J-LIS root (EF ``0002`` for the
signature certificate, ``000B`` for the user-authentication one). When the trust store
names a pinned root it does not have (generation 02 on an installation where
``jpki trust install`` was not run), the card's copy is read and offered to the store,
which accepts it if and only if its SHA-256 equals the pin (docs/card.md, "Trust").

The CA file is read only when it can help (a few more APDUs, no PIN needed).
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509

from . import errors
from .card import JpkiCard
from .layout import CertKind
from .trust import Purpose, TrustStore

__all__ = ["card_roots"]


def card_roots(
    card: JpkiCard,
    store: TrustStore,
    cert: x509.Certificate,
    purpose: Purpose,
    *,
    at: datetime | None = None,
) -> tuple[x509.Certificate, ...]:
    """``(root,)``: the card's CA certificate for ``purpose`` when ``store`` names a pinned
    root missing here as ``cert``'s issuer, else ``()`` (nothing read). Pass it to
    :meth:`TrustStore.validate` as ``intermediates``; the store still decides (by the pin).
    A CA file that cannot be parsed gives ``()`` (the verdict stays "missing root")."""
    result = store.validate(cert, purpose=purpose, at=at)
    if result.missing_root is None:
        return ()
    kind = CertKind.SIGN_CA if Purpose(purpose) is Purpose.SIGNATURE else CertKind.AUTH_CA
    try:
        return (card.read_certificate(kind),)
    except errors.CorruptData:
        return ()
