"""How a ledger verifies submissions and how long things last (:class:`LedgerConfig`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from ..requests import DEFAULT_KIND_CODES, MAX_DOCUMENT_SIZE
from ..trust import CrlStore, RevocationPolicy, TrustStore

__all__ = ["DEFAULT_DOWNLOAD_WINDOW", "DEFAULT_MAX_SIGNATURE_SIZE", "LedgerConfig"]

#: A CMS signature of a request with its certificate (and maybe the CA's) is 3-6 KB.
DEFAULT_MAX_SIGNATURE_SIZE: Final = 64 * 1024
DEFAULT_DOWNLOAD_WINDOW: Final = timedelta(days=14)


@dataclass(frozen=True)
class LedgerConfig:
    """How submissions are verified and how long things last.

    ``trust_store`` defaults to the J-LIS production roots. ``allowed_kinds``
    is the office's certificate catalogue (``None``: any well-formed code).
    ``max_signature_size`` (DER; PEM may be 4/3 of it) and ``max_document_size``
    bound what a submission may hold; both are checked before anything is parsed.

    A submission must carry a signing time (the signing-time attribute), not
    before the signer's certificate became valid. ``max_signing_age`` bounds how
    old the signature, and the request document's own time, may be when it is
    submitted (the signing time is the signer's own claim; a short bound keeps
    a holder from back-dating past a revocation and stops replays of old
    signatures); ``None`` disables the age check (not the others).

    ``audit_key`` (at least 32 random bytes, kept outside the database) seals the
    audit chain with a MAC per entry (:mod:`jpki.ledger.chain`): the office's ledger
    has one; a ledger whose chain is sealed refuses changes without it.
    """

    trust_store: TrustStore | None = None
    crls: CrlStore | None = None
    revocation_policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE
    allowed_kinds: frozenset[str] | None = DEFAULT_KIND_CODES
    max_signature_size: int = DEFAULT_MAX_SIGNATURE_SIZE
    max_document_size: int = MAX_DOCUMENT_SIZE
    max_signing_age: timedelta | None = timedelta(days=1)
    max_clock_skew: timedelta = timedelta(minutes=5)
    download_window: timedelta = DEFAULT_DOWNLOAD_WINDOW
    sqlite_synchronous: str = "FULL"
    busy_timeout: float = 30.0
    audit_key: bytes | None = field(default=None, repr=False)
